from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "pmf.web.dashboard"
    label = "dashboard"
    verbose_name = "Corporate dashboard"
