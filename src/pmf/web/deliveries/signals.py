"""A cycle moving on queues the sends of the schedules waiting for its new stage.

Connected to the cycle's pre_save and post_save in ``apps.py``: the dispatches are made in
the transaction that moves the cycle (all or nothing with it), and the worker sends them.
Imports only models, as the app's ``ready`` runs at every start (no Polars, see
tests/cli/test_startup.py).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pmf.web.cycles.models import Cycle
from pmf.web.deliveries.models import Dispatch, Schedule


def note_cycle_state(sender: Any, instance: Cycle, raw: bool = False, **kwargs: Any) -> None:
    """Before a cycle is saved, note the state it had (pre_save)."""
    if raw or instance.pk is None:
        instance._pmf_state_before = None  # type: ignore[attr-defined]
        return
    instance._pmf_state_before = (  # type: ignore[attr-defined]
        Cycle.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
    )


def queue_stage_sends(sender: Any, instance: Cycle, raw: bool = False, **kwargs: Any) -> None:
    """After a cycle is saved in a new state, queue each waiting schedule's send (post_save).

    One dispatch per schedule, cycle and stage: saving the cycle again queues nothing more.
    """
    if raw or getattr(instance, "_pmf_state_before", None) == instance.state:
        return
    now = timezone.now()
    for schedule in Schedule.objects.filter(
        organisation_id=instance.organisation_id, on_stage=instance.state, paused=False
    ):
        Dispatch.objects.get_or_create(
            schedule=schedule,
            occasion=f"stage:{instance.number}:{instance.state}",
            defaults={"cycle": instance, "due_at": now, "next_attempt_at": now},
        )
