"""Access logs without query strings (DESIGN.md invariant 8: logs never carry personal data).

A search by e-mail puts the address in the URL (`/contacts/?q=…`, `?email=…`),
and the address would land in every web server's access log. Both servers
this project runs log through here:

- Django's development server (`make run`) logs each request on the
  `django.server` logger: `QueryStringFilter` rewrites the record
  (configured in `config/settings.py`, LOGGING);
- gunicorn (production, the Dockerfile) uses `QueryStringRedactingLogger`
  (`logger_class` in `config/gunicorn.py`), whatever `access_log_format` says,
  for its error log too.

Every query string goes, on every page, with the Referer's, which repeats the
URL of the page a link was followed from: the path stays, so a log still says
which page answered and how.

This module is loaded by gunicorn's master before Django: it imports nothing
from Django.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "?[redacted]"
_QUERY = re.compile(r"\?[^\s\"']*")

# gunicorn atoms that hold a URL (its query string included) or the query string itself.
_URL_ATOMS = ("r", "f", "{referer}i", "{http_referer}e", "{raw_uri}e", "{request_uri}e")
_QUERY_ATOMS = ("q", "{query_string}e")


def query_strings_redacted(text: str) -> str:
    """`text` with every query string (from `?` to the next space or quote) replaced by a marker."""
    return _QUERY.sub(REDACTED, text)


class QueryStringFilter(logging.Filter):
    """Rewrites a log record's message without query strings (the development server's request lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = query_strings_redacted(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class QueryStringRedactingLogger(GunicornLogger):
    """gunicorn's logger, with the query string taken out of the request line, the URL and the Referer.

    Its error log gets the same filter: a malformed request is logged with its request line.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, QueryStringFilter) for f in self.error_log.filters):
            self.error_log.addFilter(QueryStringFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in _URL_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = query_strings_redacted(atoms[key])
        for key in _QUERY_ATOMS:
            if atoms.get(key):
                atoms[key] = REDACTED
        return atoms
