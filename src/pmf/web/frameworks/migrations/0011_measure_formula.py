from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0010_measure_standardised"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="formula",
            field=models.CharField(blank=True, default="", max_length=2000),
        ),
    ]
