from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "pmf.web.frameworks"
    label = "frameworks"
    verbose_name = "Frameworks"
