from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "pmf.web.cycles"
    label = "cycles"
    verbose_name = "Quarterly cycles and grades"
