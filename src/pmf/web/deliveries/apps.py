from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "pmf.web.deliveries"
    label = "deliveries"
    verbose_name = "Papers by email"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from pmf.web.cycles.models import Cycle
        from pmf.web.deliveries import signals

        # A cycle moving on queues the sends of the schedules waiting for its new stage, in
        # the transaction that moves it (the worker sends them).
        pre_save.connect(signals.note_cycle_state, sender=Cycle, dispatch_uid="deliveries-pre")
        post_save.connect(signals.queue_stage_sends, sender=Cycle, dispatch_uid="deliveries-post")
