"""Writes to the record of processing activities: create, edit, submit, approve, request changes, comment.

Every write is one transaction with a history row (attributed to the current
actor) and a `registry.*` audit event. Editing an approved entry sends it back
to "due for review" (REG-06): the register in force is what the DPO approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import deadlines
from core.audit import audit_event_record
from core.subject_data import Category

from ..choices import ActivityRole, ActivityStatus, LegalBasis, ReviewItem
from ..models import ActivityApproval, ActivityComment, ActivityDataCategory, ProcessingActivity, Recipient
from ..selectors import organisation_profile

APPROVE_PERMISSION = "registry.approve_processingactivity"
# Purposes that are marketing in all but name: their legal basis is mandatory even without sensitive data (REG-03).
SUBMITTABLE = (ActivityStatus.DRAFT, ActivityStatus.CHANGES_REQUESTED, ActivityStatus.REVIEW_DUE)


@dataclass(frozen=True)
class CategoryInput:
    """One category of personal data for an activity, with its erasure limit."""

    category: str
    description: str = ""
    retention: str = ""
    retention_fr: str = ""


def _next_reference() -> str:
    numbers = [
        int(ref.split("-")[-1])
        for ref in ProcessingActivity.objects.filter(reference__startswith="ACT-").values_list("reference", flat=True)
        if ref.split("-")[-1].isdigit()
    ]
    return f"ACT-{max(numbers, default=0) + 1:03d}"


def _check_categories(categories: Sequence[CategoryInput]) -> None:
    known = set(Category.values)
    seen: set[str] = set()
    for row in categories:
        if row.category not in known:
            raise ValidationError({"data_categories": [_("Unknown data category: %(c)s.") % {"c": row.category}]})
        if row.category in seen:
            raise ValidationError({"data_categories": [_("Each category appears once per activity.")]})
        seen.add(row.category)


def _write_categories(activity: ProcessingActivity, categories: Sequence[CategoryInput]) -> bool:
    """Make the activity's categories exactly `categories` (one history row per change); True when any changed."""
    existing = {row.category: row for row in activity.data_categories.all()}
    changed = False
    for category in set(existing) - {row.category for row in categories}:
        existing[category].delete()
        changed = True
    for row in categories:
        values = {"description": row.description, "retention": row.retention, "retention_fr": row.retention_fr}
        current = existing.get(row.category)
        if current is None:
            ActivityDataCategory.objects.create(activity=activity, category=row.category, **values)
            changed = True
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
            changed = True
    return changed


def category_summary(activity: ProcessingActivity) -> list[str]:
    """The categories with their descriptions and retention periods, kept on the entry so that each version
    carries them and the diff between versions shows a changed retention period."""
    return [
        " — ".join(part for part in (str(row.get_category_display()), row.description, row.retention) if part)
        for row in activity.data_categories.order_by("category")
    ]


def _set_recipients(activity: ProcessingActivity, recipients: Sequence[Recipient]) -> None:
    """Change the recipients without a history row per change: the entry's next save records them."""
    if hasattr(activity, "skip_history_when_saving"):
        activity.recipients.set(recipients)
        return
    activity.skip_history_when_saving = True
    try:
        activity.recipients.set(recipients)
    finally:
        del activity.skip_history_when_saving


def _validate(activity: ProcessingActivity) -> None:
    activity.full_clean(exclude=["recipients", "approved_by", "last_editor"])


@transaction.atomic
def activity_create(
    *,
    data: dict[str, Any],
    categories: Sequence[CategoryInput] = (),
    recipients: Sequence[Recipient] = (),
    user: Any = None,
) -> ProcessingActivity:
    """A new draft entry; ValidationError keyed by field on bad input."""
    _check_categories(categories)
    activity = ProcessingActivity(**data)
    activity.reference = activity.reference or _next_reference()
    activity.status = ActivityStatus.DRAFT
    activity.last_editor = user if getattr(user, "pk", None) else None
    _validate(activity)
    # One version for the new entry, holding its recipients and categories: the first save writes no history.
    activity.skip_history_when_saving = True
    activity.save()
    _set_recipients(activity, recipients)
    _write_categories(activity, categories)
    del activity.skip_history_when_saving
    activity.category_summary = category_summary(activity)
    activity._change_reason = "created"
    activity.save()
    audit_event_record(action="registry.activity_created", obj=activity, data={"reference": activity.reference})
    return activity


def activity_update(
    *,
    activity: ProcessingActivity,
    data: dict[str, Any],
    categories: Sequence[CategoryInput] | None = None,
    recipients: Sequence[Recipient] | None = None,
    user: Any = None,
) -> ProcessingActivity:
    """Apply changes; an unchanged submission writes nothing. An approved entry that changes falls due for review."""
    if categories is not None:
        _check_categories(categories)
    with transaction.atomic():
        activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
        changed = [name for name, value in data.items() if getattr(activity, name) != value]
        for name in changed:
            setattr(activity, name, data[name])
        _validate(activity)
        if recipients is not None and set(activity.recipients.all()) != set(recipients):
            _set_recipients(activity, recipients)
            changed.append("recipients")
        if categories is not None and _write_categories(activity, categories):
            changed.append("data_categories")
            activity.category_summary = category_summary(activity)
        if not changed:
            return activity
        was_approved = activity.status == ActivityStatus.APPROVED
        if was_approved:
            activity.status = ActivityStatus.REVIEW_DUE
        activity.last_editor = user if getattr(user, "pk", None) else None
        activity._change_reason = "edited"  # the versions page shows which fields, with their values
        activity.save()
        audit_event_record(
            action="registry.activity_updated",
            obj=activity,
            data={"reference": activity.reference, "fields": changed, "back_to_review": was_approved},
        )
    return activity


def submission_errors(activity: ProcessingActivity) -> dict[str, list[str]]:
    """What an entry lacks before review (REG-02, REG-03, SEC-10), by field; empty when it may be submitted."""
    errors: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not activity.main_purpose.strip():
        need("main_purpose", _("State the main purpose."))
    if not activity.subject_categories and not activity.subject_categories_other.strip():
        need("subject_categories", _("Choose at least one category of data subjects."))
    categories = list(activity.data_categories.all())
    if not categories:
        need("data_categories", _("Add at least one category of personal data."))
    for row in categories:
        if not row.retention.strip():
            need(
                "data_categories",
                _("Give a retention period for “%(category)s”.") % {"category": row.get_category_display()},
            )
    if activity.role == ActivityRole.CONTROLLER and not activity.legal_basis:
        need("legal_basis", _("Choose the legal basis (Art. 6)."))
    if activity.legal_basis == LegalBasis.LEGITIMATE_INTERESTS and not activity.legal_basis_detail.strip():
        need("legal_basis_detail", _("Say which legitimate interest is pursued."))
    if activity.role == ActivityRole.PROCESSOR and not activity.processor_controllers.strip():
        need("processor_controllers", _("Name each controller on whose behalf the processing is carried out."))
    if activity.sensitive_data and not activity.art9_condition:
        need("art9_condition", _("Sensitive data need an Art. 9(2) condition."))
    for recipient in activity.recipients.all():
        if recipient.transfer_unsafeguarded:
            need(
                "recipients",
                _("%(name)s is outside the EEA (%(country)s): record its transfer safeguard first.")
                % {"name": recipient.name, "country": recipient.country},
            )
    if not activity.security_measures:
        need("security_measures", _("Tick the security measures in place."))
    return errors


@transaction.atomic
def activity_submit(*, activity: ProcessingActivity, user: Any = None) -> ProcessingActivity:
    """Send an entry to the DPO; ValidationError listing, by field, what it still lacks."""
    activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in SUBMITTABLE:
        raise ValidationError(
            _("This entry cannot be submitted while it is “%(s)s”.") % {"s": activity.get_status_display()}
        )
    errors = submission_errors(activity)
    if errors:
        raise ValidationError(errors)
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = timezone.now()
    activity._change_reason = "submitted for review"
    activity.save()
    audit_event_record(action="registry.activity_submitted", obj=activity, data={"reference": activity.reference})
    return activity


def reviewable(activity: ProcessingActivity, today: date) -> bool:
    """Submitted, or due for review (edited since its approval, or past its review date)."""
    return activity.status == ActivityStatus.SUBMITTED or activity.review_due_on(today)


def _approval_errors(activity: ProcessingActivity, user: Any, checklist: Sequence[str]) -> dict[str, list[str]]:
    errors = submission_errors(activity)
    missing = [str(item.label) for item in ReviewItem if item.value not in set(checklist)]
    if missing:
        errors.setdefault("checklist", []).append(
            _("Tick every item of the review: %(items)s.") % {"items": "; ".join(missing)}
        )
    if activity.dpia_required and not activity.dpia_attached:
        errors.setdefault("dpia_reference", []).append(
            _("This processing needs a DPIA: attach its document, date and the DPO's advice before approving.")
        )
    if activity.last_editor_id is not None and activity.last_editor_id == getattr(user, "pk", None):
        errors.setdefault("__all__", []).append(
            _("You made the last change to this entry: another DPO approves it (no one approves their own edits).")
        )
    return errors


@transaction.atomic
def activity_approve(
    *, activity: ProcessingActivity, user: Any, checklist: Sequence[str], comment: str = ""
) -> ActivityApproval:
    """The DPO approves the entry as it stands (REG-06, REG-07, SEC-10); the next review date is set."""
    if not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only the DPO approves processing activities."))
    activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
    if not reviewable(activity, deadlines.local_today()):
        raise ValidationError(_("Submit the entry for review before approving it."))
    errors = _approval_errors(activity, user, checklist)
    if errors:
        raise ValidationError(errors)
    today = deadlines.local_today()
    activity.status = ActivityStatus.APPROVED
    activity.approved_at = timezone.now()
    activity.approved_by = user
    activity.next_review_at = deadlines.add_months(today, organisation_profile().review_period_months)
    activity._change_reason = "approved"
    activity.save()
    approval = ActivityApproval.objects.create(
        activity=activity,
        history_id=activity.history.latest().history_id,
        approved_by=user,
        approved_by_label=user.get_username(),
        checklist=sorted(set(checklist)),
        comment=comment.strip(),
        next_review_at=activity.next_review_at,
    )
    audit_event_record(
        action="registry.activity_approved",
        obj=activity,
        reason=comment.strip(),
        data={
            "reference": activity.reference,
            "version": approval.history_id,
            "next_review": str(activity.next_review_at),
        },
    )
    return approval


@transaction.atomic
def activity_request_changes(*, activity: ProcessingActivity, user: Any, comment: str) -> ProcessingActivity:
    """The DPO sends a submitted entry back with a comment saying what to change."""
    if not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only the DPO reviews processing activities."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what should change.")]})
    activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in (ActivityStatus.SUBMITTED, ActivityStatus.REVIEW_DUE):
        raise ValidationError(_("Only an entry under review can be sent back."))
    activity.status = ActivityStatus.CHANGES_REQUESTED
    activity._change_reason = "changes requested"
    activity.save()
    _comment(activity, user, comment)
    audit_event_record(action="registry.activity_changes_requested", obj=activity, reason=comment.strip()[:255])
    return activity


def _comment(activity: ProcessingActivity, user: Any, body: str) -> ActivityComment:
    return ActivityComment.objects.create(
        activity=activity, author=user, author_label=user.get_username(), body=body.strip()
    )


@transaction.atomic
def activity_comment_add(*, activity: ProcessingActivity, user: Any, body: str) -> ActivityComment:
    if not body.strip():
        raise ValidationError({"body": [_("Write the comment.")]})
    comment = _comment(activity, user, body)
    audit_event_record(action="registry.activity_commented", obj=activity, data={"comment_id": comment.pk})
    return comment
