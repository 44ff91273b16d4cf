from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0003_grading_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="interventions",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
