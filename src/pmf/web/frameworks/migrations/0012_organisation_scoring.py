from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('frameworks', '0011_measure_formula'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='scoring',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
