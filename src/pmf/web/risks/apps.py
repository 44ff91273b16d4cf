from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "pmf.web.risks"
    label = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from pmf.web.interventions.reminders import register
        from pmf.web.risks.reminders import overdue_risk_reviews

        register("risk_review", overdue_risk_reviews)
