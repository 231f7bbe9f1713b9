"""Reads of the register: the organisation header, the entries in force, versions and their differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines

from .choices import (
    ActivityStatus,
    AuthorityDecision,
    DpiaCriterion,
    LegalBasis,
    SecurityMeasure,
    SensitiveData,
    SubjectCategory,
)
from .models import ActivityDataCategory, Breach, OrganisationProfile, ProcessingActivity


def organisation_profile() -> OrganisationProfile:
    """The header of the register; until the DPO fills it, the controller named in the settings (unsaved)."""
    profile = OrganisationProfile.objects.order_by("pk").first()
    if profile is not None:
        return profile
    return OrganisationProfile(controller_name=settings.CONTROLLER_NAME, controller_email=settings.CONTROLLER_CONTACT)


def activities_with_details(queryset: QuerySet[ProcessingActivity] | None = None) -> QuerySet[ProcessingActivity]:
    queryset = queryset if queryset is not None else ProcessingActivity.objects.all()
    return queryset.prefetch_related(
        "recipients", Prefetch("data_categories", queryset=ActivityDataCategory.objects.order_by("category"))
    ).select_related("approved_by")


def approved_activities() -> QuerySet[ProcessingActivity]:
    return activities_with_details(ProcessingActivity.objects.approved())


def choice_labels(values: list[str], choices: Any) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values]


# JSON list fields and the choices that name their values, for diffs and exports.
LIST_CHOICES = {
    "subject_categories": SubjectCategory.choices,
    "sensitive_data": SensitiveData.choices,
    "security_measures": SecurityMeasure.choices,
    "dpia_criteria": DpiaCriterion.choices,
}
# Bookkeeping that changes with every workflow step: not part of what a reader compares.
DIFF_IGNORED = {"updated_at", "created_at", "last_editor", "submitted_at"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Version:
    history_id: int
    number: int  # 1 for the entry as created, then one more per change
    date: datetime
    who: str
    reason: str
    status: str
    changes: list[FieldChange]


def _shown(field_name: str, value: Any, model: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field_name in LIST_CHOICES:
        return ", ".join(choice_labels(list(value), LIST_CHOICES[field_name]))
    if field_name == "category_summary":
        return "; ".join(value)
    if field_name == "recipients":
        from .models import Recipient

        ids = [item["recipient"] for item in value]
        return ", ".join(Recipient.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True)) or "—"
    field = model._meta.get_field(field_name)
    if field.is_relation and field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(getattr(related, "get_username", lambda: related)()) if related else "—"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


# The change reasons the services write (in English, in the history), as the versions page shows them.
CHANGE_REASONS = {
    "created": gettext_lazy("created"),
    "edited": gettext_lazy("edited"),
    "submitted for review": gettext_lazy("submitted for review"),
    "approved": gettext_lazy("approved"),
    "changes requested": gettext_lazy("changes requested"),
}


def activity_versions(activity: ProcessingActivity) -> list[Version]:
    """Every version of the entry, newest first, each with what changed since the one before."""
    records = list(activity.history.order_by("-history_date", "-history_id"))
    versions = []
    for position, (record, previous) in enumerate(zip(records, [*records[1:], None], strict=True)):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                if change.field in DIFF_IGNORED:
                    continue
                label = str(ProcessingActivity._meta.get_field(change.field).verbose_name)
                changes.append(
                    FieldChange(
                        label=label[:1].upper() + label[1:],
                        old=_shown(change.field, change.old, ProcessingActivity),
                        new=_shown(change.field, change.new, ProcessingActivity),
                    )
                )
        versions.append(
            Version(
                history_id=record.history_id,
                number=len(records) - position,
                date=record.history_date,
                who=record.history_actor_label or record.history_actor_kind,
                reason=str(CHANGE_REASONS.get(record.history_change_reason or "", record.history_change_reason or "")),
                status=str(dict(ActivityStatus.choices).get(record.status, record.status)),
                changes=changes,
            )
        )
    return versions


def version_numbers(activity: ProcessingActivity) -> dict[int, int]:
    """history_id -> the version's number for this entry (1 for the entry as created)."""
    ids = activity.history.order_by("history_date", "history_id").values_list("history_id", flat=True)
    return {history_id: number for number, history_id in enumerate(ids, start=1)}


def activities_due_for_review() -> QuerySet[ProcessingActivity]:
    return ProcessingActivity.objects.due_for_review(deadlines.local_today())


def breaches_awaiting_notification() -> QuerySet[Breach]:
    return Breach.objects.filter(
        notified_at__isnull=True,
        closed_at__isnull=True,
        authority_decision__in=[AuthorityDecision.PENDING, AuthorityDecision.NOTIFY],
    ).order_by("aware_at")


def legal_basis_label(value: str) -> str:
    return str(dict(LegalBasis.choices).get(value, value)) if value else ""


def time_left_text(breach: Breach, now: datetime | None = None) -> str:
    """ "Due in 2 h", "Late by 8 h", or the state when no notification is awaited."""
    now = now or timezone.now()
    if breach.notified_at is not None:
        return _("Notified")
    if not breach.awaits_notification():
        return _("Not notifiable")
    left = breach.time_left(now)
    hours = int(abs(left.total_seconds()) // 3600)
    minutes = int(abs(left.total_seconds()) % 3600 // 60)
    if left.total_seconds() >= 0:
        return _("Due in %(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("Late by %(h)d h %(m)02d min") % {"h": hours, "m": minutes}
