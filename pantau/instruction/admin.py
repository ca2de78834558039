from django.contrib import admin

from pantau.audit.admin import AuditedModelAdmin
from pantau.instruction import models


class ElectionInline(admin.TabularInline):
    model = models.Election
    extra = 0


class StageInline(admin.TabularInline):
    model = models.Stage
    extra = 0


@admin.register(models.Operation)
class OperationAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "region", "signed_on", "is_active", "loaded_at"]
    readonly_fields = ["source_file", "loaded_at"]
    inlines = [ElectionInline, StageInline]


@admin.register(models.Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]


@admin.register(models.Position)
class PositionAdmin(AuditedModelAdmin):
    list_display = ["title", "code", "role", "agency", "region", "operation", "is_active"]
    list_filter = ["role", "is_active", "operation"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["region"]


@admin.register(models.Cluster)
class ClusterAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "coordinator", "operation", "order"]
    filter_horizontal = ["kecamatan"]


@admin.register(models.Assignment)
class AssignmentAdmin(AuditedModelAdmin):
    list_display = ["kecamatan", "agency", "operation"]
    list_filter = ["operation", "agency"]
    search_fields = ["kecamatan__name", "agency__name"]


@admin.register(models.ReportingRule)
class ReportingRuleAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "code",
        "role",
        "stage",
        "times",
        "grace_minutes",
        "remind_minutes_before",
        "is_active",
    ]
    list_filter = ["operation", "role", "stage", "is_active"]
    search_fields = ["code", "name"]


@admin.register(models.PeriodicSchedule)
class PeriodicScheduleAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "scope", "time", "stage", "formats", "is_active"]
    list_filter = ["operation", "scope", "is_active"]
    search_fields = ["code", "name"]
