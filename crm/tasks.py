"""Celery tasks of the contact repository (thin: re-fetch, call one service)."""

from __future__ import annotations

from celery import shared_task

from core.actors import acting_as

from .imports.services import import_actor, import_job_dry_run, import_job_run
from .models import ImportJob, ImportStatus


@shared_task(queue="default", acks_late=True)
def import_run(job_id: int, dry_run: bool = False) -> None:
    """Dry-run or run an import job; delivered twice, the second call resumes or does nothing."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status == ImportStatus.DONE:
        return
    with acting_as(import_actor(job)):
        if dry_run:
            if job.status == ImportStatus.VALIDATING:
                import_job_dry_run(job=job)
        else:
            import_job_run(job=job)
