"""The forensic erasure test (issue 14): nothing about an erased person survives, anywhere.

Unique values about one person are planted through every feature (UI and API
edits, interactions, tags, exports, imports, restriction and its lift notice,
Art. 19 tasks and the partner's webhook, a sensitive note's justification,
consent events with their proof and attachment, consent states, an objection
and its suppression entries, the retention clock's activity, a legal hold and
archive openings with their reasons, soft delete, restore, delete). Then 31
days pass, during which every periodic purge runs (`PERIODIC_TASKS`): the purge
of contacts soft-deleted longer ago than the restore window erases the person,
through the product's own path. Then every text, JSON, binary and inet column
of every table PostgreSQL's catalogue lists (history tables included, encrypted
values decrypted with the app's keys), the blind indexes recomputed for the
planted e-mail addresses and phone numbers, the media folder, the access log of
every request made and every webhook notice the partner received are searched:
no planted value may be found, except where `docs/erasure.md` lists it as kept;
and no table keeps a row whose `contact_id` is the person's, except those it
lists (the purge ledger).

To cover a new feature, write a planting step (a function taking the
`Journey`) that plants through it with `journey.plant(...)`, and add it to
`STEPS`. Tables and columns are read from the catalogue, so new ones are
scanned without any change here.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config

from consent.models import ConsentState, ConsentWording, Purpose, Suppression
from consent.services import purpose_save, wording_publish
from core.accesslog import QueryStringRedactingLogger
from core.actors import Actor, acting_as
from core.crypto import PREFIX, blind_index, decrypt
from core.models import OutboxMessage
from crm.dedup.merge import contacts_merge
from crm.imports.services import import_jobs_expire
from crm.models import Contact, ContactPoint, ImportJob, RecipientNotification
from crm.normalise import normalise_email, normalise_phone
from crm.services import contact_create
from dsar.fulfilment.files import response_files_expire
from dsar.models import Request as DsarRequest
from dsar.services import submissions_lapse
from registry.choices import LegalBasis
from registry.models import ProcessingActivity
from retention.models import ArchiveAccess, ArchivedContact, LegalHold, RetentionPolicy
from retention.services import contact_activity_record, policies_evaluate, purge_run_batch
from tests.crm.api_clients import key_api, staff_api
from tests.crm.webhook_receiver import Receiver, receiving
from tests.dsar.fulfil_support import verified_request

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "erasure.md"
TAG_TABLES = ("crm_tag.name", "crm_historicaltag.name")  # a tag is a shared label, not the person's
TEXT_TYPES = {"text", "character varying", "character", "json", "jsonb", "ARRAY", "USER-DEFINED", "inet", "cidr"}
PARTNER = "Forensic Partner GmbH"
# The suppression list keeps keyed hashes of an objector's addresses and numbers (docs/erasure.md).
SUPPRESSION_HASHES = frozenset({"consent_suppression.value_hash", "consent_historicalsuppression.value_hash"})


def unique_word() -> str:
    """A capitalised word of random letters, accepted as a name and unlikely anywhere else."""
    return "Zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(9))


def unique_ipv6() -> str:
    """An address of the documentation range (RFC 3849), unique to the run."""
    return "2001:db8:" + ":".join(f"{secrets.randbelow(0xFFFF) + 1:x}" for _ in range(6))


def unique_phone() -> str:
    return "+33 1 99 " + " ".join(f"{secrets.randbelow(100):02d}" for _ in range(3))


# ------------------------------------------------------------------ the journey


@dataclass
class Planted:
    label: str
    value: str
    kept_in: frozenset[str] = frozenset()  # "table.column" where docs/erasure.md says the value may stay
    digits: bool = False  # a phone number: also found written with spaces, dots or dashes


@dataclass
class Journey:
    """The person, the staff clients, and everything planted about the person so far."""

    admin: Client
    dpo: Client
    api: Client
    media: Path
    contact_id: int = 0
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    access_log: list[str] = field(default_factory=list)
    linked: set[str] = field(default_factory=set)  # tables that hold rows pointing at the contact by its id
    index_kept_in: frozenset[str] = frozenset()  # where the blind indexes may stay (docs/erasure.md)
    partner_tool: Receiver | None = None  # the partner's webhook receiver: what left the CRM by notice

    def link(self, *tables: str) -> None:
        """These tables now hold rows pointing at the contact (they hold nothing the text scan can find)."""
        self.linked.update(tables)

    def plant(
        self, label: str, value: str | None = None, *, kept_in: tuple[str, ...] = (), digits: bool = False
    ) -> str:
        value = value or unique_word()
        self.planted.append(Planted(label, value, frozenset(kept_in), digits))
        return value

    def email(self) -> str:
        address = self.plant("email local part").lower() + "@example.org"
        self.emails.append(address)
        return address

    def phone(self) -> str:
        number = unique_phone()
        self.phones.append(number)
        self.plant("phone digits", normalise_phone(number)[3:], digits=True)  # national digits, in any form
        return number

    @property
    def contact(self) -> Contact:
        return Contact._base_manager.get(pk=self.contact_id)


def ok(response, *expected: int) -> None:
    """A step's request succeeded; on a form error, the page's text says why."""
    allowed = expected or (200, 201, 204, 302)
    assert response.status_code in allowed, response.content.decode()[:3000]


def logged(client: Client, log: list[str]) -> Client:
    """The client, writing each of its requests to `log` as the web servers would."""
    send = client.request

    def request(**request):
        response = send(**request)
        log.extend(access_log_lines(request, response.status_code))
        return response

    client.request = request  # type: ignore[method-assign]
    return client


def access_log_lines(request: dict, status: int) -> list[str]:
    """The line the development server and the one gunicorn would log, through their configured loggers."""
    query = request.get("QUERY_STRING", "")
    target = request["PATH_INFO"] + (f"?{query}" if query else "")
    line = f"{request['REQUEST_METHOD']} {target} HTTP/1.1"
    records: list[str] = []
    handler = _ListHandler(records)
    server_logger = logging.getLogger("django.server")
    server_logger.addHandler(handler)
    try:
        server_logger.info('"%s" %s %s', line, status, 0)
    finally:
        server_logger.removeHandler(handler)
    environ = {
        "REQUEST_METHOD": request["REQUEST_METHOD"],
        "RAW_URI": target,
        "PATH_INFO": request["PATH_INFO"],
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": request.get("HTTP_REFERER", "-"),
    }
    gunicorn = QueryStringRedactingLogger(Config())
    response = SimpleNamespace(status=str(status), sent=0, headers=[])
    atoms = gunicorn.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    return [*records, Config().access_log_format % atoms]


class _ListHandler(logging.Handler):
    def __init__(self, records: list[str]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


# ------------------------------------------------------------------ planting steps


def create_through_the_ui(journey: Journey) -> None:
    data = {
        "first_name": journey.plant("first name"),
        "last_name": journey.plant("last name"),
        "kind": "consumer",
        "status": "customer",
        "job_title": journey.plant("job title"),
        "preferred_language": "fr",
        "street": journey.plant("street"),
        "postal_code": "69001",
        "city": journey.plant("city"),
        "country": "FR",
        "emails": journey.email(),
        "phones": journey.phone(),
        "notes": journey.plant("note"),
        "source": "event",
        "source_detail": journey.plant("source detail"),
    }
    ok(journey.admin.post(reverse("crm:contact_create"), data), 302)
    journey.contact_id = Contact.objects.latest("pk").pk


def search_by_email_and_phone(journey: Journey) -> None:
    ok(journey.admin.get(reverse("crm:contact_list"), {"q": journey.emails[0]}), 200)
    ok(journey.api.get("/api/v1/contacts/", {"email": journey.emails[0]}), 200)
    ok(journey.admin.get(reverse("crm:contact_list"), {"q": journey.phones[0]}), 200)
    ok(journey.admin.get(reverse("crm:contact_detail", args=[journey.contact_id])), 200)


def edit_through_the_api(journey: Journey) -> None:
    url = f"/api/v1/contacts/{journey.contact_id}/"
    data = {"job_title": journey.plant("job title, API edit"), "emails": [journey.emails[0], journey.email()]}
    ok(journey.api.patch(url, data, format="json"), 200)
    ok(journey.api.get(url), 200)


def read_and_write_through_api_keys(journey: Journey) -> None:
    """A client reads the record (a disclosure: its tool is a recipient) and another adds an interaction."""
    reader = logged(key_api("contacts:read", name="Newsletter tool")[1], journey.access_log)
    ok(reader.get(f"/api/v1/contacts/{journey.contact_id}/"), 200)
    ok(reader.get("/api/v1/contacts/", {"email": journey.emails[0]}), 200)
    writer = logged(key_api("contacts:read", "interactions:write", name="Call centre")[1], journey.access_log)
    data = {
        "contact": journey.contact_id,
        "kind": "call",
        "occurred_at": timezone.now().isoformat(),
        "subject": journey.plant("API interaction subject"),
        "body": journey.plant("API interaction body"),
    }
    ok(writer.post("/api/v1/interactions/", data, format="json"), 201)


def export_to_a_partner(journey: Journey) -> None:
    terms = {
        "format": "csv",
        "purpose_activity": "other",
        "purpose": "Trade fair invitations",
        "reason": "The partner sends the invitations",
        "recipient_kind": "third_party",
        "recipient": PARTNER,
        "country": "de",
    }
    response = journey.admin.post(reverse("crm:contact_export"), {**terms, "q": journey.emails[0]})
    ok(response, 200)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert journey.emails[0].encode() in content


def edit_through_the_ui_with_a_sensitive_note(journey: Journey) -> None:
    """Rectifies the exported address (an Art. 19 task opens) and writes a note that needs a justification."""
    contact = journey.contact
    data = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "kind": "consumer",
        "status": "customer",
        "preferred_language": "fr",
        "city": journey.plant("city, UI edit"),
        "country": "FR",
        "emails": "\n".join([journey.email(), journey.emails[1]]),
        "phones": journey.phones[0],
        "notes": f"{journey.plant('sensitive note')} est alcoolique",
        "justification": journey.plant("sensitive note justification"),
        "owner": "",
    }
    ok(journey.admin.post(reverse("crm:contact_edit", args=[journey.contact_id]), data), 302)
    assert Contact.objects.get(pk=journey.contact_id).city == data["city"]


def close_the_art19_tasks(journey: Journey) -> None:
    """The partner cannot be told (a justification naming the person's number); the other recipients were."""
    tasks = RecipientNotification.objects.filter(contact_id=journey.contact_id, cause="rectification")
    assert PARTNER in {task.recipient for task in tasks}
    for task in tasks:
        data = {"status": "sent"}
        if task.recipient == PARTNER:
            data = {"status": "impossible", "justification": f"{journey.plant('Art. 19 note')} {journey.phone()}"}
        ok(journey.dpo.post(reverse("crm:recipient_notification_detail", args=[task.pk]), data), 302)


def register_the_partners_webhook(journey: Journey) -> None:
    """From now on the partner's tool is told of each Art. 19 task by a signed notice (restriction, erasure)."""
    assert journey.partner_tool is not None
    data = {"recipient": PARTNER, "url": journey.partner_tool.url, "secret": "partner-shared-secret", "active": "on"}
    ok(journey.dpo.post(reverse("crm:recipient_endpoint_create"), data), 302)


def add_an_interaction(journey: Journey) -> None:
    data = {
        "kind": "call",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject": journey.plant("interaction subject"),
        "body": journey.plant("interaction body"),
    }
    ok(journey.admin.post(reverse("crm:interaction_create", args=[journey.contact_id]), data), 200, 302)


def tag_and_untag(journey: Journey) -> None:
    tag = journey.plant("tag name", kept_in=TAG_TABLES)
    url = reverse("crm:contact_bulk_tag")
    ok(journey.admin.post(url, {"action": "add", "tag": tag, "ids": [journey.contact_id]}), 302)
    second = journey.plant("second tag name", kept_in=TAG_TABLES)
    ok(journey.admin.post(url, {"action": "add", "tag": second, "ids": [journey.contact_id]}), 302)
    ok(journey.admin.post(url, {"action": "remove", "tag": second, "ids": [journey.contact_id]}), 302)


def restrict_tell_and_lift(journey: Journey) -> None:
    url = reverse("crm:contact_restriction", args=[journey.contact_id])
    ok(journey.admin.post(url, {"step": "place", "place-reason": journey.plant("restriction reason")}), 302)
    note = f"{journey.plant('lift notice note')} called on {journey.phone()}"
    ok(journey.admin.post(url, {"step": "notify", "notify-channel": "phone", "notify-note": note}), 302)
    ok(journey.admin.post(url, {"step": "lift", "lift-reason": journey.plant("lift reason")}), 302)


def send_the_art14_notice(journey: Journey) -> None:
    ok(journey.admin.post(reverse("crm:contact_art14_send", args=[journey.contact_id])), 302)


def _import(journey: Journey, content: str, name: str, mapping: dict[int, str] | None = None) -> None:
    upload = SimpleUploadedFile(name, content.encode())
    data = {"file": upload, "supplier": "Salon data", "on_duplicate": "merge"}
    ok(journey.admin.post(reverse("crm:import_new"), data), 302)
    job = ImportJob.objects.latest("pk")
    columns = mapping or {i: job.mapping.get(column, "") for i, column in enumerate(job.columns)}
    ok(journey.admin.post(reverse("crm:import_map", args=[job.pk]), {f"column_{i}": v for i, v in columns.items()}))
    ok(journey.admin.post(reverse("crm:import_run", args=[job.pk])), 302)
    job.refresh_from_db()
    assert (job.status, job.report) == ("done", []), job.report


def merge_through_an_import(journey: Journey) -> None:
    contact = journey.contact
    rows = [
        ["first_name", "last_name", "email", "job_title", "phone"],
        [contact.first_name, contact.last_name, journey.emails[-1], journey.plant("imported title"), journey.phone()],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    _import(journey, out.getvalue(), f"{contact.last_name}.csv")


def import_a_file_without_a_header(journey: Journey) -> None:
    """The person's row comes first, so a reader that takes it for the header keeps their values."""
    contact = journey.contact
    other = ["Bystander", "Person", "bystander.person@example.net"]
    rows = [[contact.first_name, contact.last_name, journey.emails[-1]], other]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    _import(journey, out.getvalue(), "salon.csv", {0: "first_name", 1: "last_name", 2: "email"})


def ask_for_re_permission(journey: Journey) -> None:
    """RET-04: a re-consent request through the outbox (it greets the person by name); the person opens it."""
    from django.test import Client

    from core.models import OutboxMessage
    from retention.models import RetentionPolicy
    from retention.repermission import repermission_request_send

    policy = RetentionPolicy.objects.get(key="customers")
    request = repermission_request_send(contact=journey.contact, policy=policy)
    body = OutboxMessage.objects.get(pk=request.outbox_message_ref).body
    link = next(word for word in body.split() if "/privacy/renew/" in word)
    ok(Client().get("/" + link.split("://", 1)[1].split("/", 1)[1]), 200)


def make_rights_requests(journey: Journey) -> None:
    """A request through the public form and its link, worked by the DPO; and a second one never verified."""
    public = logged(Client(), journey.access_log)
    form = {"rights": ["access", "rectification"], "email": journey.contact.primary_email.upper(), "website": ""}
    name = f"{journey.plant('requester first name')} {journey.plant('requester last name')}"
    ok(public.post(reverse("dsar_request"), {**form, "name": name, "details": journey.plant("request details")}), 200)
    message = OutboxMessage.objects.filter(template="dsar_verification").latest("pk")
    token = re.search(r"/privacy/request/verify/([^/\s]+)/", message.body).group(1)
    ok(public.post(reverse("dsar_verify", args=[token])), 200)
    case = DsarRequest.objects.latest("pk")
    assert list(case.matches.values_list("contact_id", flat=True)) == [journey.contact_id]
    ok(journey.dpo.post(reverse("dsar:request_note", args=[case.pk]), {"text": journey.plant("request note")}), 302)
    reason = {"category": "complexity", "reason": journey.plant("extension reason")}
    ok(journey.dpo.post(reverse("dsar:request_extend", args=[case.pk]), reason), 302)
    ask = {"reason": journey.plant("identity doubt"), "message": journey.plant("information asked")}
    ok(journey.dpo.post(reverse("dsar:request_ask_information", args=[case.pk]), ask), 302)
    # never verified: it lapses, with its message, whoever the address belongs to
    unverified = {
        **form,
        "name": journey.plant("unverified requester name"),
        "details": journey.plant("unverified details"),
    }
    ok(public.post(reverse("dsar_request"), unverified), 200)


def merge_a_duplicate(journey: Journey) -> None:
    """A second record of the person, with values of its own, merged into the first (and kept for undo)."""
    contact = journey.contact
    with acting_as(Actor.system("forensic")):
        duplicate = contact_create(
            first_name=contact.first_name,
            last_name=journey.plant("duplicate's last name"),
            job_title=journey.plant("duplicate's job title"),
            emails=[journey.email()],
            phones=[journey.phone()],
            notes=journey.plant("duplicate's note"),
        )
        contacts_merge(survivor=contact, merged=duplicate, choices={"job_title": "merged"})


def delete_restore_delete(journey: Journey) -> None:
    delete = reverse("crm:contact_delete", args=[journey.contact_id])
    ok(journey.admin.post(delete, {"reason": journey.plant("delete reason")}), 302)
    ok(journey.admin.post(reverse("crm:contact_restore", args=[journey.contact_id])), 302)
    ok(journey.admin.post(delete, {"reason": f"{journey.plant('second delete reason')} {journey.emails[0]}"}), 302)


def _consent_purpose() -> tuple[Purpose, ConsentWording]:
    activity = ProcessingActivity.objects.create(
        reference="ACT-FORENSIC", name="Newsletter", main_purpose="Send the newsletter", legal_basis=LegalBasis.CONSENT
    )
    purpose = purpose_save(
        data={
            "key": "forensic-news",
            "name": "Newsletter",
            "activity": activity,
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email", "post"],
        }
    )
    return purpose, wording_publish(purpose=purpose, language="en", text="Send me the newsletter.")


def record_consents_with_their_proof(journey: Journey) -> None:
    """A consent through the API (IP address, browser, form, page, note) and one on paper (a scan on disk)."""
    purpose, wording = _consent_purpose()
    data = {
        "contact": journey.contact_id,
        "purpose": purpose.key,
        "channel": "email",
        "action": "given",
        "method": "web_form",
        "wording": wording.pk,
        "ip_address": journey.plant("consent IP address", unique_ipv6()),
        "user_agent": f"Mozilla/5.0 ({journey.plant('consent user agent')})",
        "form_id": journey.plant("consent form id"),
        "source_url": f"https://example.org/{journey.plant('consent page')}",
        "note": journey.plant("consent note, API"),
    }
    ok(journey.api.post("/api/v1/consents/events/", data, format="json"), 201)
    scan_name = journey.plant("consent attachment file name").lower()
    paper = {
        "action": "given",
        "purpose": purpose.pk,
        "channel": "post",
        "method": "paper",
        "wording": wording.pk,
        "note": journey.plant("consent note, paper"),
        "attachment": SimpleUploadedFile(f"{scan_name}.txt", journey.plant("consent attachment content").encode()),
    }
    ok(journey.admin.post(reverse("consent:contact_record", args=[journey.contact_id]), paper), 302)
    assert ConsentState.objects.filter(contact_id=journey.contact_id).count() == 2
    journey.link("consent_consentevent", "consent_historicalconsentevent")
    journey.link("consent_consentstate", "consent_historicalconsentstate")


def object_to_marketing(journey: Journey) -> None:
    """Art. 21: every address and number joins the suppression list, each entry linked to the contact."""
    data = {"contact": journey.contact_id, "purpose": "forensic-news", "channel": "email", "action": "objected"}
    ok(journey.api.post("/api/v1/consents/events/", {**data, "method": "web_form"}, format="json"), 201)
    points = ContactPoint.objects.filter(contact_id=journey.contact_id).count()
    assert Suppression.objects.filter(contact_id=journey.contact_id).count() == points >= 2
    journey.index_kept_in = SUPPRESSION_HASHES  # the keyed hashes outlive the person, by obligation
    journey.link("consent_suppression", "consent_historicalsuppression")


def record_activity_for_the_retention_clock(journey: Journey) -> None:
    for kind in ("form", "outbound_email"):
        contact_activity_record(contact=journey.contact, kind=kind)
    journey.link("retention_contactactivity", "retention_historicalcontactactivity")


def place_and_lift_a_legal_hold(journey: Journey) -> None:
    data = {
        "contact": journey.contact_id,
        "reason": f"{journey.plant('legal hold reason')} litigation, {journey.emails[0]}",
        "ends_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    ok(journey.dpo.post(reverse("retention:hold_create"), data), 302)
    hold = LegalHold.objects.get(contact_id=journey.contact_id)
    ok(journey.dpo.post(reverse("retention:hold_lift", args=[hold.pk])), 302)
    journey.link("retention_legalhold", "retention_historicallegalhold")


def open_the_archived_record(journey: Journey) -> None:
    """The deleted contact is in intermediate archive (as a prospects policy puts it); the DPO opens it twice."""
    policy = RetentionPolicy.objects.get(key="prospects")
    ArchivedContact.objects.create(
        contact_id=journey.contact_id, policy=policy, archived_at=timezone.now(), purge_on=timezone.localdate()
    )
    url = reverse("retention:archive_open", args=[journey.contact_id])
    ok(journey.dpo.post(url, {"reason": journey.plant("archive opening reason")}), 200)
    ok(journey.dpo.post(url, {"reason": f"{journey.plant('second archive opening reason')} {journey.phones[0]}"}), 200)
    assert ArchiveAccess.objects.filter(contact_id=journey.contact_id).count() == 2
    journey.link("retention_archivedcontact", "retention_historicalarchivedcontact", "retention_archiveaccess")


def fulfil_a_request(journey: Journey) -> None:
    """A verified request matched to the person: an access report (their data, copied) and an objection decided."""
    case = verified_request(
        [journey.contact], rights=["access", "objection"], email=journey.emails[0], name=journey.plant("requester")
    )
    ok(journey.dpo.post(reverse("dsar:fulfil_access", args=[case.pk])), 302)
    decide = reverse("dsar:fulfil_object_decide", args=[case.pk, journey.contact_id])
    data = {
        "processing": journey.plant("processing objected to"),
        "decision": "continued",
        "grounds": journey.plant("objection grounds"),
    }
    ok(journey.dpo.post(decide, data), 302)


def watch_the_dashboard_and_produce_an_evidence_pack(journey: Journey) -> None:
    """The figures job runs, the DPO opens the dashboard, searches the audit trail for the person, and produces an
    evidence pack (built here as the worker would): figures, digest and pack hold ids and counts only."""
    from core.evidence import evidence_pack_build
    from core.figures import figures_refresh
    from core.models import EvidencePack

    figures_refresh()
    ok(journey.dpo.get(reverse("dashboard")))
    ok(journey.dpo.get(reverse("audit:explorer"), {"object": str(journey.contact_id)}))
    ok(journey.dpo.post(reverse("evidence:create")), 302)
    pack = evidence_pack_build(pack_id=EvidencePack.objects.latest("pk").pk)
    assert pack is not None and pack.status == "done", pack and pack.error


STEPS: list[Callable[[Journey], None]] = [
    create_through_the_ui,
    search_by_email_and_phone,
    edit_through_the_api,
    read_and_write_through_api_keys,
    export_to_a_partner,
    edit_through_the_ui_with_a_sensitive_note,
    close_the_art19_tasks,
    register_the_partners_webhook,
    add_an_interaction,
    tag_and_untag,
    restrict_tell_and_lift,
    send_the_art14_notice,
    ask_for_re_permission,
    make_rights_requests,
    merge_through_an_import,
    import_a_file_without_a_header,
    record_consents_with_their_proof,
    object_to_marketing,
    record_activity_for_the_retention_clock,
    place_and_lift_a_legal_hold,
    fulfil_a_request,
    merge_a_duplicate,
    watch_the_dashboard_and_produce_an_evidence_pack,
    delete_restore_delete,
    open_the_archived_record,
]


# ------------------------------------------------------------------ the scan


@dataclass(frozen=True)
class Hit:
    place: str  # "table.column", "media:<path>" or "access log"
    label: str
    excerpt: str


def _columns() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, data type)] for every text, JSON and binary column, from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position"
        )
        rows = cursor.fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        if data_type in TEXT_TYPES or data_type == "bytea":
            tables.setdefault(table, []).append((column, data_type))
    return tables


def _stored_texts() -> Iterator[tuple[str, str]]:
    """("table.column", text) for every non-empty value; encrypted values are given decrypted too."""
    for table, columns in _columns().items():
        selects = ", ".join(
            f'"{name}"' if data_type in ("bytea", "text", "character varying") else f'"{name}"::text'
            for name, data_type in columns
        )
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {selects} FROM "{table}"')  # names from the catalogue
            for row in cursor.fetchall():
                for (name, _type), value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = bytes(value).decode("utf-8", "replace") if isinstance(value, memoryview | bytes) else value
                    yield f"{table}.{name}", text
                    yield from ((f"{table}.{name}", plain) for plain in _decrypted(text))


_TOKEN = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_\-=]+")


def _decrypted(text: str) -> Iterator[str]:
    for token in _TOKEN.findall(text):
        yield decrypt(token)


def _needles(journey: Journey) -> list[Planted]:
    """What is searched: each planted value, plus the blind index of each planted address and number."""
    kept = journey.index_kept_in
    indexes = [Planted("email blind index", blind_index(normalise_email(e)), kept) for e in journey.emails]
    indexes += [Planted("phone blind index", blind_index(normalise_phone(p)), kept) for p in journey.phones]
    full = [Planted("email address", e) for e in journey.emails]
    return [*journey.planted, *full, *indexes]


_SEPARATORS = re.compile(r"[\s.\-()/]")


def _hits_in(place: str, text: str, needles: list[Planted]) -> Iterator[Hit]:
    folded = text.casefold()
    squeezed = _SEPARATORS.sub("", folded)
    for needle in needles:
        where = squeezed if needle.digits else folded
        at = where.find(needle.value.casefold())
        if at >= 0 and place not in needle.kept_in:
            yield Hit(place, needle.label, where[max(0, at - 40) : at + len(needle.value) + 40])


def scan(journey: Journey) -> list[Hit]:
    needles = _needles(journey)
    hits = [hit for place, text in _stored_texts() for hit in _hits_in(place, text, needles)]
    for path in sorted(p for p in journey.media.rglob("*")):
        text = path.name + (path.read_bytes().decode("utf-8", "replace") if path.is_file() else "")
        hits.extend(_hits_in(f"media:{path.relative_to(journey.media)}", text, needles))
    hits.extend(hit for line in journey.access_log for hit in _hits_in("access log", line, needles))
    for notice in journey.partner_tool.received if journey.partner_tool else []:
        hits.extend(_hits_in("webhook notice", notice.body.decode(), needles))
    return hits


def rows_pointing_at(contact_id: int) -> set[str]:
    """`table.contact_id` for every table (history included) with a row whose `contact_id` is this id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = "
            "current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = 'contact_id' ORDER BY 1"
        )
        tables = [table for (table,) in cursor.fetchall()]
        found = set()
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE contact_id = %s)', [contact_id])
            if cursor.fetchone()[0]:
                found.add(f"{table}.contact_id")
    return found


def report(hits: list[Hit]) -> str:
    return "survived the erasure:\n" + "\n".join(f"  {hit.place}: {hit.label}: …{hit.excerpt}…" for hit in hits)


def documented_as_kept() -> set[str]:
    """The `table.column` names docs/erasure.md lists (in backquotes) as outliving an erasure."""
    return set(re.findall(r"`([a-z0-9_]+\.[a-z0-9_]+)`", DOC.read_text()))


# ------------------------------------------------------------------ the tests


@pytest.fixture
def journey(cast, settings, tmp_path, eager_celery) -> Iterator[Journey]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # the partner's tool listens on this machine, which an operator allows for a lab only
    settings.WEBHOOK_HTTP_HOSTS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1"], True
    log: list[str] = []
    admin, dpo = Client(), Client()
    admin.force_login(cast["Administrator"])
    dpo.force_login(cast["DPO"])
    with receiving(200) as partner_tool:
        yield Journey(
            admin=logged(admin, log),
            dpo=logged(dpo, log),
            api=logged(staff_api(cast["Administrator"]), log),
            media=settings.MEDIA_ROOT,
            access_log=log,
            partner_tool=partner_tool,
        )


# Every periodic task, and what it does in the forensic test once the restore window is over (None: it
# removes nothing). A new periodic task must be added here, so that a new purge takes part in the test.
PERIODIC_TASKS: dict[str, Callable[..., tuple] | None] = {
    "core.tasks.heartbeat": None,
    # Aggregates (counts, per-month series, staff users' names) and the DPO's digest: nothing about the person.
    "core.tasks.refresh_figures": None,
    "core.tasks.send_alert_digest": None,
    "crm.tasks.send_art14_notices": None,
    "crm.tasks.expire_import_jobs": import_jobs_expire,
    "retention.tasks.evaluate_policies": lambda now: retention_purges(now.date()),
    "retention.tasks.send_repermission_requests": None,  # sends messages, removes nothing
    "dsar.fulfilment.tasks.expire_response_files": lambda now: response_files_expire(now=now),
    "dsar.tasks.send_reminders": None,
    "dsar.tasks.lapse_unverified": lambda now: submissions_lapse(now=now),
}


def retention_purges(today: date) -> tuple[bool]:
    """The daily evaluation on `today`, each run it queues carried out here, batch after batch."""
    for run in policies_evaluate(today=today):
        while purge_run_batch(run_id=run.pk):
            pass
    return (False,)


def erase_through_the_purge(journey: Journey) -> None:
    """31 days later: the periodic purges have run, the contact's erasure among them."""
    later = timezone.now() + timedelta(days=31)
    for purge in filter(None, PERIODIC_TASKS.values()):
        while purge(now=later)[-1]:  # each returns (..., has_more)
            pass
    assert not Contact._base_manager.filter(pk=journey.contact_id).exists()
    erased = RecipientNotification.objects.filter(contact_ref=journey.contact_id, cause="erasure")
    assert {PARTNER, "Newsletter tool"} <= {task.recipient for task in erased}  # Art. 19: both are to be told


def partner_told_by_webhook(journey: Journey) -> None:
    """After the erasure's commit: the partner's tool was told by webhook, which closed its task; the other
    recipient is left to staff."""
    erased = RecipientNotification.objects.filter(contact_ref=journey.contact_id, cause="erasure")
    assert {task.recipient for task in erased if task.status == "sent"} == {PARTNER}
    assert {"restriction", "erasure"} <= {notice.notice["action"] for notice in journey.partner_tool.received}


def run(journey: Journey, steps: list[Callable[[Journey], None]], committing: Callable) -> list[Hit]:
    """Each step as its own committed work: what a service defers to the commit (deleting a file,
    sending a message) happens, as it would outside the test's transaction."""
    for step in steps:
        with committing(execute=True):
            step(journey)
    # a value may only stay where docs/erasure.md says why
    assert {place for planted in journey.planted for place in planted.kept_in} <= documented_as_kept()
    # every planted value is really stored somewhere before the erasure, or the scan would prove nothing
    before = {hit.label for hit in scan(journey)}
    assert {planted.label for planted in journey.planted} <= before
    assert {f"{table}.contact_id" for table in journey.linked} <= rows_pointing_at(journey.contact_id)
    with committing(execute=True):
        erase_through_the_purge(journey)
    partner_told_by_webhook(journey)
    # nothing points at the erased id any more, except what docs/erasure.md keeps (the purge ledger)
    assert rows_pointing_at(journey.contact_id) <= documented_as_kept()
    return scan(journey)


def test_nothing_planted_about_a_person_survives_their_erasure(journey, django_capture_on_commit_callbacks):
    hits = run(journey, STEPS, django_capture_on_commit_callbacks)
    assert not hits, report(hits)


def test_every_periodic_task_is_known_to_the_forensic_test(settings):
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == set(PERIODIC_TASKS)


def test_the_scan_finds_a_planted_value_in_a_table_a_history_table_an_encrypted_column_and_the_media(journey):
    # given a person with a value in a plain column, an encrypted one, and a file in the media folder
    create_through_the_ui(journey)
    journey.media.mkdir(parents=True, exist_ok=True)
    (journey.media / "left-behind.csv").write_text(f"x,{journey.planted[0].value}\n")
    journey.access_log.append(f"GET /contacts/?q={journey.emails[0]} HTTP/1.1")

    places = {(hit.place, hit.label) for hit in scan(journey)}

    assert ("crm_contact.first_name", "first name") in places
    assert ("crm_historicalcontact.first_name", "first name") in places
    assert ("crm_contact.notes", "note") in places  # encrypted at rest, found decrypted
    assert ("crm_contactpoint.value_index", "email blind index") in places
    assert ("media:left-behind.csv", "first name") in places
    assert ("access log", "email address") in places
