"""The audit log in the admin (read only), and audited admin edits for the other apps."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db import router, transaction

from pantau.accounts import access
from pantau.audit.log import HIDDEN, SECRET_FIELDS, record, snapshot
from pantau.audit.models import AuditEntry

PASSWORD_SET = "(set)"
PASSWORD_CHANGED = "(changed)"
PASSWORD_UNUSABLE = "(disabled)"


def _model_fields(model, names) -> list[str]:
    """The names among `names` that are fields of `model` (a form also has other fields)."""
    fields = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete or field.many_to_many:
            fields.append(name)
    return fields


def _all_fields(model) -> list[str]:
    opts = model._meta
    return [f.name for f in opts.concrete_fields if not f.primary_key] + [
        f.name for f in opts.many_to_many
    ]


def _is_m2m(model, name: str) -> bool:
    return model._meta.get_field(name).many_to_many


def _password_state(user, usable: str = PASSWORD_CHANGED) -> str:
    """What the log says about a new password instead of its hash: set, changed or disabled."""
    has_usable = getattr(user, "has_usable_password", None)
    return usable if has_usable is None or has_usable() else PASSWORD_UNUSABLE


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose creates, changes and deletes (inline rows too) go to the audit log.

    Each is written with `request.user` as the actor, in the transaction of the admin's write:
    "<model>.create" with the values after, "<model>.change" with the changed fields before and
    after, "<model>.delete" with the values before. A password hash never goes into the log:
    a changed password is written as "(hidden)" -> "(changed)".
    """

    def save_model(self, request, obj, form, change):
        model = type(obj)
        with transaction.atomic(using=router.db_for_write(model)):
            fields = _model_fields(model, form.changed_data) if change else _all_fields(model)
            if change:
                stored = model._default_manager.filter(pk=obj.pk).first()
                before = snapshot(stored, fields) if stored is not None else {}
            super().save_model(request, obj, form, change)
            if change and not fields:
                return
            after = snapshot(obj, [f for f in fields if not _is_m2m(model, f)])
            # Many-to-many values are saved later (save_related): take them from the form.
            for name in fields:
                if _is_m2m(model, name):
                    after[name] = sorted(o.pk for o in form.cleaned_data.get(name) or [])
            for name in SECRET_FIELDS.intersection(fields):
                after[name] = _password_state(obj, PASSWORD_CHANGED if change else PASSWORD_SET)
            action = f"{model._meta.model_name}.{'change' if change else 'create'}"
            record(
                actor=request.user,
                action=action,
                obj=obj,
                before=before if change else None,
                after=after,
            )

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(type(obj))):
            self._record_delete(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                self._record_delete(request, obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (the stages of an operation, ...): one entry per row created, changed or
        deleted."""
        model = formset.model
        name = model._meta.model_name
        with transaction.atomic(using=router.db_for_write(model)):
            # Values before, read from the database before the formset writes.
            deleted = set(formset.deleted_forms)
            touched = {
                f.instance.pk: _all_fields(model) if f in deleted else f.changed_data
                for f in formset.initial_forms
                if f.instance.pk is not None and (f in deleted or f.has_changed())
            }
            stored = model._default_manager.in_bulk(list(touched))
            before = {
                pk: snapshot(stored[pk], _model_fields(model, fields))
                for pk, fields in touched.items()
                if pk in stored
            }
            pk_of = {id(f.instance): f.instance.pk for f in formset.initial_forms}
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                record(
                    actor=request.user,
                    action=f"{name}.create",
                    obj=obj,
                    after=snapshot(obj, _all_fields(model)),
                )
            for obj, _changed in formset.changed_objects:
                if before.get(obj.pk):
                    record(
                        actor=request.user,
                        action=f"{name}.change",
                        obj=obj,
                        before=before[obj.pk],
                        after=snapshot(obj, list(before[obj.pk])),
                    )
            for obj in formset.deleted_objects:
                pk = pk_of.get(id(obj))
                # the deleted row has lost its primary key: name it explicitly
                record(
                    actor=request.user,
                    action=f"{name}.delete",
                    obj=obj,
                    object_id=str(pk),
                    before=before.get(pk),
                )

    def _record_delete(self, request, obj):
        model = type(obj)
        before = snapshot(obj, _all_fields(model))
        record(
            actor=request.user, action=f"{model._meta.model_name}.delete", obj=obj, before=before
        )


class AuditedUserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Django's UserAdmin, audited; its separate password form included."""

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic(using=router.db_for_write(self.model)):
            user = self.get_object(request, unquote(id))  # None for a missing or malformed id
            stored = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db(fields=["password"])
                if user.password != stored:
                    record(
                        actor=request.user,
                        action=f"{user._meta.model_name}.change",
                        obj=user,
                        before={"password": HIDDEN},
                        after={"password": _password_state(user)},
                    )
            return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: nobody adds, changes or deletes audit entries, not even a superuser."""

    list_display = [
        "id",
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "region_code",
    ]
    list_filter = ["object_type"]
    search_fields = ["=actor_username", "action", "=object_id", "region_code", "note"]
    date_hierarchy = "at"
    readonly_fields = [
        "id",
        "at",
        "actor",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "region_code",
        "before",
        "after",
        "note",
        "prev_hash",
        "hash",
    ]
    fields = readonly_fields

    def has_module_permission(self, request):
        return access.can_view_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_view_audit(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
