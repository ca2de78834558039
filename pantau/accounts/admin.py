from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pantau.accounts.models import User
from pantau.audit.admin import AuditedUserAdmin


@admin.register(User)
class UserAdmin(AuditedUserAdmin):
    list_display = ["username", "full_name", "role", "position", "agency", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["regions", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "phone", "rank", "nip"]}),
        (_("Role and territory"), {"fields": ["role", "position", "agency", "regions"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "role", "password1", "password2"],
            },
        ),
    ]
