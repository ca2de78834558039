from django.urls import path

from pantau.notify import views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("<int:pk>/baca/", views.mark_read, name="notifications-read"),
    path("baca-semua/", views.mark_read, name="notifications-read"),
]
