"""What the consent app plugs into the apps to its left (registered from ConsentConfig.ready())."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import OutboxMessage
from registry.coverage import Gap
from registry.models import ProcessingActivity

from . import tokens
from .models import Purpose, Suppression


def suppressed(kind: str, indexes: list[str]) -> set[str]:
    """crm's suppression check (CON-11): which of these blind indexes are on the list."""
    return set(Suppression.objects.filter(kind=kind, value_hash__in=indexes).values_list("value_hash", flat=True))


def unsubscribe_headers(message: OutboxMessage) -> dict[str, str]:
    """Every message to a known person carries a one-click unsubscribe (RFC 8058), CNS-04 and CNS-08."""
    if not message.contact_id:
        return {}
    url = f"{settings.SITE_URL}/privacy/unsubscribe/{tokens.unsubscribe_token(message.contact_id, None)}/"
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def purpose_gaps() -> list[Gap]:
    """The registry's coverage check, consent rules: each active purpose rests on an approved activity, has a
    wording in each language, and a consent-based purpose sits under an activity whose legal basis is consent."""
    gaps = []
    approved = set(ProcessingActivity.objects.approved().values_list("pk", flat=True))
    languages = [code for code, _name in settings.LANGUAGES]
    for purpose in Purpose.objects.filter(active=True).select_related("activity").prefetch_related("wordings"):
        link = reverse("consent:purpose_detail", args=[purpose.pk])
        if purpose.activity_id not in approved:
            gaps.append(
                Gap(
                    "consent_purpose_activity",
                    _("Purpose “%(p)s” rests on an activity that is not approved.") % {"p": purpose},
                    link,
                )
            )
        missing = sorted(set(languages) - {w.language for w in purpose.wordings.all()})
        if missing:
            gaps.append(
                Gap(
                    "consent_purpose_wording",
                    _("Purpose “%(p)s” has no wording in: %(languages)s.")
                    % {"p": purpose, "languages": ", ".join(missing)},
                    link,
                )
            )
        if purpose.lawful_basis == "consent" and purpose.activity.legal_basis not in ("consent", ""):
            gaps.append(
                Gap(
                    "consent_purpose_basis",
                    _("Purpose “%(p)s” asks for consent but its activity names another legal basis.") % {"p": purpose},
                    link,
                )
            )
    return gaps
