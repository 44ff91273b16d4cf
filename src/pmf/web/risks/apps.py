from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "pmf.web.risks"
    label = "risks"
    verbose_name = "Risk register and inspection recommendations"
