from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0013_measure_period_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="member_from",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="unit",
            name="member_until",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
    ]
