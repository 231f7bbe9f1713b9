# ruff: noqa: F811 - the consent fixtures are imported by name and requested as arguments
"""Merging two contacts (CON-08): consent kept and recomputed, every related row moved, all or nothing, undo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from consent.models import ConsentEvent, ConsentState
from consent.services import consent_event_record
from core.actors import Actor, acting_as
from core.models import AuditEvent
from crm.dedup import merge as merge_module
from crm.dedup.merge import MergeRefused, contact_merge_undo, contacts_merge, merged_target
from crm.models import Contact, ContactMerge, ContactPoint, DuplicateCandidate, ExternalId, Interaction, Tag
from crm.services.restriction import contact_restriction_place
from retention.services import legal_hold_place
from tests.consent.conftest import activity, newsletter, wording_en  # noqa: F401 - fixtures

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def pair(db: None) -> tuple[Contact, Contact]:
    tag_a, tag_b = Tag.objects.create(name="vip"), Tag.objects.create(name="salon")
    a = ContactFactory(
        first_name="Anne", last_name="Durand", emails=["anne@example.org"], phones=["+33145678901"], tags=[tag_a]
    )
    b = ContactFactory(
        first_name="Anne",
        last_name="Durant",
        emails=["a.durand@example.net"],
        phones=["+33145678901", "+33612345678"],
        tags=[tag_b],
        birth_date=date(1980, 5, 4),
        city="Lyon",
        external_ids={"erp": "E-1"},
    )
    return a, b


def _events(contact: Contact) -> list[tuple[str, str]]:
    return list(ConsentEvent.objects.filter(contact=contact).values_list("action", "note"))


def test_a_withdrawal_on_the_merged_record_wins_over_an_older_consent_and_both_events_stay(
    pair, newsletter, wording_en
):
    a, b = pair
    # given: A consented ten days ago, B withdrew two days ago
    with acting_as(Actor.system("test")):
        consent_event_record(
            contact=a,
            purpose=newsletter,
            channel="email",
            action="given",
            method="web_form",
            wording=wording_en,
            occurred_at=NOW - timedelta(days=10),
        )
        consent_event_record(
            contact=b,
            purpose=newsletter,
            channel="email",
            action="withdrawn",
            method="unsubscribe_link",
            occurred_at=NOW - timedelta(days=2),
        )
    assert ConsentState.objects.get(contact=a).status == "granted"

    # when
    with acting_as(Actor.system("test")):
        merge = contacts_merge(survivor=a, merged=b)

    # then: withdrawn, with A's and B's events both visible on the survivor; B keeps its own
    assert ConsentState.objects.get(contact=a, purpose=newsletter, channel="email").status == "withdrawn"
    actions = [action for action, _note in _events(a)]
    assert actions == ["given", "withdrawn"]
    assert f"merge #{merge.pk}" in _events(a)[1][1]
    assert [action for action, _note in _events(b)] == ["withdrawn"]
    event = AuditEvent.objects.get(action="contact.merged")
    assert (event.data["survivor"], event.data["merged"]) == (a.pk, b.pk)


def test_a_consent_given_after_a_withdrawal_on_the_other_record_is_the_current_answer(pair, newsletter, wording_en):
    a, b = pair
    consent_event_record(
        contact=b, purpose=newsletter, channel="email", action="withdrawn", method="web_form",
        occurred_at=NOW - timedelta(days=10),
    )  # fmt: skip
    consent_event_record(
        contact=a, purpose=newsletter, channel="email", action="given", method="web_form", wording=wording_en,
        occurred_at=NOW - timedelta(days=1),
    )  # fmt: skip

    contacts_merge(survivor=b, merged=a)

    assert ConsentState.objects.get(contact=b).status == "granted"


def test_merge_moves_points_tags_ids_and_related_rows_and_leaves_a_redirecting_tombstone(pair, dpo_user):
    a, b = pair
    Interaction.objects.create(contact=b, kind="call", subject="Called", occurred_at=NOW)
    legal_hold_place(owner=dpo_user, reason="Litigation", ends_on=date.today() + timedelta(days=30), contact=b)
    contact_restriction_place(contact=b, reason="Accuracy contested")
    DuplicateCandidate.objects.create(contact_a=a, contact_b=b, score=9, reasons=[])

    contacts_merge(survivor=a, merged=b)

    a = Contact.objects.get(pk=a.pk)
    b = Contact.objects.get(pk=b.pk)
    assert sorted(a.emails) == ["a.durand@example.org", "anne@example.org"] or sorted(a.emails) == sorted(
        ["anne@example.org", "a.durand@example.net"]
    )
    assert sorted(a.phones) == ["+33145678901", "+33612345678"]
    assert a.primary_email == "anne@example.org"
    assert sorted(a.tags.values_list("name", flat=True)) == ["salon", "vip"]
    assert ExternalId.objects.get(value="E-1").contact_id == a.pk
    assert a.interactions.count() == 1 and a.legal_holds.count() == 1
    assert a.restricted and a.restriction_reason == "Accuracy contested"
    assert (a.birth_date, a.city) == (date(1980, 5, 4), "Lyon")  # empty on the survivor: filled
    assert b.merged_into_id == a.pk and b.deleted_at is not None
    assert merged_target(b) == a
    assert DuplicateCandidate.objects.get().status == "merged"
    assert a.history.first().history_change_reason == f"merged with contact #{b.pk}"


def test_the_merged_away_contact_page_redirects_to_the_survivor(pair, role_client):
    a, b = pair
    contacts_merge(survivor=a, merged=b)

    response = role_client("Administrator").get(f"/contacts/{b.pk}/")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/contacts/{a.pk}/")


def _table_counts() -> dict[str, int]:
    tables = [t for t in connection.introspection.table_names() if t.startswith(("crm_", "consent_", "retention_"))]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.parametrize("failing", range(len(merge_module.MERGE_STEPS)))
def test_a_merge_interrupted_at_any_step_leaves_the_database_unchanged(
    pair, newsletter, wording_en, monkeypatch, failing
):
    a, b = pair
    consent_event_record(
        contact=b, purpose=newsletter, channel="email", action="given", method="web_form", wording=wording_en
    )
    before = _table_counts()
    steps = list(merge_module.MERGE_STEPS)
    original = steps[failing]

    def broken(*args):
        original(*args)
        raise RuntimeError("disk full")

    steps[failing] = broken
    monkeypatch.setattr(merge_module, "MERGE_STEPS", steps)

    with pytest.raises(RuntimeError):
        contacts_merge(survivor=a, merged=b)

    assert _table_counts() == before


def test_undo_restores_both_records_exactly(pair, newsletter, wording_en):
    a, b = pair
    consent_event_record(
        contact=b, purpose=newsletter, channel="email", action="given", method="web_form", wording=wording_en
    )
    before = _table_counts()
    a_fields = Contact.objects.filter(pk=a.pk).values().get()
    b_points = sorted(ContactPoint.objects.filter(contact=b).values_list("pk", "is_primary"))

    merge = contacts_merge(survivor=a, merged=b, choices={"first_name": "merged", "last_name": "merged"})
    assert Contact.objects.get(pk=a.pk).last_name == "Durant"
    contact_merge_undo(merge=merge)

    after_a = Contact.objects.filter(pk=a.pk).values().get()
    assert {k: v for k, v in after_a.items() if k != "updated_at"} == {
        k: v for k, v in a_fields.items() if k != "updated_at"
    }
    assert sorted(ContactPoint.objects.filter(contact=b).values_list("pk", "is_primary")) == b_points
    b = Contact.objects.get(pk=b.pk)
    assert b.merged_into_id is None and b.deleted_at is None
    assert sorted(b.tags.values_list("name", flat=True)) == ["salon"]
    assert [action for action, _ in _events(a)] == []
    assert ContactMerge.objects.get().undone_at is not None
    changed = {t for t, digest in _table_counts().items() if digest != before[t]}
    # Only history, the merge row itself, updated_at stamps and (re-encrypted on save) point ciphertexts differ.
    assert changed <= {
        "crm_contactpoint",
        "crm_contactmerge",
        "crm_historicalcontact",
        "crm_historicalcontactpoint",
        "crm_historicalexternalid",
        "crm_contact",
        "consent_historicalconsentstate",
        "consent_consentstate",
    }


def test_undo_is_refused_after_the_undo_period(pair):
    a, b = pair
    merge = contacts_merge(survivor=a, merged=b)

    with pytest.raises(MergeRefused):
        contact_merge_undo(merge=merge, now=timezone.now() + merge_module.UNDO_WINDOW + timedelta(minutes=1))


def test_a_contact_cannot_be_merged_twice_or_with_itself(pair):
    a, b = pair
    with pytest.raises(MergeRefused):
        contacts_merge(survivor=a, merged=a)
    contacts_merge(survivor=a, merged=b)
    with pytest.raises(MergeRefused):
        contacts_merge(survivor=a, merged=b)


def _pairs() -> set[tuple[int, int, str]]:
    return set(DuplicateCandidate.objects.values_list("contact_a_id", "contact_b_id", "status"))


def _pending_pair(first: Contact, second: Contact) -> DuplicateCandidate:
    low, high = sorted((first.pk, second.pk))
    return DuplicateCandidate.objects.create(contact_a_id=low, contact_b_id=high, score=0.9, reasons=[["email", 1]])


def test_pairs_still_to_review_follow_the_merged_record_to_the_survivor_and_the_undo_puts_them_back(pair):
    # given a merged pair (a, b), b also paired with c, and with d, which a is already paired with
    a, b = pair
    c, d = ContactFactory(), ContactFactory()
    for first, second in ((a, b), (b, c), (b, d), (a, d)):
        _pending_pair(first, second)
    before = _pairs()

    # when b is merged into a
    merge = contacts_merge(survivor=a, merged=b)

    # then (b, c) is now (a, c) to review; (b, d) is closed since (a, d) is already in the queue
    low, high = sorted((a.pk, c.pk))
    b_d = tuple(sorted((b.pk, d.pk)))
    assert (low, high, "pending") in _pairs()
    assert (*b_d, "merged") in _pairs()
    assert not DuplicateCandidate.objects.filter(status="pending", contact_a=b).exists()
    assert not DuplicateCandidate.objects.filter(status="pending", contact_b=b).exists()

    # and the undo brings back every pair as it was
    contact_merge_undo(merge=merge)
    assert _pairs() == before
