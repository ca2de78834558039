from django.db import migrations, models

from pantau.lib.migrations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # indexes of large tables are built CONCURRENTLY on PostgreSQL

    dependencies = [
        ("monitoring", "0003_report_observed_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="report",
            index=models.Index(fields=["author", "received_at"], name="report_author_received"),
        ),
    ]
