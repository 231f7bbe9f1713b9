"""The check on free text (notes, interaction bodies) for sensitive or insulting terms (CON-04)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.audit import audit_event_record

from ..sensitive import sensitive_terms


def free_text_check(*, field: str, old: str, new: str, justification: str) -> list[str]:
    """The categories flagged in a changed text; without a justification, a field error instead.

    Unchanged text is not checked again, so an old note never blocks an unrelated edit.
    """
    if (new or "") == (old or ""):
        return []
    flags = sensitive_terms(new)
    if not flags:
        return []
    if not justification.strip():
        terms = ", ".join(f"“{flag.term}”" for flag in flags)
        raise ValidationError(
            {
                field: [
                    _(
                        "This text contains terms that reveal sensitive data or may offend (%(terms)s). "
                        "Keep notes objective and relevant: the person can read them. Rephrase, or give a "
                        "justification to save it anyway."
                    )
                    % {"terms": terms}
                ],
                "justification": [_("Required to save a text with sensitive terms.")],
            },
            code="sensitive",
        )
    return sorted({flag.category for flag in flags})


def free_text_justified(*, field: str, categories: list[str], justification: str, contact_id: int) -> None:
    """Record that a flagged text was saved, with the categories and the reason, never the text itself.

    The categories and the justification are about the person: they go to the
    event's detail, erased with the contact.
    """
    if categories:
        audit_event_record(
            action="free_text.sensitive_saved",
            subject_id=contact_id,
            note=justification,
            data={"field": field},
            details={"categories": categories},
        )
