from django.db import migrations


def forwards(apps, schema_editor):
    # an operation switched off before the lifecycle existed was one finished with: closed
    Operation = apps.get_model("instruction", "Operation")
    Operation.objects.filter(is_active=True).update(status="active")
    Operation.objects.filter(is_active=False).update(status="closed")


def backwards(apps, schema_editor):
    Operation = apps.get_model("instruction", "Operation")
    Operation.objects.update(is_active=False)
    Operation.objects.filter(status="active").update(is_active=True)


class Migration(migrations.Migration):
    # a migration of its own: PostgreSQL does not alter a table in the transaction that
    # updated its rows (0005 and 0007 alter it)
    dependencies = [
        ("instruction", "0005_operation_status"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
