from django.contrib.auth import views as auth_views
from django.urls import path

from pantau.web import exports, problems, pwa, reports, views

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
    path("laporan/", reports.report_list, name="reports"),
    path("laporan/baru/", reports.report_new, name="report-new"),
    path("laporan/ekspor.csv", exports.reports_csv, name="reports-csv"),
    path("laporan/ekspor.xlsx", exports.reports_xlsx, name="reports-xlsx"),
    path("laporan/<int:pk>/", reports.report_detail, name="report"),
    path("laporan/<int:pk>/foto/", reports.report_add_photos, name="report-photos"),
    path("foto/<int:pk>/", reports.photo, name="photo"),
    path("masalah/", problems.problem_list, name="problems"),
    path("masalah/baru/", problems.problem_new, name="problem-new"),
    path("masalah/ekspor.csv", exports.problems_csv, name="problems-csv"),
    path("masalah/ekspor.xlsx", exports.problems_xlsx, name="problems-xlsx"),
    path("masalah/<int:pk>/", problems.problem_detail, name="problem"),
    path("masalah/<int:pk>/aksi/", problems.problem_action, name="problem-action"),
    path("masalah/<int:pk>/lampiran/", problems.problem_attach, name="problem-attach"),
    path("lampiran/<int:pk>/", problems.attachment, name="attachment"),
    # The installable app: its manifest, its service worker (from the root, for its scope) and
    # the page it shows offline for pages not kept on the phone ("luring": off line).
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("luring/", pwa.offline, name="offline"),
]
