"""Gunicorn settings for production (`gunicorn -c config/gunicorn.py config.wsgi`).

The web process is stateless: sessions live in the database and files in
MEDIA_ROOT, so several containers run behind a load balancer unchanged.

Garbage collection: the master loads the app once (`preload_app`), builds what
the first requests would otherwise build in every worker (`warm_up`), then
freezes every object it holds (`gc.freeze()`) before forking. The collector
never scans those again, so a full collection in a worker walks only what the
worker allocated itself. Workers share the frozen pages with the master until
they write to them, and a worker restarted by `max_requests` starts warm. The
workers then collect after each response rather than inside a request
(`post_request`).
"""

from __future__ import annotations

import gc
import itertools
import os
from typing import Any

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Restart workers now and then so a slow leak never grows unbounded.
max_requests = 1000
max_requests_jitter = 100
# TLS ends at the load balancer; Django reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
# The proxy in front must overwrite that header, never pass a client's value through.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
# Query strings (a search by e-mail puts the address there) never reach the access log.
logger_class = "core.accesslog.QueryStringRedactingLogger"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Load Django in the master, so that workers fork with it loaded (and frozen, see when_ready).
# Code changes need a full restart (HUP only replaces the workers), as they get in a container anyway.
preload_app = True

# The collector works between requests (post_request), not during them. A list request allocates tens of
# thousands of container objects and leaves about a thousand behind in reference cycles (request, response,
# querysets, template contexts). With Python's thresholds (700, 10, 10) it collected two or three times per
# request (about 9 ms of each request on the loaded bench machine), with an occasional full collection of
# hundreds of milliseconds; with a plain high threshold it collected rarely but for as long as that, inside
# whichever request crossed it. Here the automatic threshold is only a backstop that no ordinary request
# reaches; after each response the worker collects the young generations once enough is pending, and
# everything every GC_FULL_EVERY requests, while no client waits on it.
GC_THRESHOLDS = (100_000, 50, 100)
GC_YOUNG_PENDING = 5_000
GC_FULL_EVERY = 250
_served = itertools.count(1)


def warm_up() -> None:
    """Build in the master what each worker's first requests would build: URL maps, templates, settings.

    Nothing here touches the database or the broker (a connection must never be shared by forked
    workers): URL resolvers (which import every view, serializer and filter), the reverse maps of
    each language, every project template compiled into the cached loader, and DRF's settings.
    """
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.template.backends.django import DjangoTemplates
    from django.urls import get_resolver
    from django.utils import translation
    from rest_framework.settings import api_settings

    resolver = get_resolver()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            resolver.reverse_dict  # noqa: B018 - builds and caches this language's reverse map
    for name in api_settings.defaults:
        getattr(api_settings, name)
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for directory in engine.template_dirs:
            for path in sorted(directory.rglob("*.html")) if directory.is_dir() else []:
                try:
                    engine.get_template(str(path.relative_to(directory)))
                except TemplateSyntaxError:
                    continue  # a template of an app the project does not use (its tags are not installed)


def freeze_for_fork() -> None:
    """Close any connection, collect once, then move every live object out of the collector's sight."""
    from django.db import connections

    connections.close_all()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.collect()
    gc.freeze()


def when_ready(server: Any) -> None:
    """Runs once in the master, after the app is loaded and before the first worker forks."""
    warm_up()
    freeze_for_fork()
    server.log.info("warmed up and froze %d objects before forking", gc.get_freeze_count())


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """After the response is sent: collect the young generations if enough is pending, everything now and then."""
    if next(_served) % GC_FULL_EVERY == 0:
        gc.collect()
    elif gc.get_count()[0] > GC_YOUNG_PENDING:
        gc.collect(1)
