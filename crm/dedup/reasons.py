"""The reviewer's words for the scorer's reason codes (crm.dedup.scoring)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REASON_LABELS = {
    "first_name_same": _("same first name"),
    "first_name_close": _("similar first name"),
    "first_name_initial": _("first name matches an initial"),
    "first_name_part": _("first name part of the other"),
    "first_name_different": _("different first name"),
    "last_name_same": _("same last name"),
    "last_name_close": _("similar last name"),
    "last_name_part": _("last name part of the other"),
    "last_name_different": _("different last name"),
    "names_swapped": _("first and last names swapped"),
    "birth_date_same": _("same birth date"),
    "birth_date_day_month_swapped": _("birth date with day and month swapped"),
    "birth_date_one_part_differs": _("birth date differs in one part"),
    "birth_date_different": _("different birth date"),
    "email_same": _("same e-mail address"),
    "email_close": _("e-mail address one typo away"),
    "email_different": _("different e-mail addresses"),
    "phone_same": _("same phone number"),
    "phone_different": _("different phone numbers"),
    "address_same": _("same address"),
    "postcode_same": _("same postal code"),
    "address_different": _("different address"),
    "organisation_same": _("same organisation"),
    "organisation_different": _("different organisation"),
    "household": _("looks like another member of the household"),
}


def reason_label(code: str, value: float) -> str:
    return f"{REASON_LABELS.get(code, code)} ({value:+g})"
