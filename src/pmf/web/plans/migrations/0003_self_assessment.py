"""Call a unit's statement a self-assessment, as the glossary does: names only, rows kept.

The tables and the version's column keep their names (``plans_statement``,
``plans_statementversion``, ``statement_id``), so only Django's state changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0003_step_actor"),
        ("frameworks", "0008_measure_valid"),
        ("plans", "0002_step_actor"),
    ]

    operations = [
        migrations.AlterModelTable(name="statement", table="plans_statement"),
        migrations.AlterModelTable(name="statementversion", table="plans_statementversion"),
        migrations.RenameModel(old_name="Statement", new_name="SelfAssessment"),
        migrations.RenameModel(old_name="StatementVersion", new_name="SelfAssessmentVersion"),
        migrations.AlterField(
            model_name="selfassessmentversion",
            name="statement",
            field=models.ForeignKey(
                db_column="statement_id",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="versions",
                to="plans.selfassessment",
            ),
        ),
        migrations.RenameField(
            model_name="selfassessmentversion", old_name="statement", new_name="self_assessment"
        ),
        migrations.AlterField(
            model_name="selfassessment",
            name="cycle",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="self_assessments",
                to="cycles.cycle",
            ),
        ),
        migrations.AlterModelOptions(
            name="selfassessmentversion",
            options={"ordering": ["self_assessment", "at", "pk"]},
        ),
    ]
