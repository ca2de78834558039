from django.urls import path

from pantau.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("peta.geojson", views.map_geojson, name="dashboard-map"),
]
