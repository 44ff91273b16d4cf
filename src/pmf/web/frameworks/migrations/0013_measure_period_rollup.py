"""Keep how a weekly or daily measure's figures make a month's (the framework's period_rollup)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0012_organisation_scoring"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="period_rollup",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
    ]
