"""Take over the recommendation models from the risks app, tables and rows as they are.

Only Django's state changes: the tables keep their names (``risks_recommendation``,
``risks_recommendationevent``, set in the models' ``Meta.db_table``), so no row moves.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("frameworks", "0008_measure_valid"),
        ("risks", "0002_step_actor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Recommendation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        (
                            "body",
                            models.CharField(
                                choices=[
                                    ("hmicfrs", "HMICFRS"),
                                    ("ofsted", "Ofsted"),
                                    ("cqc", "CQC"),
                                    ("external_audit", "External audit"),
                                    ("internal_audit", "Internal audit"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("report_title", models.CharField(max_length=300)),
                        ("report_date", models.DateField()),
                        ("text", models.TextField()),
                        ("due_date", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("in_progress", "In progress"),
                                    ("evidence_submitted", "Evidence submitted"),
                                    ("closed", "Closed"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        ("evidence", models.TextField(blank=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField()),
                        (
                            "closure_approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recommendations",
                                to="frameworks.organisation",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="owned_recommendations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="recommendations",
                                to="frameworks.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "risks_recommendation",
                        "ordering": ["organisation", "due_date", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="RecommendationEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        (
                            "step",
                            models.CharField(
                                choices=[
                                    ("created", "Created"),
                                    ("changed", "Changed"),
                                    ("started", "Work started"),
                                    ("evidence", "Evidence submitted"),
                                    ("approved", "Closure approved"),
                                    ("returned", "Evidence returned"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("changes", models.JSONField(default=dict)),
                        ("status", models.CharField(max_length=20)),
                        ("note", models.TextField(blank=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recommendation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="recommendations.recommendation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "risks_recommendationevent",
                        "ordering": ["recommendation", "at", "pk"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="recommendation",
                    constraint=models.UniqueConstraint(
                        fields=("organisation", "number"), name="recommendation_number_unique"
                    ),
                ),
            ],
        ),
    ]
