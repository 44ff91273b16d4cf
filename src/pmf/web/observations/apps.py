from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    name = "pmf.web.observations"
    label = "observations"
    verbose_name = "Observations"
