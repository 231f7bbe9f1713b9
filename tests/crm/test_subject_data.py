"""The subject-data map: coverage, collect, erase (DESIGN.md, "the heart of the design")."""

from __future__ import annotations

import json
from dataclasses import replace as replace_fields
from datetime import date

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

import core.subject_data
from consent.models import ConsentEvent
from core.models import AuditEvent, OutboxMessage
from core.subject_data import ON_ERASE_ANONYMISE, Category, PersonalField, declaration_for, keep, personal_data, replace
from crm import checks
from crm import subject_data as subject_data_module
from crm.models import Contact, ContactPoint, Interaction, Organisation
from crm.services import contact_update, interaction_create
from crm.subject_data import _erased_file_fields, coverage_problems, subject_data_collect, subject_data_erase

from ..factories import ContactFactory

# ---------------------------------------------------------------- coverage


@pytest.fixture
def isolated_declarations(monkeypatch):
    """Declarations made by a test vanish with it (the map is a process-wide registry)."""
    monkeypatch.setattr(core.subject_data, "_declarations", dict(core.subject_data._declarations))


@pytest.fixture
def throwaway_models(isolated_declarations):
    """Throwaway -> Contact directly; ThrowawayChild -> Throwaway -> Contact. Neither is declared."""
    with isolate_apps("crm"):

        class Throwaway(models.Model):  # noqa: DJ008 - never displayed
            contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True)
            nickname = models.CharField(max_length=50)

            class Meta:
                app_label = "crm"

        class ThrowawayChild(models.Model):  # noqa: DJ008 - never displayed
            parent = models.ForeignKey(Throwaway, on_delete=models.CASCADE)
            remark = models.TextField()

            class Meta:
                app_label = "crm"

        class Unrelated(models.Model):  # noqa: DJ008 - never displayed
            label = models.CharField(max_length=50)

            class Meta:
                app_label = "crm"

        yield Throwaway, ThrowawayChild, Unrelated


def _problems_for(model: type[models.Model], problems) -> list[str]:
    return [problem.message for problem in problems if problem.model == model._meta.label]


def test_the_real_app_is_fully_covered():
    assert coverage_problems() == []


def test_a_model_pointing_at_a_contact_must_be_declared(throwaway_models):
    throwaway, _child, _unrelated = throwaway_models

    messages = _problems_for(throwaway, coverage_problems([throwaway]))

    assert len(messages) == 1
    assert "through 'contact'" in messages[0]
    assert "not declared" in messages[0]


def test_a_model_reaching_a_contact_through_a_relation_must_be_declared(throwaway_models):
    _throwaway, child, _unrelated = throwaway_models

    messages = _problems_for(child, coverage_problems([child]))

    assert len(messages) == 1
    assert "through 'parent__contact'" in messages[0]


def test_a_model_without_a_path_to_a_contact_needs_no_declaration(throwaway_models):
    _throwaway, _child, unrelated = throwaway_models
    assert coverage_problems([unrelated]) == []


def test_declaring_the_models_clears_the_problems(throwaway_models):
    throwaway, child, _unrelated = throwaway_models

    personal_data(
        subject="contact",
        on_erase=ON_ERASE_ANONYMISE,
        fields={"nickname": PersonalField(Category.IDENTITY, erase=replace(""))},
    )(throwaway)
    personal_data(subject="parent__contact", fields={"remark": PersonalField(Category.INTERACTION)})(child)

    assert coverage_problems([throwaway, child]) == []


def test_a_declared_field_that_does_not_exist_is_reported(throwaway_models):
    throwaway, _child, _unrelated = throwaway_models

    personal_data(subject="contact", fields={"nick_name": PersonalField(Category.IDENTITY)})(throwaway)

    assert _problems_for(throwaway, coverage_problems([throwaway])) == [
        "declares field 'nick_name', which does not exist"
    ]


@pytest.mark.parametrize(
    ("subject", "on_erase", "fields", "expected"),
    [
        ("contact", ON_ERASE_ANONYMISE, {"nickname": PersonalField(Category.IDENTITY)}, "'nickname' says nothing"),
        ("contakt", "delete", {"nickname": PersonalField(Category.IDENTITY)}, "subject path 'contakt' fails"),
        ("", "delete", {"nickname": PersonalField(Category.IDENTITY)}, "empty subject path is only for crm.Contact"),
    ],
)
def test_an_inconsistent_declaration_is_reported(throwaway_models, subject, on_erase, fields, expected):
    throwaway, _child, _unrelated = throwaway_models

    personal_data(subject=subject, on_erase=on_erase, fields=fields)(throwaway)

    messages = _problems_for(throwaway, coverage_problems([throwaway]))
    assert len(messages) == 1
    assert expected in messages[0]


def test_keeping_a_value_needs_a_legal_obligation():
    with pytest.raises(ValueError, match="legal obligation"):
        core.subject_data.keep("")


def test_the_system_check_reports_an_undeclared_model(throwaway_models, monkeypatch):
    throwaway, _child, _unrelated = throwaway_models
    real = subject_data_module.coverage_problems
    monkeypatch.setattr(subject_data_module, "coverage_problems", lambda: real([throwaway]))

    errors = checks.check_subject_data_map()

    assert [error.id for error in errors] == ["crm.E001"]
    assert errors[0].obj == throwaway._meta.label


def test_the_system_check_passes_for_the_real_app():
    assert checks.check_subject_data_map() == []


# ----------------------------------------------------------- erase/collect

FIRST, LAST, EMAIL, PHONE = "Séverine", "Quatremère-Dubois", "severine.qd@example.fr", "+33199001234"
NOTES, BODY = "met at the Lyon fair", "asked for the Grenoble brochure"


@pytest.fixture
def subject(db) -> Contact:
    contact = ContactFactory(first_name=FIRST, last_name=LAST, emails=[EMAIL], notes=NOTES, city="Lyon")
    contact_update(contact=contact, phones=["+33 1 99 00 12 34"], job_title="Pharmacienne")
    interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject="Brochure", body=BODY)
    return contact


@pytest.fixture
def message(subject) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        contact=subject, recipient=EMAIL, template="welcome", subject=f"Welcome {FIRST}", body=f"Dear {FIRST} {LAST}"
    )
    message.status = "sent"
    message.save()
    return message


def _section(sections, label: str):
    matching = [section for section in sections if section.model == label]
    assert len(matching) <= 1
    return matching[0] if matching else None


def test_erasure_removes_the_contact_and_all_its_history(subject, message):
    bystander = ContactFactory(phones=["+33 1 99 00 43 21"])
    assert Contact.history.filter(id=subject.pk).count() == 2
    assert ContactPoint.history.filter(contact_id=subject.pk).count() == 2

    subject_data_erase(contact=subject, reason="Art. 17 request", request_reference="REQ-1")

    assert not Contact.objects.filter(pk=subject.pk).exists()
    for model in (Contact, ContactPoint, Interaction):
        lookup = {"id": subject.pk} if model is Contact else {"contact_id": subject.pk}
        assert not model.objects.filter(**lookup).exists(), model
        assert not model.history.filter(**lookup).exists(), model
    # nobody else's data goes with it
    assert Contact.objects.filter(pk=bystander.pk).exists()
    assert Contact.history.filter(id=bystander.pk).count() == 1
    assert ContactPoint.objects.filter(contact=bystander).count() == 2
    assert ContactPoint.history.filter(contact_id=bystander.pk).count() == 2


def test_erasure_anonymises_the_outbox_and_purges_its_history(subject, message):
    assert OutboxMessage.history.filter(id=message.pk).count() == 2

    subject_data_erase(contact=subject, reason="Art. 17 request")

    message.refresh_from_db()
    assert (message.contact_id, message.recipient, message.subject, message.body) == (None, "", "", "")
    assert (message.template, message.status) == ("welcome", "sent")
    assert OutboxMessage.history.filter(id=message.pk).count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, subject, body FROM core_outboxmessage WHERE id = %s", [message.pk])
        assert cursor.fetchone() == ("", "", "")


def test_erasure_leaves_proof_without_the_data(subject, message):
    subject_pk = subject.pk

    counts = subject_data_erase(contact=subject, reason="Art. 17 request", request_reference="REQ-1")

    event = AuditEvent.objects.get(action="subject.erased")
    assert event.subject_id == subject_pk
    assert event.reason == "Art. 17 request"
    assert event.data["request"] == "REQ-1"
    assert event.data["counts"] == counts
    assert counts["crm.Contact"] == {"deleted": 1, "history_purged": 3}  # created, changed, deleted
    assert counts["crm.ContactPoint"] == {"deleted": 2, "history_purged": 4}  # e-mail and phone: created, deleted
    assert counts["crm.Interaction"] == {"deleted": 1, "history_purged": 2}
    assert counts["core.OutboxMessage"] == {"anonymised": 1, "history_purged": 3}
    stored = json.dumps(
        {field.name: str(getattr(event, field.attname)) for field in AuditEvent._meta.concrete_fields}
        | {"data": event.data},
        ensure_ascii=False,
    )
    for plaintext in (FIRST, LAST, EMAIL, "Lyon", "Grenoble", "+3319900", "Pharmacienne"):
        assert plaintext not in stored


def test_collect_returns_the_declared_fields_points_interactions_and_outbox(subject, message):
    sections = subject_data_collect(contact=subject)

    contact_section = _section(sections, "crm.Contact")
    [row] = contact_section.rows
    assert row["id"] == subject.pk
    assert (row["first_name"], row["last_name"], row["city"], row["job_title"]) == (FIRST, LAST, "Lyon", "Pharmacienne")
    assert row["notes"] == NOTES  # decrypted for the person
    assert "email" not in row and "first_name_key" not in row
    assert contact_section.categories["notes"] == Category.INTERACTION
    assert contact_section.history_rows == 2
    points = _section(sections, "crm.ContactPoint")
    assert sorted(point["value"] for point in points.rows) == sorted([EMAIL, PHONE])
    assert points.categories["value"] == Category.CONTACT_DETAILS
    assert points.history_rows == 2
    [interaction] = _section(sections, "crm.Interaction").rows
    assert (interaction["subject"], interaction["body"]) == ("Brochure", BODY)
    outbox = _section(sections, "core.OutboxMessage")
    assert outbox.rows == [
        {
            "id": message.pk,
            "recipient": EMAIL,
            "subject": f"Welcome {FIRST}",
            "body": f"Dear {FIRST} {LAST}",
            "last_error": "",
        }
    ]
    assert outbox.history_rows == 2


def test_collect_shows_nothing_of_other_contacts(subject, message):
    other = ContactFactory()

    sections = subject_data_collect(contact=other)

    assert [row["id"] for row in _section(sections, "crm.Contact").rows] == [other.pk]
    assert [row["value"] for row in _section(sections, "crm.ContactPoint").rows] == other.emails
    assert _section(sections, "crm.Interaction").rows == []
    assert _section(sections, "core.OutboxMessage").rows == []


def test_portable_collect_omits_what_the_person_did_not_provide(subject, message):
    sections = subject_data_collect(contact=subject, portable_only=True)

    contact_section = _section(sections, "crm.Contact")
    assert {"id", "first_name", "last_name", "city", "job_title"} <= set(contact_section.rows[0])
    assert not {"notes", "status", "source", "last_interaction_at"} & set(contact_section.rows[0])
    assert "notes" not in contact_section.categories
    assert sorted(point["value"] for point in _section(sections, "crm.ContactPoint").rows) == sorted([EMAIL, PHONE])
    assert _section(sections, "crm.Interaction") is None
    assert _section(sections, "core.OutboxMessage") is None


def test_erasure_purges_the_history_of_points_deleted_before_it(subject):
    # given an address the person had, replaced before the erasure: its point is gone, its history rows stay
    contact_update(contact=subject, emails=["severine.new@example.fr"])
    former = ContactPoint.history.filter(contact_id=subject.pk, history_type="-")
    assert former.count() == 1 and not ContactPoint.objects.filter(pk=former.get().id).exists()

    counts = subject_data_erase(contact=subject, reason="Art. 17 request")

    # then no history row of any of the person's points remains, the deleted one's included
    assert not ContactPoint.history.filter(contact_id=subject.pk).exists()
    assert counts["crm.ContactPoint"]["history_purged"] == 6  # old e-mail, phone, new e-mail: created, deleted


# ------------------------------------------- what mutation testing showed untested (BENCHMARKS.md)


def test_paths_to_a_contact_are_found_past_the_fields_that_are_not_relations():
    assert subject_data_module.path_to_contact(Contact) == ""
    assert subject_data_module.path_to_contact(Interaction) == "contact"  # after "id", which is no relation
    assert subject_data_module.path_to_contact(ContactPoint) == "contact"
    assert subject_data_module.path_to_contact(AuditEvent) is None


def test_an_undeclared_model_is_reported_even_after_a_history_table(throwaway_models):
    throwaway, _child, _unrelated = throwaway_models

    messages = _problems_for(throwaway, coverage_problems([Contact.history.model, throwaway]))

    assert messages == [
        "points at crm.Contact through 'contact' but is not declared in the subject-data map "
        "(decorate it with @personal_data)"
    ]


def test_an_anonymised_model_that_cascade_deletes_with_its_contact_is_reported(isolated_declarations):
    with isolate_apps("crm"):

        class Cascading(models.Model):  # noqa: DJ008 - never displayed
            contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
            nickname = models.CharField(max_length=50)

            class Meta:
                app_label = "crm"

        fields = {"nickname": PersonalField(Category.IDENTITY, erase=replace(""))}
        personal_data(subject="contact", on_erase=ON_ERASE_ANONYMISE, fields=fields)(Cascading)

        assert _problems_for(Cascading, coverage_problems([Cascading])) == [
            "is anonymised on erasure but CASCADE-deletes with its contact"
        ]


def test_collect_shows_related_objects_by_name_dates_as_text_and_each_section_by_its_name(subject, message):
    organisation = Organisation.objects.create(name="Pharmacie du Parc")
    contact_update(contact=subject, organisation=organisation, birth_date=date(1980, 2, 29))

    sections = subject_data_collect(contact=subject)

    contact_section = _section(sections, "crm.Contact")
    [row] = contact_section.rows
    assert (row["organisation"], row["birth_date"]) == ("Pharmacie du Parc", "1980-02-29")
    assert contact_section.verbose_name == "contacts"
    assert json.dumps(row)  # an access report is serialisable as it is


def test_collect_counts_the_history_of_contact_points_removed_before(subject, message):
    contact_update(contact=subject, phones=[])  # the phone point is deleted; its history still names the person

    points = _section(subject_data_collect(contact=subject), "crm.ContactPoint")

    assert [point["value"] for point in points.rows] == [EMAIL]
    assert points.history_rows == 3  # e-mail created; phone created, deleted


def test_erasure_reports_what_it_kept_and_anonymises_every_row(subject, message):
    second = OutboxMessage.objects.create(contact=subject, recipient=EMAIL, template="reminder", subject="s", body="b")

    counts = subject_data_erase(contact=subject, reason="Art. 17 request")

    assert counts["core.OutboxMessage"]["anonymised"] == 2
    second.refresh_from_db()
    assert (second.contact_id, second.recipient, second.template) == (None, "", "reminder")
    event = AuditEvent.objects.get(action="subject.erased")
    assert event.data["kept_under_obligation"] == {}  # nothing in the map is kept under an obligation today
    assert event.data["recipients_to_notify"] == 0


def test_erasure_removes_the_files_of_declared_file_fields_except_those_kept_under_an_obligation():
    deleted = declaration_for(ConsentEvent)
    assert _erased_file_fields(deleted) == ["attachment"]  # the only file field; text fields never listed
    proof = PersonalField("consent_proof", erase=replace(""))
    anonymised = replace_fields(deleted, on_erase=ON_ERASE_ANONYMISE, fields={"note": proof, "attachment": proof})
    assert _erased_file_fields(anonymised) == ["attachment"]
    kept = PersonalField("consent_proof", erase=keep("Art. 7(1): the signed form"))
    assert _erased_file_fields(replace_fields(anonymised, fields={"attachment": kept})) == []
    assert _erased_file_fields(replace_fields(anonymised, fields={"attachment": PersonalField("x")})) == []
