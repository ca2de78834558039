from django.db import migrations


def forget_watermark(apps, schema_editor):
    """The tallies now count open problems without a day and add the nation's rows: the next
    run of the job rebuilds them all (meanwhile the dashboard counts from the base rows)."""
    apps.get_model("rollups", "Watermark").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rollups", "0005_open_without_day")]

    operations = [migrations.RunPython(forget_watermark, migrations.RunPython.noop)]
