from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "pmf.web.interventions"
    label = "interventions"
    verbose_name = "Interventions and reminders"

    def ready(self) -> None:
        # The built-in reminders (interventions, figures due) join the registry here; other
        # apps register theirs in their own ready().
        from pmf.web.interventions import reminders

        reminders.register_builtin()
