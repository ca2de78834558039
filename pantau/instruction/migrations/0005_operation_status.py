from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("instruction", "0004_operation_routing"),
    ]

    operations = [
        migrations.AddField(
            model_name="operation",
            name="status",
            field=models.CharField(
                choices=[("draft", "draft"), ("active", "active"), ("closed", "closed")],
                db_index=True,
                default="active",
                max_length=8,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="operation",
            name="territory",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="codes of the kecamatan and villages the operation covers; empty: the whole region",
                verbose_name="territory",
            ),
        ),
    ]
