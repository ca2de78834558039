from django.db import migrations

SQL = "ALTER TABLE rollups_tally SET (fillfactor = 80)"
REVERSE = "ALTER TABLE rollups_tally RESET (fillfactor)"


def forwards(apps, schema_editor):
    # Room in each page: the job adds to the same tallies every minute, and an update that
    # fits its page changes no index (a HOT update). PostgreSQL only.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("rollups", "0003_counted_reports")]

    operations = [migrations.RunPython(forwards, backwards)]
