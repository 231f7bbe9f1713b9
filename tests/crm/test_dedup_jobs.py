"""Duplicate detection runs: the command and its CSV, incremental runs, remembered decisions, a real worker."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.management import call_command

from crm.dedup.jobs import likely_matches
from crm.dedup.merge import candidate_dismiss
from crm.models import Contact, DedupRun, DuplicateCandidate, ExternalId

from ..factories import ContactFactory


def _people() -> tuple:
    anne = ContactFactory(
        first_name="Anne", last_name="Durand", emails=["anne@example.org"], birth_date=date(1980, 5, 4)
    )
    twin = ContactFactory(
        first_name="ANNE", last_name="Durant", emails=["Anne+crm@Example.org"], birth_date=date(1980, 4, 5)
    )
    ExternalId.objects.create(contact=twin, system="erp", value="E-9")
    # A household: same surname, street, postcode and landline, another first name and birth date.
    paul = ContactFactory(
        first_name="Paul", last_name="Martin", street="3 rue Pasteur", postal_code="69001",
        phones=["+33145678901"], birth_date=date(1950, 1, 1),
    )  # fmt: skip
    lise = ContactFactory(
        first_name="Lise", last_name="Martin", street="3 rue Pasteur", postal_code="69001",
        phones=["+33145678901"], birth_date=date(1952, 3, 9),
    )  # fmt: skip
    return anne, twin, paul, lise


@pytest.mark.django_db
def test_find_duplicates_exports_the_true_pair_and_not_the_household(tmp_path):
    anne, twin, _paul, _lise = _people()
    out = tmp_path / "pairs.csv"

    call_command("find_duplicates", "--full", "--export", str(out))

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(int(r["contact_a"]), int(r["contact_b"])) for r in rows] == [(anne.pk, twin.pk)]
    assert rows[0]["external_id_b"] == "E-9"
    assert "birth_date_day_month_swapped" in rows[0]["reasons"]
    run = DedupRun.objects.get()
    assert (run.status, run.mode, run.found) == ("done", "full", 1)


@pytest.mark.django_db
def test_a_dismissed_pair_is_never_proposed_again_and_incremental_runs_compare_changed_contacts():
    _anne, _twin, *_ = _people()
    call_command("find_duplicates", "--full")
    candidate_dismiss(candidate=DuplicateCandidate.objects.get())

    call_command("find_duplicates", "--full")
    assert DuplicateCandidate.objects.get().status == "dismissed"

    newcomer = ContactFactory(first_name="Anne", last_name="Durand", emails=["anne.d@example.org"],
                              birth_date=date(1980, 5, 4))  # fmt: skip
    call_command("find_duplicates")
    run = DedupRun.objects.order_by("-pk").first()
    assert run.mode == "incremental"
    assert DuplicateCandidate.objects.filter(status="pending", contact_b=newcomer).count() == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_dedup_workers_score_the_chunks_of_a_run(worker):
    anne, twin, *_ = _people()
    call_command("find_duplicates", "--full", "--queue")
    run = DedupRun.objects.get()

    worker.wait_until(lambda: DedupRun.objects.get(pk=run.pk).status == "done", "dedup run")

    run = DedupRun.objects.get(pk=run.pk)
    assert run.chunks_done == run.chunks_total > 0
    assert list(DuplicateCandidate.objects.values_list("contact_a", "contact_b")) == [(anne.pk, twin.pk)]


@pytest.mark.django_db
def test_auto_merge_is_off_by_default_and_never_takes_a_restricted_contact(settings):
    from crm.services.restriction import contact_restriction_place

    def twins(name: str, email: str) -> tuple:
        common = {"first_name": "Anne", "last_name": name, "birth_date": date(1980, 5, 4), "street": "1 rue Pasteur"}
        first = ContactFactory(**common, postal_code="69001", emails=[email], phones=["+33145678901"])
        second = ContactFactory(**common, postal_code="69001", emails=[email.replace("@", "+x@")])
        return first, second

    a1, a2 = twins("Durand", "anne@example.org")
    call_command("find_duplicates", "--full")
    assert not Contact.objects.filter(merged_into__isnull=False).exists()  # off: a person decides

    settings.DEDUP_AUTO_MERGE = True
    b1, b2 = twins("Colin", "anne.colin@example.org")
    _c1, c2 = twins("Perrin", "anne.perrin@example.org")
    contact_restriction_place(contact=c2, reason="Accuracy contested")
    call_command("find_duplicates")

    merged = dict(Contact._base_manager.filter(merged_into__isnull=False).values_list("pk", "merged_into"))
    # the older record survives; the restricted pair waits for a person (the first pair shares a block with the
    # new ones, so the incremental run scored it again)
    assert merged == {b2.pk: b1.pk, a2.pk: a1.pk}


@pytest.mark.django_db
def test_a_new_contact_that_looks_like_an_existing_one_warns_once_then_saves(role_client):
    existing = ContactFactory(first_name="Robert", last_name="Durand", birth_date=date(1980, 5, 4))
    ContactFactory(first_name="Lise", last_name="Durand", birth_date=date(1950, 1, 1))  # a relative: not shown
    client = role_client("Support")
    data = {
        "first_name": "Bob", "last_name": "Durand", "birth_date": "1980-05-04", "kind": "consumer",
        "status": "prospect", "source": "manual", "preferred_language": "fr",
    }  # fmt: skip

    warned = client.post("/contacts/new/", data)

    assert warned.status_code == 200
    assert [c.pk for c, _reasons in warned.context["likely_matches"]] == [existing.pk]
    assert not Contact.objects.filter(first_name="Bob").exists()
    saved = client.post("/contacts/new/", {**data, "confirm_not_duplicate": "1"})
    assert saved.status_code == 302 and Contact.objects.filter(first_name="Bob").exists()


@pytest.mark.django_db
def test_a_shared_phone_counts_for_a_likely_match_before_saving_a_contact():
    # the stored phone is read by its blind index: the new contact's number must be compared the same way
    existing = ContactFactory(first_name="Anne", last_name="Durand", phones=["+33612345678"])

    matches = likely_matches(values={"first_name": "Anne", "last_name": "Durand", "phones": ["06 12 34 56 78"]})

    assert [contact.pk for contact, _score in matches] == [existing.pk]
    codes = [code for code, _value in matches[0][1].reasons]
    assert "phone_same" in codes and "phone_different" not in codes
