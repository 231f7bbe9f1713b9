"""Writes to the contact repository (services own transactions and evidence)."""

from .contacts import (
    CONTACT_FIELDS,
    contact_create,
    contact_delete,
    contact_restore,
    contact_update,
)
from .interactions import interaction_create, interaction_delete, interaction_update
from .logs import contact_access_record, disclosure_record
from .notices import art14_notice_send, art14_notices_send_pending
from .recipients import recipient_notification_close, recipient_notifications_open
from .restriction import contact_restriction_lift, contact_restriction_place, restriction_lift_notify

__all__ = [
    "CONTACT_FIELDS",
    "art14_notice_send",
    "art14_notices_send_pending",
    "contact_access_record",
    "contact_create",
    "contact_delete",
    "contact_restore",
    "contact_restriction_lift",
    "contact_restriction_place",
    "contact_update",
    "disclosure_record",
    "interaction_create",
    "interaction_delete",
    "interaction_update",
    "recipient_notification_close",
    "recipient_notifications_open",
    "restriction_lift_notify",
]
