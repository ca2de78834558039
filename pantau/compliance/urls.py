from django.urls import path

from pantau.compliance import views

urlpatterns = [
    path("", views.compliance_page, name="compliance"),
]
