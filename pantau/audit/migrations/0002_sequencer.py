"""The audit queue and sequencer (issue 18): entries get their chain position (`seq`), previous
hash and hash from the sequencer, after the writing transaction, instead of each request locking
the chain head. Existing entries were chained in id order without gaps: their position is their
id. Their hashes do not change (seq is not hashed)."""

from django.db import migrations, models


def positions_from_ids(apps, schema_editor):
    entry = apps.get_model("audit", "AuditEntry")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table = qn(entry._meta.db_table)
    with connection.cursor() as cursor:
        # Plain SQL: the model's queryset refuses updates (append-only).
        cursor.execute(f"UPDATE {table} SET {qn('seq')} = {qn('id')}")
        if connection.vendor == "postgresql":
            # Ids were given explicitly until now: the column's sequence never moved.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{entry._meta.db_table}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(
                blank=True, null=True, unique=True, verbose_name="chain position"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="previous hash"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="hash"),
        ),
        migrations.RenameField(model_name="audithead", old_name="last_id", new_name="last_seq"),
        migrations.RunPython(positions_from_ids, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)),
                fields=["id"],
                name="audit_unchained_idx",
            ),
        ),
    ]
