from django.apps import AppConfig


class ScoresConfig(AppConfig):
    name = "pmf.web.scores"
    label = "scores"
    verbose_name = "Scores and segments"
