from django.urls import path

from pantau.odk import views

urlpatterns = [
    path("formList", views.form_list, name="odk-form-list"),
    path("forms/<str:form_id>.xml", views.form, name="odk-form"),
    path("submission", views.submission, name="odk-submission"),
]
