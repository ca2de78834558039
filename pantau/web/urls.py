from django.contrib.auth import views as auth_views
from django.urls import path

from pantau.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("wilayah/<str:code>/", views.region, name="region"),
]
