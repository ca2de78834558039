from django.contrib import admin

from pantau.channels.models import Inbound, Link, Outbound


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "address", "last_inbound_at", "created_at"]
    list_filter = ["channel"]
    search_fields = ["user__username", "address"]
    raw_id_fields = ["user"]


@admin.register(Inbound)
class InboundAdmin(admin.ModelAdmin):
    list_display = ["received_at", "channel", "address", "user", "text", "handled_at"]
    list_filter = ["channel"]
    search_fields = ["address", "text", "external_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Outbound)
class OutboundAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "address", "event", "status", "attempts"]
    list_filter = ["channel", "status", "event"]
    search_fields = ["address", "text"]

    def has_add_permission(self, request):
        return False
