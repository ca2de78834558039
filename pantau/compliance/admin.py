from django.contrib import admin

from pantau.compliance.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminders sent (read only: the every-minute job writes them)."""

    list_display = ["due_at", "user", "region", "rule", "sent_at"]
    list_filter = ["rule"]
    search_fields = ["user__username", "region__name"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
