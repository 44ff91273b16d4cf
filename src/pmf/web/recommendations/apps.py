from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "pmf.web.recommendations"
    label = "recommendations"
    verbose_name = "Inspection and audit recommendations"

    def ready(self) -> None:
        from pmf.web.interventions.reminders import register
        from pmf.web.recommendations.reminders import overdue_recommendations

        register("recommendation", overdue_recommendations)
