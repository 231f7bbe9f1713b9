"""Fulfilment services: each right answered through the subject-data map and the services that own the data."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from consent.models import ConsentState, Suppression
from consent.services import Proof, consent_give
from core.models import AuditEvent, OutboxMessage
from core.subject_data import Category
from crm.models import Contact, ContactPoint, RecipientNotification
from crm.services import contact_delete, disclosure_record, interaction_create
from crm.services.restriction import contact_restriction_lift, restriction_lift_notify
from dsar.fulfilment import erasure as erasure_service
from dsar.fulfilment import files, rights
from dsar.models import ErasureProof, ObjectionOutcome, Request, RequestEvent, ResponseFile
from registry.choices import ActivityStatus, LegalBasis, TransferMechanism
from registry.models import ActivityDataCategory, ProcessingActivity, Recipient
from retention.services import legal_hold_place

from ..factories import ContactFactory, UserFactory
from .fulfil_support import verified_request

pytestmark = pytest.mark.django_db

EMAIL = "jeanne.fulfil@example.org"
NOTE = "Prefers calls after six"
BODY = "Asked about the spring catalogue"
PARTNER = "Partner X"


@pytest.fixture
def register(db) -> ProcessingActivity:
    activity = ProcessingActivity.objects.create(
        reference="ACT-F1",
        name="Customer relations",
        main_purpose="Manage our customers",
        legal_basis=LegalBasis.CONTRACT,
        status=ActivityStatus.APPROVED,
        data_source="",
    )
    ActivityDataCategory.objects.create(activity=activity, category=Category.IDENTITY, retention="3 years")
    cloud = Recipient.objects.create(name="CloudMail Inc", country="US", transfer_mechanism=TransferMechanism.SCC)
    activity.recipients.add(cloud)
    return activity


@pytest.fixture
def jeanne(db) -> Contact:
    contact = ContactFactory(first_name="Jeanne", last_name="Fulfil", emails=[EMAIL], notes=NOTE, city="Lyon")
    interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject="Catalogue", body=BODY)
    disclosure_record(recipient=PARTNER, channel="export", contact_ids=[contact.pk], fields=["email"], country="DE")
    return contact


def _file(kind: str) -> ResponseFile:
    return ResponseFile.objects.get(kind=kind)


def test_access_report_holds_every_app_s_data_and_the_art15_information(jeanne, register, newsletter, wording_en):
    consent_give(
        contact=jeanne,
        purpose=newsletter,
        channel="email",
        method="staff",
        wording=wording_en,
        proof=Proof(note="said yes at the fair"),
    )
    request = verified_request([jeanne], rights=["access"])

    html_file, json_file = files.access_report_create(request=request)

    report = json.loads(files.file_bytes(json_file))
    [part] = report["contacts"]
    tables = {section["model"]: section for section in part["sections"]}
    assert tables["crm.Contact"]["rows"][0]["notes"] == NOTE
    assert tables["crm.Interaction"]["rows"][0]["body"] == BODY
    assert {"consent.ConsentEvent", "dsar.Request", "crm.ContactPoint"} <= set(tables)
    assert [r["recipient"] for r in part["recipients_received"]] == [PARTNER]
    assert part["history"], "the history of changes is part of the report"
    info = report["information"]
    [entry] = info["processing"]
    assert entry["recipients"] == ["CloudMail Inc"] and "3 years" in json.dumps(entry["categories_and_retention"])
    assert "CNIL" in info["complaint"] and info["automated_decisions"] and info["transfer_safeguards"]
    html = files.file_bytes(html_file).decode()
    assert NOTE in html and PARTNER in html and "CNIL" in html and "Art. 15(1)" in html
    # stored encrypted: the column holds a token, not the report
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM dsar_responsefile WHERE id = %s", [html_file.pk])
        assert cursor.fetchone()[0].startswith("fernet:")
    # the link went out through the outbox, and the case file says so
    message = OutboxMessage.objects.get(template="dsar_report_ready")
    tokens = re.findall(r"/privacy/report/([^/\s]+)/", message.body)
    assert message.recipient == EMAIL and {files.download_file(token=t) for t in tokens} == {html_file, json_file}
    assert RequestEvent.objects.filter(request=request, data__action="access_link_sent").exists()


def test_a_download_needs_the_request_s_address_and_is_logged(jeanne):
    request = verified_request([jeanne], rights=["access"])
    html_file, _ = files.access_report_create(request=request)
    token = files.download_token(html_file)
    file = files.download_file(token=token)

    with pytest.raises(ValidationError) as wrong:
        files.download_authorise(file=file, email="someone.else@example.org")
    assert "email" in wrong.value.message_dict
    files.download_authorise(file=file, email=EMAIL.upper())
    data = files.download_record(file=file)

    assert b"Jeanne" in data
    assert RequestEvent.objects.filter(request=request, data__action="file_downloaded").count() == 1
    assert AuditEvent.objects.filter(action="dsar.file_downloaded").count() == 1
    assert files.download_file(token=token + "x") is None
    assert files.download_file(token=token, now=timezone.now() + timedelta(days=8)) is None


def test_expired_files_are_deleted(jeanne):
    request = verified_request([jeanne], rights=["access", "portability"])
    files.access_report_create(request=request)
    files.portability_export_create(request=request)

    assert files.response_files_expire(now=timezone.now() + timedelta(days=6)) == (0, False)
    assert files.response_files_expire(now=timezone.now() + timedelta(days=8)) == (3, False)
    assert not ResponseFile.objects.exists()


def test_portability_zip_holds_provided_data_only_with_a_schema(jeanne):
    request = verified_request([jeanne], rights=["portability"])

    file = files.portability_export_create(request=request)

    archive = zipfile.ZipFile(io.BytesIO(files.file_bytes(file)))
    assert {"data.json", "schema.json", "csv/crm.Contact.csv", "csv/crm.ContactPoint.csv"} <= set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    [row] = data["tables"]["crm.Contact"]
    assert row["first_name"] == "Jeanne" and "notes" not in row and "status" not in row
    assert "crm.Interaction" not in data["tables"]
    assert EMAIL in archive.read("csv/crm.ContactPoint.csv").decode()
    schema = json.loads(archive.read("schema.json"))
    assert set(data["tables"]) <= set(schema["properties"]["tables"]["properties"])


def test_a_right_not_asked_for_is_refused(jeanne):
    request = verified_request([jeanne], rights=["access"])
    with pytest.raises(ValidationError):
        files.portability_export_create(request=request)


def test_erasure_preview_says_what_is_deleted_anonymised_and_kept(jeanne):
    request = verified_request([jeanne], rights=["erasure"])

    [preview] = erasure_service.erasure_preview(request=request)

    assert preview.held == "" and preview.suppressed_identifiers == 1
    deleted = {step.model for step in preview.deleted}
    assert {"crm.Contact", "crm.Interaction", "crm.ContactPoint"} <= deleted
    assert "dsar.Request" in {step.model for step in preview.anonymised}
    assert Contact.objects.filter(pk=jeanne.pk).exists()  # a preview touches nothing


def test_erasure_erases_each_contact_once_with_a_proof_and_a_suppression_entry(
    jeanne, django_capture_on_commit_callbacks
):
    duplicate = ContactFactory(first_name="Jeanne", emails=["j.dup@example.org"])
    request = verified_request([jeanne, duplicate], rights=["erasure"])
    dpo = UserFactory(username="dpo-erase")

    with django_capture_on_commit_callbacks(execute=False):
        run = erasure_service.erasure_start(request=request)
    assert erasure_service.erasure_start(request=request) == run  # not doubled
    erasure_service.erasure_run_process(run_id=run.pk)
    erasure_service.erasure_run_process(run_id=run.pk)  # a rerun does nothing more

    assert not Contact._base_manager.filter(pk__in=[jeanne.pk, duplicate.pk]).exists()
    assert not Contact.history.filter(id__in=[jeanne.pk, duplicate.pk]).exists()
    proofs = ErasureProof.objects.filter(request=request)
    assert sorted(p.contact_ref for p in proofs) == sorted([jeanne.pk, duplicate.pk])
    assert proofs.get(contact_ref=jeanne.pk).counts["crm.Interaction"]["deleted"] == 1
    assert Suppression.objects.filter(reason="erasure").count() == 2
    request.refresh_from_db()
    assert request.requester_email == "" and request.reference  # the case file stays, without the person
    answer = OutboxMessage.objects.get(template="dsar_erasure_answer")
    assert answer.status == "sent" and answer.recipient == ""  # sent first, then erased with the person
    assert RecipientNotification.objects.filter(contact_ref=jeanne.pk, cause="erasure", recipient=PARTNER).exists()
    assert dpo  # the operator is recorded on each proof
    assert all(p.operator_label for p in proofs)


def test_a_contact_under_legal_hold_is_kept_and_said_so(jeanne):
    legal_hold_place(
        owner=UserFactory(), reason="litigation", ends_on=timezone.localdate() + timedelta(days=30), contact=jeanne
    )
    request = verified_request([jeanne], rights=["erasure"])
    [preview] = erasure_service.erasure_preview(request=request)
    assert preview.held

    run = erasure_service.erasure_start(request=request)
    run = erasure_service.erasure_run_process(run_id=run.pk)

    assert run.held == [jeanne.pk] and Contact.objects.filter(pk=jeanne.pk).exists()
    assert not ErasureProof.objects.exists()


def test_erasure_of_a_soft_deleted_contact_and_nothing_matched(jeanne):
    contact_delete(contact=jeanne)
    request = verified_request([jeanne], rights=["erasure"])
    run = erasure_service.erasure_run_process(run_id=erasure_service.erasure_start(request=request).pk)
    assert run.processed == 1 and not Contact._base_manager.filter(pk=jeanne.pk).exists()
    with pytest.raises(ValidationError):
        erasure_service.erasure_start(request=verified_request([], rights=["erasure"], email=EMAIL))


def test_rectification_applies_the_diff_tells_the_person_and_opens_art19_tasks(jeanne):
    request = verified_request([jeanne], rights=["rectification"])

    changed = rights.rectification_apply(
        request=request,
        contact=jeanne,
        changes={"city": "Paris", "last_name": "Fulfil"},
        emails=["jeanne.new@example.org"],
    )

    assert changed == ["city", "emails"]
    jeanne.refresh_from_db()
    assert jeanne.city == "Paris" and ContactPoint.objects.get(contact=jeanne).value == "jeanne.new@example.org"
    assert RecipientNotification.objects.filter(contact=jeanne, cause="rectification", recipient=PARTNER).exists()
    assert OutboxMessage.objects.filter(template="dsar_rectified").exists()
    with pytest.raises(ValidationError):
        rights.rectification_apply(request=request, contact=jeanne, changes={"city": "Paris"})
    with pytest.raises(ValidationError):
        rights.rectification_apply(request=request, contact=jeanne, changes={"notes": "x"})
    with pytest.raises(ValidationError):
        rights.rectification_apply(request=request, contact=ContactFactory(), changes={"city": "Nice"})


def test_restriction_is_placed_for_the_request_and_its_lifting_shows_in_the_case_file(jeanne):
    request = verified_request([jeanne], rights=["restriction"])

    link = rights.restriction_place(request=request, contact=jeanne, reason="accuracy contested")
    jeanne.refresh_from_db()
    assert jeanne.restricted and link.lifted_at is None
    restriction_lift_notify(contact=jeanne, channel="email")
    contact_restriction_lift(contact=jeanne)

    link.refresh_from_db()
    assert link.lifted_at is not None
    assert RequestEvent.objects.filter(request=request, data__action="restriction_lifted").exists()


def test_marketing_objection_applies_at_once_and_other_objections_need_grounds(jeanne, newsletter, wording_en):
    consent_give(contact=jeanne, purpose=newsletter, channel="email", method="staff", wording=wording_en)
    request = verified_request([jeanne], rights=["objection"])

    rights.objection_marketing(request=request)

    assert ConsentState.objects.get(contact=jeanne, purpose=newsletter).status == "objected"
    assert Suppression.objects.filter(reason="objection").exists()
    with pytest.raises(ValidationError) as missing:
        rights.objection_decide(request=request, contact=jeanne, decision="continued")
    assert "grounds" in missing.value.message_dict
    outcome = rights.objection_decide(request=request, contact=jeanne, decision="continued", grounds="fraud prevention")
    assert ObjectionOutcome.objects.get().grounds == "fraud prevention" and outcome.decided_by
    assert OutboxMessage.objects.filter(template="dsar_objection_decision").exists()


def test_a_closed_request_cannot_be_fulfilled(jeanne):
    request = verified_request([jeanne], rights=["access"])
    Request.objects.filter(pk=request.pk).update(status="closed")
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        files.access_report_create(request=request)
