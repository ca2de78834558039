from django.urls import path

from pantau.accounts import profile, views

urlpatterns = [
    path("profil/", profile.profile, name="profile"),
    path("2fa/", views.enrol, name="two-factor-enrol"),
    path("2fa/verifikasi/", views.verify, name="two-factor-verify"),
    path("2fa/cadangan/", views.backup, name="two-factor-backup"),
    path("2fa/hapus/", views.remove, name="two-factor-remove"),
]
