from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "pmf.web.papers"
    label = "papers"
    verbose_name = "Board papers"
