"""Alerts: what needs the DPO's attention now, shown on the dashboard and sent in the daily digest.

Apps add what they know from their AppConfig.ready() with `register(provider)`,
where `provider()` returns a list of `Alert`. core imports none of them: the
requests app feeds overdue and at-risk requests, the registry its breaches and
reviews, retention its purges awaiting approval, crm its large exports and
unusual reading, access its repeated failed logins, all through this
one hook. The dashboard's list and the digest e-mail both call `alerts_current()`,
so the digest lists exactly what the dashboard flags.

An alert says nothing about a person: ids, counts, references, staff user names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

RED, AMBER = "red", "amber"


@dataclass(frozen=True)
class Alert:
    kind: str  # "breach", "request", "review", "purge", "export", "reading", "login" ...
    severity: str  # RED (act now) or AMBER (soon)
    title: str
    detail: str = ""
    url: str = ""  # the page behind the alert, relative to the site

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


AlertProvider = Callable[[], list[Alert]]
_providers: list[AlertProvider] = []


def register(provider: AlertProvider) -> AlertProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def alerts_current() -> list[Alert]:
    """Every provider's alerts, red first; a provider that fails is logged and skipped (the others still show)."""
    found: list[Alert] = []
    for provider in _providers:
        try:
            found.extend(provider())
        except Exception:  # an alert source that breaks must not hide the others
            logger.exception("alert provider %s failed", getattr(provider, "__name__", provider))
    return sorted(found, key=lambda alert: (alert.severity != RED, alert.kind, alert.title))


RecipientFinder = Callable[[], list[str]]
_recipient_finders: list[RecipientFinder] = []


def register_recipients(finder: RecipientFinder) -> RecipientFinder:
    """Who gets the digest when ALERT_DIGEST_TO is unset: access registers the active DPO users' addresses."""
    if finder not in _recipient_finders:
        _recipient_finders.append(finder)
    return finder


def digest_recipients() -> list[str]:
    """The DPO's address (ALERT_DIGEST_TO) or, when unset, the addresses the registered finders return."""
    configured = list(getattr(settings, "ALERT_DIGEST_TO", []) or [])
    if configured:
        return configured
    return sorted({address for finder in _recipient_finders for address in finder()})


def alert_digest_send(*, now: Any = None) -> int:
    """Send the daily digest of `alerts_current()` to each DPO through the outbox; returns messages queued.

    Nothing is sent on a day without alerts. Each message is an outbox row (the proof of what the DPO was told).
    """
    alerts = alerts_current()
    if not alerts:
        return 0
    now = now or timezone.now()
    recipients = digest_recipients()
    with transaction.atomic():
        _digest_queue(alerts, recipients, now)
    return len(recipients)


def _digest_queue(alerts: list[Alert], recipients: list[str], now: Any) -> None:
    from .audit import audit_event_record
    from .outbox import message_send

    for address in recipients:
        message_send(
            to=address,
            template="alert_digest",
            context={"alerts": alerts, "date": timezone.localdate(now)},
            language=settings.LANGUAGE_CODE[:2],
        )
    audit_event_record(
        action="alerts.digest_sent",
        data={"alerts": len(alerts), "recipients": len(recipients), "kinds": sorted({a.kind for a in alerts})},
    )
