from django.urls import path

from pantau.compliance import views

urlpatterns = [
    path("", views.compliance_page, name="compliance"),
    path("belum-lapor.csv", views.missing_csv, name="compliance-missing-csv"),
]
