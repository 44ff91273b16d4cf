from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "pmf.web.plans"
    label = "plans"
    verbose_name = "Improvement plans and self-assessments"
