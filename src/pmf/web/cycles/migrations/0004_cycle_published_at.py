from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0003_step_actor"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
