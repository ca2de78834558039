from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("pantau.accounts.urls")),
    path("api/v1/", include("pantau.api.urls")),
    path("odk/", include("pantau.odk.urls")),
    path("audit/", include("pantau.audit.urls")),
    path("dasbor/", include("pantau.dashboard.urls")),
    path("kepatuhan/", include("pantau.compliance.urls")),
    path("laporan-berkala/", include("pantau.periodic.urls")),
    path("notifikasi/", include("pantau.notify.urls")),
    path("channels/", include("pantau.channels.urls")),
    path("", include("pantau.web.urls")),
]

handler400 = "pantau.web.errors.bad_request"
handler403 = "pantau.web.errors.permission_denied"
handler404 = "pantau.web.errors.page_not_found"
handler500 = "pantau.web.errors.server_error"
