from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0004_cycle_published_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="areagrade",
            name="translations",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="gradeevent",
            name="translations",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
