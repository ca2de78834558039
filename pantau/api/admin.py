from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pantau.api.actions import do_revoke_token
from pantau.api.models import ApiToken
from pantau.audit.admin import AuditedModelAdmin


class TokenState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("valid", _("valid")), ("expired", _("expired")), ("revoked", _("revoked"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "valid":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are issued through the API (POST /api/v1/auth/token); here they are seen and
    revoked. The token itself is never stored, only its hash."""

    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [TokenState]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        revoked = sum(
            do_revoke_token(token, acting_user=request.user)
            for token in queryset.select_related("user")
        )
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
