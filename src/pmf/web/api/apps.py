from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pmf.web.api"
    label = "api"
    verbose_name = "JSON API"
