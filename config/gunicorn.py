"""Gunicorn settings for production (`gunicorn -c config/gunicorn.py config.wsgi`).

The web process is stateless: sessions live in the database and files in
MEDIA_ROOT, so several containers run behind a load balancer unchanged.
"""

import os

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
