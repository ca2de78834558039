from django.urls import path

from pantau.audit import views

urlpatterns = [
    path("", views.audit, name="audit"),
]
