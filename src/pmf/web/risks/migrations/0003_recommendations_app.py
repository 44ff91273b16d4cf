"""Hand the recommendation models to the recommendations app: state only, tables kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0002_step_actor"),
        ("recommendations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="recommendationevent",
                    name="recommendation",
                ),
                migrations.RemoveField(
                    model_name="recommendationevent",
                    name="actor",
                ),
                migrations.DeleteModel(
                    name="Recommendation",
                ),
                migrations.DeleteModel(
                    name="RecommendationEvent",
                ),
            ],
        ),
    ]
