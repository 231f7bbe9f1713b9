from .activities import (
    CategoryInput,
    activity_approve,
    activity_comment_add,
    activity_create,
    activity_request_changes,
    activity_submit,
    activity_update,
    submission_errors,
)
from .breaches import (
    breach_close,
    breach_contacts_inform,
    breach_contacts_link,
    breach_notification_record,
    breach_record,
    breach_update,
)
from .profile import organisation_profile_save, recipient_save

__all__ = [
    "CategoryInput",
    "activity_approve",
    "activity_comment_add",
    "activity_create",
    "activity_request_changes",
    "activity_submit",
    "activity_update",
    "breach_close",
    "breach_contacts_inform",
    "breach_contacts_link",
    "breach_notification_record",
    "breach_record",
    "breach_update",
    "organisation_profile_save",
    "recipient_save",
    "submission_errors",
]
