"""Celery tasks of the dsar app; fulfilment's live in dsar.fulfilment.tasks, imported here for autodiscovery."""

from .fulfilment.tasks import erasure_run_execute, expire_response_files  # noqa: F401
