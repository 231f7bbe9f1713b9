"""The project's WSGI application (config.wsgi) as the HTTP bench serves it: bench settings, pauses measured."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application

from .views import record_gc_pauses

record_gc_pauses()

__all__ = ["application"]
