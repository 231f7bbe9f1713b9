"""Logging filters for the console: an ordinary refusal is one line, not a traceback."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Drops the traceback Django attaches to a 4xx record ("Forbidden (Permission denied): /contacts/").

    A 403 or 404 is the application answering as designed; the message, path and
    status say all there is. Server errors (5xx) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
