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

    def get_readonly_fields(self, request, obj=None):
        # A stored region's code, level and parent are what reports, problems, territories and
        # the dashboard's rollups hang on: they change only through `pantau loadregions`.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "code", "level", "parent"]
