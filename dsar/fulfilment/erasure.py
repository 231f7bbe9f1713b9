"""Art. 17: preview, then a job that erases the matched contacts through the one erasure path.

`erasure_preview` says, per contact, what will be deleted, anonymised and kept
with its reason (a legal hold, an Art. 17(3) obligation, the suppression list),
reading `crm.subject_data.subject_data_erasure_plan`. `erasure_start` records an
`ErasureRun` with the contact ids and queues the job; `erasure_run_process`
(the job) first answers the requester (while the address is still held), then
erases each contact with `crm.subject_data.subject_data_erase` in one
transaction per contact, writing its `ErasureProof` in the same transaction.
A contact with a proof is never touched again, so a rerun after a killed
worker finishes the run and leaves exactly one proof per contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import SuppressionReason
from consent.services import contact_point_hashes, suppression_add
from core.actors import current_actor
from core.audit import audit_event_record
from core.outbox import message_deliver
from core.subject_data import declarations
from crm.models import Contact
from crm.subject_data import ErasureStep, erasure_refusal, subject_data_erase, subject_data_erasure_plan
from dsar.models import Request, Right
from dsar.models.fulfilment import ErasureProof, ErasureRun, RunStatus

from .common import check_open, event_record, fulfilled, matched_contacts, requester_message

ERASURE_REASON = "Art. 17 request"
ANSWER_TEMPLATE = "dsar_erasure_answer"


@dataclass
class ContactErasurePreview:
    contact_id: int
    name: str
    held: str  # why the contact cannot be erased now (a legal hold), or ""
    steps: list[ErasureStep] = field(default_factory=list)
    suppressed_identifiers: int = 0

    @property
    def deleted(self) -> list[ErasureStep]:
        return [step for step in self.steps if step.action == "delete"]

    @property
    def anonymised(self) -> list[ErasureStep]:
        return [step for step in self.steps if step.action == "anonymise"]


def erasure_preview(*, request: Request) -> list[ContactErasurePreview]:
    """What erasing the request's matched contacts would do, touching nothing."""
    previews = []
    for contact in matched_contacts(request):
        hashes = contact_point_hashes(contact)
        previews.append(
            ContactErasurePreview(
                contact_id=contact.pk,
                name=contact.full_name,
                held=erasure_refusal(contact),
                steps=subject_data_erasure_plan(contact=contact),
                suppressed_identifiers=sum(len(values) for values in hashes.values()),
            )
        )
    return previews


def erasure_start(*, request: Request) -> ErasureRun:
    """Queue the erasure of every matched contact; a run already under way is returned, not doubled."""
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=request.pk)
        check_open(request, Right.ERASURE)
        running = request.erasure_runs.exclude(status=RunStatus.DONE).first()
        if running is not None:
            return running
        contacts = matched_contacts(request)
        if not contacts:
            raise ValidationError(_("No contact is matched to this request: there is nothing to erase."))
        run = ErasureRun.objects.create(
            request=request, contact_ids=[c.pk for c in contacts], operator_label=current_actor().label[:150]
        )
        event_record(request=request, action="erasure_started", run=run.pk, contacts=len(contacts))
        audit_event_record(action="dsar.erasure_started", obj=run, data={"contacts": len(contacts)})
        from .tasks import erasure_run_execute

        transaction.on_commit(lambda: erasure_run_execute.delay(run.pk))
    return run


def _answer(run: ErasureRun) -> None:
    """Tell the requester what is erased and what is kept, before the address itself is erased."""
    with transaction.atomic():
        run = ErasureRun.objects.select_for_update().get(pk=run.pk)
        if run.answer_message_ref is not None:
            return
        request = run.request
        previews = erasure_preview(request=request)
        kept = sorted({basis for p in previews for step in p.steps for basis in step.kept.values()})
        message = requester_message(
            request=request,
            template=ANSWER_TEMPLATE,
            context={"kept": kept, "held": any(p.held for p in previews)},
        )
        run.answer_message_ref = message.pk
        run.save(update_fields=["answer_message_ref"])
        event_record(request=request, kind="communicated", action="erasure_answer", message=message)
    message_deliver(message_id=message.pk)


def _kept(counts: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The fields kept under a named obligation in the rows the erasure anonymised, read from the map."""
    kept = {}
    for declaration in declarations():
        if counts.get(declaration.label, {}).get("anonymised"):
            fields = {
                n: p.erase.legal_basis for n, p in declaration.fields.items() if p.erase and p.erase.action == "keep"
            }
            if fields:
                kept[declaration.label] = fields
    return kept


def erasure_contact(*, run: ErasureRun, contact_id: int) -> ErasureProof | None:
    """Erase one contact for the run, in one transaction with its proof; nothing if already done or held."""
    with transaction.atomic():
        run = ErasureRun.objects.select_for_update().select_related("request").get(pk=run.pk)
        request = run.request
        done = ErasureProof.objects.filter(request=request, contact_ref=contact_id).first()
        if done is not None or contact_id in run.held:
            return done
        contact = Contact._base_manager.filter(pk=contact_id).first()
        counts: dict[str, Any] = {}
        kept: dict[str, Any] = {}
        if contact is not None:
            refusal = erasure_refusal(contact)
            if refusal:
                run.held = [*run.held, contact_id]
                run.save(update_fields=["held"])
                return None
            for kind, hashes in contact_point_hashes(contact).items():
                for value_hash in hashes:
                    suppression_add(kind=kind, value_hash=value_hash, reason=SuppressionReason.ERASURE, contact=contact)
            counts = subject_data_erase(contact=contact, reason=ERASURE_REASON, request_reference=request.reference)
            kept = _kept(counts)
        proof = ErasureProof.objects.create(
            request=request,
            run=run,
            request_reference=request.reference,
            contact_ref=contact_id,
            request_received_at=request.received_at,
            counts=counts,
            kept=kept,
            operator_label=run.operator_label,
        )
        run.processed += 1
        run.save(update_fields=["processed"])
    return proof


def erasure_run_process(*, run_id: int) -> ErasureRun | None:
    """The job: answer, erase each contact not yet erased (one transaction each), then close the run.

    Idempotent: a finished run does nothing; a rerun skips contacts that have a proof.
    """
    with transaction.atomic():
        run = ErasureRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status == RunStatus.DONE:
            return run
        if run.status == RunStatus.QUEUED:
            run.status, run.started_at = RunStatus.RUNNING, timezone.now()
            run.save(update_fields=["status", "started_at"])
    _answer(run)
    for contact_id in run.contact_ids:
        erasure_contact(run=run, contact_id=contact_id)
    return _finish(run_id)


def _finish(run_id: int) -> ErasureRun:
    with transaction.atomic():
        run = ErasureRun.objects.select_for_update().select_related("request").get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        request = run.request
        if request.is_active:
            fulfilled(request=request, action="erasure_done", run=run.pk, erased=run.proofs.count(), held=len(run.held))
        audit_event_record(
            action="dsar.erasure_done", obj=run, data={"erased": run.proofs.count(), "held": len(run.held)}
        )
    return run
