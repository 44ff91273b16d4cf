"""Background tasks of the entry app, run by ``pmf worker`` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    """Check and store the file of import job ``job_id``, all or nothing, with its progress."""
    from pmf.web.entry.services import run_import_job

    run_import_job(job_id)
