from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('frameworks', '0010_measure_standardised'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='scoring',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
