"""What the privacy notice says, read from the approved register: it cannot drift from it because it is it.

`notice_context()` feeds the public page; `art14_register_context()` is added to
the Art. 14 notice that crm sends to imported contacts (registered from
RegistryConfig.ready through `crm.services.notices.register_context`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from .choices import ActivityRole, TransferMechanism
from .models import ProcessingActivity, localized
from .selectors import approved_activities, legal_basis_label, organisation_profile


@dataclass(frozen=True)
class NoticeEntry:
    name: str
    purpose: str
    sub_purposes: list[str]
    legal_basis: str
    legal_basis_detail: str
    categories: list[tuple[str, str]]  # (category, retention)
    recipients: list[str]
    transfers: list[str]
    source: str


def _transfer_text(recipient: Any) -> str:
    mechanism = dict(TransferMechanism.choices).get(recipient.transfer_mechanism, "")
    label = mechanism if not isinstance(mechanism, Promise) else str(mechanism)
    return f"{localized(recipient, 'name')} ({recipient.country}): {label}"


def notice_entry(activity: ProcessingActivity) -> NoticeEntry:
    return NoticeEntry(
        name=activity.display_name,
        purpose=activity.display_purpose,
        sub_purposes=activity.sub_purpose_list(),
        legal_basis=legal_basis_label(activity.legal_basis),
        legal_basis_detail=localized(activity, "legal_basis_detail"),
        categories=[(str(row.get_category_display()), row.display_retention) for row in activity.data_categories.all()],
        recipients=[localized(r, "name") for r in activity.recipients.all()],
        transfers=[_transfer_text(r) for r in activity.third_country_recipients()],
        source=localized(activity, "data_source"),
    )


def notice_entries() -> list[NoticeEntry]:
    """One entry per approved activity the organisation runs as controller (processor work is not its to explain)."""
    activities = approved_activities().filter(role=ActivityRole.CONTROLLER).order_by("reference")
    return [notice_entry(activity) for activity in activities]


def notice_context() -> dict[str, Any]:
    profile = organisation_profile()
    return {
        "profile": profile,
        "entries": notice_entries(),
        "rights_contact": profile.rights_contact or profile.dpo_email or profile.controller_email,
    }


def art14_register_context(contact: Any) -> dict[str, Any]:
    """Purposes, legal bases, retention, recipients and the DPO's contact for the Art. 14 notice, in the contact's
    language (the texts are read now, before the message renders)."""
    profile = organisation_profile()
    with translation.override(getattr(contact, "preferred_language", None) or settings.LANGUAGE_CODE):
        return {"register_entries": notice_entries(), "dpo_contact": profile.dpo_contact}
