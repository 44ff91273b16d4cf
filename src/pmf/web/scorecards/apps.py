from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "pmf.web.scorecards"
    label = "scorecards"
    verbose_name = "Scorecards"
