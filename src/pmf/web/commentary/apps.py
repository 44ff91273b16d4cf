from django.apps import AppConfig


class CommentaryConfig(AppConfig):
    name = "pmf.web.commentary"
    label = "commentary"
    verbose_name = "Owners' commentary on their figures"

    def ready(self) -> None:
        from pmf.web.commentary.reminders import commentary_reminders
        from pmf.web.interventions.reminders import register

        register("commentary", commentary_reminders)
