from django.urls import path

from pantau.periodic import views

urlpatterns = [
    path("", views.report_list, name="periodic-reports"),
    path("<int:pk>/", views.report_detail, name="periodic-report"),
    path("<int:pk>/aksi/", views.report_action, name="periodic-report-action"),
    path("<int:pk>/berkas.<str:fmt>", views.report_file, name="periodic-file"),
]
