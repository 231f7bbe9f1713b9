"""Art. 18 restriction: placing it, telling the person before it is lifted, lifting it (CON-09, CON-10).

A restricted contact is only stored: read-only, out of lists, exports and
campaigns (`ContactQuerySet.restrict`). Placing a restriction opens an Art. 19
task per recipient of the data. Lifting it needs the person to have been told
first (Art. 18(3)): by email through the outbox, or by another channel that
staff record; the audit event of the lifting carries both times.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_event_record
from core.outbox import message_send

from ..models import Contact, NotificationCause
from .notices import notice_context
from .recipients import recipient_notifications_open

LIFT_NOTICE_TEMPLATE = "restriction_lift_notice"


class NoticeChannel(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email (sent now, through the outbox)")
    POST = "post", gettext_lazy("Letter (already sent)")
    PHONE = "phone", gettext_lazy("Telephone (already called)")
    IN_PERSON = "in_person", gettext_lazy("In person")


def _locked(contact: Contact) -> Contact:
    return Contact.objects.select_for_update().get(pk=contact.pk)


@transaction.atomic
def contact_restriction_place(*, contact: Contact, reason: str) -> Contact:
    """Restrict processing of a contact's data (Art. 18(1)) for a stated reason.

    Opens an Art. 19 task for every recipient of the data and writes a
    "restriction.placed" audit event. A contact already restricted keeps its
    first date; only the reason may change.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why processing is restricted (e.g. accuracy contested).")]})
    locked = _locked(contact)
    if locked.deleted_at is not None:
        raise ValidationError(_("This contact is deleted."))
    already = locked.restricted
    locked.restricted = True
    locked.restricted_at = locked.restricted_at if already else timezone.now()
    locked.restriction_reason = reason[:255]
    locked.restriction_lift_notified_at = None
    locked._change_reason = "restriction placed"
    locked.save()
    if not already:
        recipient_notifications_open(contact=locked, cause=NotificationCause.RESTRICTION)
    audit_event_record(
        action="restriction.placed", obj=locked, subject_id=locked.pk, note=reason, data={"renewed": already}
    )
    return locked


def restriction_lift_notice_context(*, contact: Contact) -> dict[str, Any]:
    return {**notice_context(contact=contact), "restricted_at": contact.restricted_at}


@transaction.atomic
def restriction_lift_notify(*, contact: Contact, channel: str, note: str = "") -> Contact:
    """Tell the person that the restriction will be lifted (Art. 18(3)), and record when.

    By email the notice goes through the outbox in the contact's language, to
    the primary address. A letter, a call or a meeting is recorded by staff,
    with a note saying what was said. Writes a "restriction.lift_notified"
    audit event.
    """
    locked = _locked(contact)
    errors: dict[str, list[str]] = {}
    if not locked.restricted:
        raise ValidationError(_("This contact is not restricted."))
    if channel not in NoticeChannel.values:
        errors["channel"] = [_("Choose how the person was told.")]
    elif channel == NoticeChannel.EMAIL and not locked.primary_email:
        errors["channel"] = [_("This contact has no email address: record a letter, a call or a meeting instead.")]
    elif channel != NoticeChannel.EMAIL and not note.strip():
        errors["note"] = [_("Say when and how the person was told.")]
    if errors:
        raise ValidationError(errors)
    message_id = None
    if channel == NoticeChannel.EMAIL:
        message = message_send(
            to=locked.primary_email,
            template=LIFT_NOTICE_TEMPLATE,
            context=restriction_lift_notice_context(contact=locked),
            contact=locked,
            language=locked.preferred_language,
        )
        message_id = message.pk
    locked.restriction_lift_notified_at = timezone.now()
    locked._change_reason = "person told the restriction will be lifted"
    locked.save()
    audit_event_record(
        action="restriction.lift_notified",
        obj=locked,
        subject_id=locked.pk,
        note=note.strip(),
        data={"channel": channel, "message_id": message_id},
    )
    return locked


@transaction.atomic
def contact_restriction_lift(*, contact: Contact, reason: str = "") -> Contact:
    """Lift a restriction, which is refused until the person has been told (CON-10).

    The "restriction.lifted" audit event records when the person was told and
    when the restriction was lifted, the first always before the second.
    """
    locked = _locked(contact)
    if not locked.restricted:
        raise ValidationError(_("This contact is not restricted."))
    notified_at = locked.restriction_lift_notified_at
    if notified_at is None or notified_at < locked.restricted_at:
        raise ValidationError(
            _("Tell the person first (Art. 18(3)): a restriction is lifted only after they have been informed.")
        )
    lifted_at = timezone.now()
    restricted_at = locked.restricted_at
    locked.restricted = False
    locked.restricted_at = None
    locked.restriction_reason = ""
    locked.restriction_lift_notified_at = None
    locked._change_reason = "restriction lifted"
    locked.save()
    audit_event_record(
        action="restriction.lifted",
        obj=locked,
        subject_id=locked.pk,
        note=reason.strip(),
        data={
            "restricted_at": restricted_at.isoformat(),
            "notification_sent_at": notified_at.isoformat(),
            "lifted_at": lifted_at.isoformat(),
        },
    )
    return locked
