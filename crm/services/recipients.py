"""Art. 19: tell each recipient of a contact's data about its rectification, erasure or restriction.

The recipients are read from the disclosure log (CON-06): every export, API
read by a key, push or sync recorded there. A task is opened per recipient
(CON-05, DSR-13) and closed by staff as sent, or as impossible or
disproportionate with a justification.

Exports kept inside the organisation ("internal: sales") stay in the disclosure
log but open no task: the controller's own staff act under its authority
(Art. 29) and are not recipients to notify.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import current_actor
from core.audit import audit_event_record

from ..models import (
    NEEDS_JUSTIFICATION,
    Contact,
    Disclosure,
    NotificationCause,
    NotificationStatus,
    RecipientNotification,
)
from ..selectors import contact_recipients, disclosed_field_key
from .webhooks import recipient_notices_queue


def recipient_notifications_open(
    *, contact: Contact, cause: str, fields: Iterable[str] = ()
) -> list[RecipientNotification]:
    """Open an Art. 19 task for each third-party recipient of the contact's data; returns the tasks opened or extended.

    For a rectification, only recipients that received one of the changed
    `fields` are concerned, and a task still open for the same recipient gains
    the new fields rather than a twin. An erasure or a restriction concerns every
    recipient. Each task opened writes an "art19.task_opened" audit event. Runs
    inside the caller's transaction.
    """
    changed = {disclosed_field_key(name) for name in fields}
    recipients = {
        key: received
        for key, received in contact_recipients(contact_id=contact.pk).items()
        if not Disclosure.is_internal(key[0])
    }
    if not recipients:
        return []
    open_tasks = {
        (task.recipient, task.country): task
        for task in RecipientNotification.objects.select_for_update().filter(
            contact=contact, cause=cause, status=NotificationStatus.OPEN
        )
    }
    tasks: list[RecipientNotification] = []
    opened: list[RecipientNotification] = []
    for (recipient, country), received in sorted(recipients.items()):
        concerned = sorted(changed if received is None else changed & received)
        if cause == NotificationCause.RECTIFICATION and not concerned:
            continue
        task = open_tasks.get((recipient, country))
        if task is not None:
            merged = sorted(set(task.fields) | set(concerned))
            if merged != task.fields:
                task.fields = merged
                task.save(update_fields=["fields"])
            tasks.append(task)
            continue
        task = RecipientNotification.objects.create(
            contact=contact, contact_ref=contact.pk, recipient=recipient, country=country, cause=cause, fields=concerned
        )
        audit_event_record(
            action="art19.task_opened",
            obj=task,
            subject_id=contact.pk,
            data={"recipient": recipient, "cause": cause, "fields": concerned},
        )
        tasks.append(task)
        opened.append(task)
    recipient_notices_queue(opened)
    return tasks


@transaction.atomic
def recipient_notification_close(
    *, notification: RecipientNotification, status: str, justification: str = ""
) -> RecipientNotification:
    """Close a task: the recipient was told (`sent`), or could not be (`impossible`, `disproportionate`).

    The last two need a justification. Closing a closed task is refused, so the
    first outcome stays the record. Writes an "art19.task_closed" audit event.
    """
    task = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    justification = justification.strip()
    errors: dict[str, list[str]] = {}
    if status not in NotificationStatus.values or status == NotificationStatus.OPEN:
        errors["status"] = [_("Choose sent, impossible or disproportionate effort.")]
    elif status in NEEDS_JUSTIFICATION and not justification:
        errors["justification"] = [_("Say why this recipient cannot be told (Art. 19).")]
    if not task.is_open:
        errors.setdefault("status", []).append(_("This task is already closed."))
    if errors:
        raise ValidationError(errors)
    task.status = status
    task.justification = justification
    task.resolved_at = timezone.now()
    task.resolved_by = current_actor().label[:150]
    task.save()
    audit_event_record(
        action="art19.task_closed",
        obj=task,
        subject_id=task.contact_ref,
        note=justification,
        data={"recipient": task.recipient, "cause": task.cause, "status": status},
    )
    return task
