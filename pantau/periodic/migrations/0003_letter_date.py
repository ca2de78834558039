from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("periodic", "0002_letter_number")]

    operations = [
        migrations.AddField(
            model_name="periodicreport",
            name="letter_date",
            field=models.DateField(blank=True, null=True, verbose_name="letter date"),
        ),
    ]
