from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pantau.audit.admin import AuditedModelAdmin
from pantau.instruction import models
from pantau.instruction.actions import do_set_operation_status
from pantau.lib.errors import PantauError


class ElectionInline(admin.TabularInline):
    model = models.Election
    extra = 0


class StageInline(admin.TabularInline):
    model = models.Stage
    extra = 0


@admin.register(models.Operation)
class OperationAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "region", "signed_on", "status", "loaded_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "source_file", "loaded_at"]  # status: by the actions, audited
    inlines = [ElectionInline, StageInline]
    actions = ["close_operations", "open_operations"]

    def _set_status(self, request, queryset, status):
        for operation in queryset:
            try:
                do_set_operation_status(operation, status, acting_user=request.user)
            except PantauError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                self.message_user(
                    request,
                    _("%(name)s: %(status)s.")
                    % {"name": operation.name, "status": models.Operation.Status(status).label},
                )

    @admin.action(description=gettext_lazy("Close (keep readable, refuse new writes)"))
    def close_operations(self, request, queryset):
        self._set_status(request, queryset, models.Operation.Status.CLOSED)

    @admin.action(description=gettext_lazy("Open (take reports and problems)"))
    def open_operations(self, request, queryset):
        self._set_status(request, queryset, models.Operation.Status.ACTIVE)


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
