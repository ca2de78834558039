from django.contrib import admin
from django.db.models import URLField

from pantau.notify import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: looked at, never edited in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "user", "is_active", "events", "created_at"]
    list_filter = ["is_active", "agency"]
    list_select_related = ["agency", "user"]
    search_fields = ["url", "agency__name", "agency__code", "user__username"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user"]
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        fields = ["agency", "user", "url", "events", "is_active"]
        # The secret is generated on creation and shown (read-only) afterwards, for the
        # gateway's owner to copy.
        return fields + ["secret", "created_at"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        return ["secret", "created_at"] if obj else []


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "webhook", "event", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "event"]
    list_select_related = ["webhook__agency", "webhook__user"]
    readonly_fields = [
        "webhook",
        "event",
        "payload",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]


@admin.register(models.Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "event", "created_at", "read_at", "emailed_at"]
    list_filter = ["event"]
    list_select_related = ["user"]
    search_fields = ["title", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "event",
        "title",
        "body",
        "url",
        "object_type",
        "object_id",
        "created_at",
        "read_at",
        "emailed_at",
    ]
    fields = readonly_fields
    ordering = ["-created_at"]
