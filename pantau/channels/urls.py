from django.urls import path

from pantau.channels import views

urlpatterns = [
    path("whatsapp/", views.whatsapp, name="channel-whatsapp"),
    path("telegram/", views.telegram, name="channel-telegram"),
    path("sms/", views.sms, name="channel-sms"),
]
