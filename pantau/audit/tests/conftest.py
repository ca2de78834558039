import pytest
from django.db import connection, transaction
from django.forms import CheckboxInput, MultiWidget

from pantau.audit.log import record
from pantau.audit.models import AuditEntry, AuditHead
from pantau.audit.sequencer import chain_queued


def raw_sql(sql: str, params=()) -> None:
    """Run SQL on the audit tables directly, the way someone with database access would."""
    sql = sql.format(entry=AuditEntry._meta.db_table, head=AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def chained(entry: AuditEntry) -> AuditEntry:
    """The entry as the sequencer chained it. The tests' transaction never commits, so the
    on-commit wake never comes: this runs the sequencer as the wake would."""
    chain_queued()
    return AuditEntry.objects.get(pk=entry.pk)


@pytest.fixture
def chain(db) -> list[AuditEntry]:
    """Five new chained entries at the end of the log (the demo set-up may have written some
    before)."""
    entries = []
    for i in range(5):
        with transaction.atomic():
            entries.append(
                record(
                    actor=None,
                    action="test.step",
                    object_type="thing",
                    object_id=str(i),
                    before={"n": i - 1} if i else None,
                    after={"n": i, "label": f"langkah {i}"},
                    note=f"step {i}",
                )
            )
        entries[-1] = chained(entries[-1])
    return entries


def admin_form_data(response) -> dict:
    """The POST data of an admin add/change page as it is shown: the form and its inlines."""
    data: dict = {}

    def put(name, widget, value):
        if isinstance(widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{name}_{i}"] = sub.format_value(part) or ""
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = widget.format_value(value) or ""

    def add_form(form):
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()  # already prepared for the widget
            put(bound.html_name, bound.field.widget, value)
            if bound.field.show_hidden_initial:  # fields with a callable default
                put(bound.html_initial_name, bound.field.hidden_widget(), value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    data["_save"] = "Save"
    return data
