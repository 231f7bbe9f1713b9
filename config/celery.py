"""The Celery app. Queues: default, purge, dedup, reports (DESIGN.md, Scaling out)."""

import contextlib
import os

from celery import Celery
from celery.signals import beat_init, before_task_publish
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gdpr_crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "purge", "dedup", "reports")]
app.autodiscover_tasks()


@beat_init.connect
def _record_beat_ticks(sender: object, **kwargs: object) -> None:
    """In the beat process only: each task the scheduler publishes records the beat's tick (/healthz "beat")."""
    before_task_publish.connect(_beat_ticked, weak=False, dispatch_uid="core.health.beat_tick")


def _beat_ticked(sender: object = None, **kwargs: object) -> None:
    from core.health import BEAT, heartbeat_record

    with contextlib.suppress(Exception):  # a health record must never stop the scheduler
        heartbeat_record(name=BEAT)
