from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "pmf.web.risks"
    label = "risks"
    verbose_name = "Risk register and inspection recommendations"

    def ready(self) -> None:
        from pmf.web.interventions.reminders import register
        from pmf.web.risks.reminders import overdue_recommendations, overdue_risk_reviews

        register("recommendation", overdue_recommendations)
        register("risk_review", overdue_risk_reviews)
