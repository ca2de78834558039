from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("instruction", "0006_operation_status_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="operation", name="is_active"),
    ]
