from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_phone_unique")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="rank",
            field=models.CharField(
                blank=True,
                help_text="e.g. Pembina (IV/a)",
                max_length=100,
                verbose_name="rank (pangkat, golongan)",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="nip",
            field=models.CharField(
                blank=True,
                help_text="civil servant number, 18 digits, e.g. 19750312 200003 1 004",
                max_length=21,
                verbose_name="NIP",
            ),
        ),
    ]
