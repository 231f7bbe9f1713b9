"""The Celery app. Queues: default, purge, dedup, reports (DESIGN.md, Scaling out)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gdpr_crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "purge", "dedup", "reports")]
app.autodiscover_tasks()
