"""Writes of the retention app. Each is one transaction and writes its audit event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_event_record
from core.deadlines import add_months, local_today
from crm.models import Contact, Organisation

from .engine import jit_off, merge_counts, purge_contacts, rows_per_table
from .models import (
    ActivityKind,
    ArchiveAccess,
    ArchivedContact,
    ContactActivity,
    EndAction,
    LedgerAction,
    LegalHold,
    PurgeRun,
    RetentionPolicy,
    RunStatus,
    Target,
)
from .selectors import archivable_contacts, policy_cutoff, purgeable_contacts, skipped_for_hold

POLICY_RULE_FIELDS = (
    "activity",
    "category",
    "target",
    "period_months",
    "period_days",
    "start_event",
    "archive_months",
    "end_action",
    "repermission_days",
    "enabled",
)
POLICY_FIELDS = (*POLICY_RULE_FIELDS, "name", "legal_reference")
SAMPLE_SIZE = 10
DEFAULT_BATCH_SIZE = 2000


def contact_activity_record(*, contact: Contact, kind: str, occurred_at: datetime | None = None) -> ContactActivity:
    """Record what a contact did (or what was done towards them); only inbound kinds restart the clock (RET-03)."""
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown activity.")})
    activity = ContactActivity(contact=contact, kind=kind, occurred_at=occurred_at or timezone.now())
    activity.save()
    return activity


@transaction.atomic
def policy_update(*, policy: RetentionPolicy, reason: str = "", **data: Any) -> RetentionPolicy:
    """Change a policy; a change to its rules raises its version, so its next run waits for the DPO again."""
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    policy = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    changed = [name for name, value in data.items() if getattr(policy, name) != value]
    if not changed:
        return policy
    for name in changed:
        setattr(policy, name, data[name])
    policy.full_clean()
    if set(changed) & set(POLICY_RULE_FIELDS):
        policy.version += 1
    policy._change_reason = reason or f"changed {', '.join(changed)}"
    policy.save()
    audit_event_record(
        action="retention.policy_changed", obj=policy, data={"fields": changed, "version": policy.version}
    )
    return policy


def _approval_required(policy: RetentionPolicy) -> bool:
    return settings.RETENTION_APPROVAL_REQUIRED and policy.needs_approval


@transaction.atomic
def purge_run_preview(*, policy: RetentionPolicy, operator: Any = None, today: date | None = None) -> PurgeRun:
    """Count what a purge of `policy` would remove today, per table, with a sample of contact ids.

    The run waits for the DPO when the policy was never approved at this version
    (RET-06); otherwise it is ready to run.
    """
    jit_off()
    cutoff = policy_cutoff(policy, today)
    if policy.target == Target.CONSENT_PROOF:
        return _proof_preview(policy, cutoff, operator, today)
    contacts = purgeable_contacts(policy, cutoff, today)
    to_archive = archivable_contacts(policy, cutoff, today).count()
    preview = rows_per_table(contacts)
    if to_archive:
        preview[ArchivedContact._meta.label] = {"to_archive": to_archive}
    run = PurgeRun.objects.create(
        policy=policy,
        policy_version=policy.version,
        cutoff=cutoff,
        preview=preview,
        sample_ids=list(contacts.order_by("pk").values_list("pk", flat=True)[:SAMPLE_SIZE]),
        expected=contacts.count() + to_archive,
        held=skipped_for_hold(policy, cutoff, today),
        operator=operator,
        status=RunStatus.AWAITING_APPROVAL if _approval_required(policy) else RunStatus.PREVIEW,
    )
    audit_event_record(action="retention.purge_previewed", obj=run, data={"expected": run.expected})
    return run


def _proof_preview(policy: RetentionPolicy, cutoff: Any, operator: Any, today: date | None) -> PurgeRun:
    from .proof import STATES, proof_held, proof_preview

    preview = proof_preview(cutoff, today)
    run = PurgeRun.objects.create(
        policy=policy,
        policy_version=policy.version,
        cutoff=cutoff,
        preview=preview,
        expected=preview[STATES]["rows"],
        held=proof_held(cutoff, today),
        operator=operator,
        status=RunStatus.AWAITING_APPROVAL if _approval_required(policy) else RunStatus.PREVIEW,
    )
    audit_event_record(action="retention.purge_previewed", obj=run, data={"expected": run.expected})
    return run


@transaction.atomic
def purge_run_approve(*, run: PurgeRun, user: Any) -> PurgeRun:
    """The DPO approves a previewed run: the policy's current version counts as approved and the run is queued."""
    run = PurgeRun.objects.select_for_update().select_related("policy").get(pk=run.pk)
    if run.status not in (RunStatus.AWAITING_APPROVAL, RunStatus.PREVIEW):
        raise ValidationError(_("Only a previewed run can be approved."))
    if run.policy_version != run.policy.version:
        raise ValidationError(_("The policy changed after this preview: preview it again."))
    RetentionPolicy.objects.filter(pk=run.policy_id).update(approved_version=run.policy_version)
    run.approved_by = user
    return _queue(run, action="retention.purge_approved")


@transaction.atomic
def purge_run_start(*, run: PurgeRun) -> PurgeRun:
    """Queue a previewed run whose policy needs no approval (already approved at this version, or the setting)."""
    run = PurgeRun.objects.select_for_update().select_related("policy").get(pk=run.pk)
    if run.status != RunStatus.PREVIEW:
        raise ValidationError(_("This run waits for the DPO's approval."))
    return _queue(run, action="retention.purge_queued")


def _queue(run: PurgeRun, *, action: str) -> PurgeRun:
    from .tasks import purge_run_execute

    run.status = RunStatus.QUEUED
    run._change_reason = action
    run.save()
    audit_event_record(action=action, obj=run, data={"policy": run.policy.key, "version": run.policy_version})
    transaction.on_commit(lambda: purge_run_execute.delay(run.pk))
    return run


def purge_run_batch(*, run_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> bool:
    """Purge the next batch of a queued or running run in one transaction; True while more remain.

    Idempotent: the batch is chosen among contacts still expired and unheld, so a
    batch repeated after a crash finds what is left, and a finished run does nothing.
    """
    with transaction.atomic():
        jit_off()
        run = PurgeRun.objects.select_for_update().select_related("policy").filter(pk=run_id).first()
        if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return False
        if run.status == RunStatus.QUEUED:
            run.status, run.started_at = RunStatus.RUNNING, timezone.now()
        if run.policy.target == Target.CONSENT_PROOF:
            return _proof_batch(run, batch_size)
        contacts = purgeable_contacts(run.policy, run.cutoff)
        if not run.policy.archive_months:  # purged contacts leave the selection anyway; this only skips the scan
            contacts = contacts.filter(pk__gt=run.last_contact_id)
        pks = list(contacts.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if pks:
            _purge_batch(run, pks)
            return True
        to_archive = archivable_contacts(run.policy, run.cutoff).order_by("pk").values_list("pk", flat=True)
        pks = list(to_archive[:batch_size])
        if pks:
            _archive_batch(run, pks)
            return True
        _finish(run)
        return False


def _proof_batch(run: PurgeRun, batch_size: int) -> bool:
    """CNS-05: the next batch of ended consents past the period; their events, states and history go."""
    from .proof import proof_expired, proof_purge

    ids = list(
        proof_expired(run.cutoff)
        .filter(pk__gt=run.last_contact_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        _finish(run)
        return False
    run.counts = merge_counts(run.counts, proof_purge(ids))
    run.processed += len(ids)
    run.last_contact_id = ids[-1]  # here the last state id: a rerun resumes after it
    run.save(update_fields=["status", "started_at", "counts", "processed", "last_contact_id"])
    return True


def _archive_batch(run: PurgeRun, pks: list[int]) -> None:
    """RET-05: past the active period, into intermediate archive until the end of the archive period."""
    now = timezone.now()
    purge_on = add_months(local_today(), run.policy.archive_months)
    ArchivedContact.objects.bulk_create(
        ArchivedContact(contact_id=pk, policy=run.policy, archived_at=now, purge_on=purge_on) for pk in pks
    )
    run.counts = merge_counts(run.counts, {ArchivedContact._meta.label: {"archived": len(pks)}})
    run.processed += len(pks)
    run.save(update_fields=["status", "started_at", "counts", "processed"])


def _purge_batch(run: PurgeRun, pks: list[int]) -> None:
    from .ledger import ledger_append

    list(Contact.objects.filter(id__any_of=pks).order_by().select_for_update().values_list("pk", flat=True))
    counts = purge_contacts(pks, end_action=run.policy.end_action)
    action = LedgerAction.DELETED if run.policy.end_action == EndAction.DELETE else LedgerAction.ANONYMISED
    ledger_append(pks, action=action, run_id=run.pk, recorded_at=timezone.now())
    run.counts = merge_counts(run.counts, counts)
    run.processed += len(pks)
    run.last_contact_id = pks[-1]
    run.save(update_fields=["status", "started_at", "counts", "processed", "last_contact_id"])


def _finish(run: PurgeRun) -> None:
    if run.policy.target == Target.CONSENT_PROOF:
        from .proof import proof_held

        run.held = proof_held(run.cutoff)
        outcome = _("%(processed)d ended consents' proof purged, %(held)d skipped under a legal hold.")
    else:
        run.held = skipped_for_hold(run.policy, run.cutoff)
        outcome = _("%(processed)d contacts purged, %(held)d skipped under a legal hold.")
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.outcome = outcome % {"processed": run.processed, "held": run.held}
    run._change_reason = "finished"
    run.save()
    audit_event_record(
        action="retention.purge_finished",
        obj=run,
        data={"processed": run.processed, "held": run.held, "counts": run.counts, "version": run.policy_version},
    )


def purge_run_fail(*, run_id: int, error: str) -> None:
    with transaction.atomic():
        run = PurgeRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.finished:
            return
        run.status, run.finished_at, run.outcome = RunStatus.FAILED, timezone.now(), error[:255]
        run.save()
        audit_event_record(action="retention.purge_failed", obj=run, data={"processed": run.processed})


def purge_policy_now(*, policy: RetentionPolicy, batch_size: int = DEFAULT_BATCH_SIZE) -> PurgeRun:
    """Preview and run a policy in this process (the command line and the engine's own tests)."""
    run = purge_run_preview(policy=policy)
    if run.status == RunStatus.AWAITING_APPROVAL:
        return run
    with transaction.atomic():
        PurgeRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    while purge_run_batch(run_id=run.pk, batch_size=batch_size):
        pass
    run.refresh_from_db()
    return run


def policies_evaluate(*, today: date | None = None) -> list[PurgeRun]:
    """The daily job: preview every enforced policy; queue those that need no approval; resume stalled runs."""
    from .tasks import purge_run_execute

    active = [RunStatus.QUEUED, RunStatus.RUNNING]
    stalled = list(PurgeRun.objects.filter(status__in=active).values_list("pk", flat=True))
    runs = []
    for policy in RetentionPolicy.objects.filter(enabled=True).exclude(target="none"):
        if policy.runs.filter(status__in=active).exists():
            continue
        PurgeRun.objects.filter(policy=policy, status=RunStatus.AWAITING_APPROVAL).update(status=RunStatus.CANCELLED)
        run = purge_run_preview(policy=policy, today=today)
        if run.status == RunStatus.PREVIEW:
            run = purge_run_start(run=run)
        runs.append(run)
    for run_id in stalled:
        purge_run_execute.delay(run_id)
    return runs


@transaction.atomic
def legal_hold_place(
    *,
    owner: Any,
    reason: str,
    ends_on: date,
    contact: Contact | None = None,
    organisation: Organisation | None = None,
) -> LegalHold:
    hold = LegalHold(contact=contact, organisation=organisation, reason=reason, ends_on=ends_on, owner=owner)
    hold.full_clean()
    if ends_on < local_today():
        raise ValidationError({"ends_on": _("The end date is in the past.")})
    hold.save()
    audit_event_record(
        action="retention.hold_placed",
        obj=hold,
        subject_id=contact.pk if contact else None,
        data={"organisation": organisation.pk if organisation else None, "ends_on": ends_on.isoformat()},
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is None:
        hold.lifted_at = timezone.now()
        hold._change_reason = "lifted"
        hold.save()
        audit_event_record(action="retention.hold_lifted", obj=hold, subject_id=hold.contact_id)
    return hold


@transaction.atomic
def archive_open(*, contact_id: int, user: Any, reason: str) -> ArchivedContact:
    """RET-05: an archived record is read only with a reason, and each reading is logged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you open this archived record.")})
    archive = ArchivedContact.objects.select_related("contact", "policy").filter(contact_id=contact_id).first()
    if archive is None:
        raise ValidationError({"contact": _("This contact is not in the archive.")})
    ArchiveAccess.objects.create(contact_id=contact_id, user=user, reason=reason[:255])
    audit_event_record(action="retention.archive_opened", obj=archive, subject_id=contact_id)
    return archive
