"""Art. 19 notices by webhook: registering a recipient's endpoint, signing and posting each notice.

A notice carries no personal data beyond what the recipient was sent: the task
id, the action (rectification, erasure, restriction), the contact's id in the
CRM (which every export and API read carries) and, when the endpoint names its
external-id system, the recipient's own reference while the contact exists.

Signature (README, "Art. 19 notices by webhook"): the header
`X-CRM-Signature: sha256=<hex>` is HMAC-SHA256, keyed with the endpoint's
secret, over `<X-CRM-Timestamp>.<raw body>`. A delivered notice (any 2xx)
closes the task as sent; other answers are retried by the task with
exponential backoff up to WEBHOOK_MAX_ATTEMPTS.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_event_record

from ..models import (
    DeliveryOutcome,
    ExternalId,
    NotificationStatus,
    RecipientEndpoint,
    RecipientNotification,
    WebhookDelivery,
)

SIGNATURE_HEADER = "X-CRM-Signature"
TIMESTAMP_HEADER = "X-CRM-Timestamp"
NOTICE_HEADER = "X-CRM-Notice"
NOTICE_NAMESPACE = uuid.UUID("5b0f7f0e-7a51-4c1e-9d1e-0a19a19a19a1")
MIN_SECRET_LENGTH = 16
MAX_URL_LENGTH = 2000
ENDPOINT_FIELDS = ("recipient", "url", "secret", "reference_system", "active")


# ------------------------------------------------------------------ outbound URL check (SSRF)


def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def webhook_url_errors(url: str) -> list[str]:
    """Why `url` may not receive notices: https only (http to WEBHOOK_HTTP_HOSTS), no credentials, and every
    address the host resolves to public unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES. Empty when it may."""
    if len(url) > MAX_URL_LENGTH:
        return [_("The address is longer than %(max)d characters.") % {"max": MAX_URL_LENGTH}]
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return [_("Enter a valid https:// address.")]
    if parts.scheme not in ("https", "http") or not host or any(c.isspace() for c in url):
        return [_("Enter a valid https:// address.")]
    if parts.scheme == "http" and host not in settings.WEBHOOK_HTTP_HOSTS:
        return [_("Use https: plain http is only allowed to the hosts the operator configured.")]
    if parts.username is not None or parts.password is not None:
        return [_("Put no user name or password in the address; the notices are signed instead.")]
    if port == 0:
        return [_("Enter a valid https:// address.")]
    addresses = _resolve(host)
    if not addresses:
        return [_("This host name cannot be resolved.")]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(address.is_global for address in addresses):
        return [_("This address is internal (loopback, private or reserved): notices only go to public addresses.")]
    return []


# ------------------------------------------------------------------ endpoints


def _checked(data: dict[str, Any], endpoint: RecipientEndpoint | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "url" in data and (problems := webhook_url_errors(str(data["url"]))):
        errors["url"] = problems
    if "secret" in data and len(str(data["secret"])) < MIN_SECRET_LENGTH:
        errors["secret"] = [_("The secret needs at least %(min)d characters.") % {"min": MIN_SECRET_LENGTH}]
    recipient = str(data.get("recipient", endpoint.recipient if endpoint else "")).strip()
    if not recipient:
        errors["recipient"] = [_("Name the recipient as in exports and Art. 19 tasks.")]
    elif RecipientEndpoint.objects.filter(recipient=recipient).exclude(pk=endpoint.pk if endpoint else None).exists():
        errors["recipient"] = [_("This recipient already has a webhook.")]
    return errors


@transaction.atomic
def recipient_endpoint_save(*, data: dict[str, Any], endpoint: RecipientEndpoint | None = None) -> RecipientEndpoint:
    """Register or change a recipient's webhook; an empty secret on a change keeps the current one."""
    data = {name: value for name, value in data.items() if name in ENDPOINT_FIELDS}
    if endpoint is not None and not data.get("secret"):
        data.pop("secret", None)
    if "recipient" in data:
        data["recipient"] = str(data["recipient"]).strip()
    errors = _checked(data, endpoint)
    if endpoint is None and "secret" not in data:
        errors.setdefault("secret", [_("Give the secret the notices are signed with.")])
    if errors:
        raise ValidationError(errors)
    created = endpoint is None
    endpoint = endpoint or RecipientEndpoint()
    for name, value in data.items():
        setattr(endpoint, name, value)
    endpoint.save()
    audit_event_record(
        action="art19.webhook_registered" if created else "art19.webhook_changed",
        obj=endpoint,
        data={"recipient": endpoint.recipient, "fields": sorted(data), "active": endpoint.active},
    )
    if endpoint.active:  # tasks opened before the webhook existed (or while it was off) are sent now
        recipient_notices_resend(recipient=endpoint.recipient)
    return endpoint


@transaction.atomic
def recipient_endpoint_delete(*, endpoint: RecipientEndpoint) -> None:
    audit_event_record(action="art19.webhook_removed", obj=endpoint, data={"recipient": endpoint.recipient})
    endpoint.delete()


# ------------------------------------------------------------------ notices


def notice_id(task: RecipientNotification) -> uuid.UUID:
    """The same id for every attempt at one task's notice, so that a receiver can ignore a repeat."""
    return uuid.uuid5(NOTICE_NAMESPACE, str(task.pk))


def notice_sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` keyed with `secret`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _reference(task: RecipientNotification, endpoint: RecipientEndpoint) -> str | None:
    if not endpoint.reference_system or task.contact_id is None:
        return None
    found = ExternalId.objects.filter(contact_id=task.contact_id, system=endpoint.reference_system)
    return found.values_list("value", flat=True).first()


def notice_body(task: RecipientNotification, endpoint: RecipientEndpoint) -> bytes:
    notice = {
        "notice": str(notice_id(task)),
        "type": f"art19.{task.cause}",
        "task": task.pk,
        "action": task.cause,
        "contact_id": task.contact_ref,
        "reference": _reference(task, endpoint),
        "fields": task.fields,
        "opened_at": task.created_at.isoformat(),
    }
    return json.dumps(notice, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it could reach an internal address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """(status code, error class) of one POST; the answer's body is never read into the log."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, ""
    except urllib.error.URLError as error:
        reason = error.reason
        return None, type(reason).__name__ if isinstance(reason, BaseException) else "URLError"
    except (OSError, ValueError, TimeoutError) as error:
        return None, type(error).__name__


def _deliverable(notification_id: int) -> tuple[RecipientNotification, RecipientEndpoint] | None:
    task = RecipientNotification.objects.filter(pk=notification_id, status=NotificationStatus.OPEN).first()
    if task is None:
        return None
    endpoint = RecipientEndpoint.objects.filter(recipient=task.recipient, active=True).first()
    return (task, endpoint) if endpoint is not None else None


def recipient_notice_deliver(*, notification_id: int, attempt: int = 1) -> str | None:
    """Post attempt `attempt` of a task's notice and log it; a 2xx closes the task as sent.

    Returns the outcome (`delivered`, `failed`: to retry, `gave_up`: the last attempt failed), or None when
    there is nothing to send (the task is closed or gone, or its recipient has no active webhook).
    """
    found = _deliverable(notification_id)
    if found is None:
        return None
    task, endpoint = found
    body = notice_body(task, endpoint)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GDPR-CRM-Art19/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: notice_sign(endpoint.secret, timestamp, body),
        NOTICE_HEADER: str(notice_id(task)),
    }
    started = time.monotonic()
    problems = webhook_url_errors(endpoint.url)  # again: what a host name resolves to may have changed
    status_code, error = (None, "RefusedAddress") if problems else _post(endpoint.url, body, headers)
    duration_ms = round((time.monotonic() - started) * 1000)
    return _delivery_record(task, endpoint, attempt, status_code, error, duration_ms)


def _delivery_record(
    task: RecipientNotification,
    endpoint: RecipientEndpoint,
    attempt: int,
    status_code: int | None,
    error: str,
    duration_ms: int,
) -> str:
    from .recipients import recipient_notification_close

    delivered = status_code is not None and 200 <= status_code < 300
    if delivered:
        outcome = DeliveryOutcome.DELIVERED
    elif attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
        outcome = DeliveryOutcome.GAVE_UP
    else:
        outcome = DeliveryOutcome.FAILED
    with transaction.atomic():
        WebhookDelivery.objects.create(
            notification=task,
            endpoint=endpoint,
            attempt=attempt,
            notice_id=notice_id(task),
            attempted_at=timezone.now(),
            status_code=status_code,
            duration_ms=duration_ms,
            outcome=outcome,
            error=(error or ("" if delivered else f"HTTP {status_code}"))[:200],
        )
        data = {"recipient": task.recipient, "attempt": attempt, "status_code": status_code, "outcome": outcome}
        audit_event_record(action=f"art19.notice_{outcome}", obj=task, subject_id=task.contact_ref, data=data)
        if delivered and RecipientNotification.objects.filter(pk=task.pk, status=NotificationStatus.OPEN).exists():
            recipient_notification_close(notification=task, status=NotificationStatus.SENT)
    return outcome


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: WEBHOOK_RETRY_BASE_SECONDS, then doubling."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)


def recipient_notices_resend(*, recipient: str | None = None) -> int:
    """Queue (after the commit) a fresh round of attempts for every open task whose recipient has an active
    webhook, or only `recipient`'s: after a webhook is registered, or once a receiver is back after the
    attempts ran out. Returns how many notices are queued."""
    tasks = RecipientNotification.objects.filter(status=NotificationStatus.OPEN)
    if recipient is not None:
        tasks = tasks.filter(recipient=recipient)
    return recipient_notices_queue(tasks.only("pk", "recipient", "status"))


def recipient_notices_queue(tasks: Iterable[RecipientNotification]) -> int:
    """After the caller's commit, queue a notice for each task whose recipient has an active webhook."""
    tasks = list(tasks)
    recipients = set(
        RecipientEndpoint.objects.filter(recipient__in={t.recipient for t in tasks}, active=True).values_list(
            "recipient", flat=True
        )
    )
    ids = [task.pk for task in tasks if task.recipient in recipients and task.status == NotificationStatus.OPEN]
    if ids:
        from ..tasks import deliver_recipient_notice  # tasks import the services

        for pk in ids:
            transaction.on_commit(lambda pk=pk: deliver_recipient_notice.apply_async((pk, 1), queue="default"))
    return len(ids)
