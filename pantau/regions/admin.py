from django.contrib import admin

from pantau.audit.admin import AuditedModelAdmin
from pantau.regions.models import Region


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["centroid_lat", "centroid_lon"]
