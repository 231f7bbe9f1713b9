"""Demo and load-test data: `seed_demo`, `generate_contacts` and crm.generation."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Max

from access import roles
from core.crypto import blind_index
from crm import generation
from crm.management.commands.seed_demo import STAFF, demo_password
from crm.models import Contact, ContactPoint, Interaction, Organisation, RecipientNotification, Tag
from crm.normalise import normalise_email, normalise_phone

FICTION_PREFIXES = (*generation.FR_FICTION_PREFIXES, *generation.UK_FICTION_PREFIXES)
TRACKED = (Contact, ContactPoint, Interaction, Organisation)
pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


# --------------------------------------------------------------------------- seed_demo


def test_seed_demo_creates_one_user_per_role_with_derived_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")
    monkeypatch.setenv("PORT", "8123")

    output = seed("--contacts", "5")

    users = get_user_model().objects.in_bulk(list(STAFF), field_name="username")
    for username, role in STAFF.items():
        user = users[username]
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password(demo_password(username, "test-seed"))
        assert f"{username}  " in output and demo_password(username, "test-seed") in output
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["dpo"].is_superuser and not users["dpo"].is_staff
    assert set(STAFF.values()) == set(roles.ROLES)
    assert "http://127.0.0.1:8123/" in output


def test_seed_demo_is_idempotent_and_resets_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")
    seed("--contacts", "5")
    dpo = get_user_model().objects.get(username="dpo")
    dpo.set_password("changed-by-someone")
    dpo.save()
    counts = [model.objects.count() for model in (*TRACKED, Tag)]

    output = seed("--contacts", "5")

    dpo.refresh_from_db()
    assert dpo.check_password(demo_password("dpo", "test-seed"))
    assert [model.objects.count() for model in (*TRACKED, Tag)] == counts
    assert Contact.objects.count() == 5
    assert "none added" in output
    assert get_user_model().objects.filter(username__in=list(STAFF)).count() == len(STAFF)


def test_seed_demo_contacts_are_attributed_to_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")

    seed("--contacts", "8")

    history = Contact.history.model.objects.all()
    assert history.filter(history_type="+").count() == 8
    # the demo's rectification and restriction (crm/seeding.py) are changes by the seed too
    assert set(history.values_list("history_actor_kind", "history_actor_label", "history_type")) == {
        ("system", "seed_demo", "+"),
        ("system", "seed_demo", "~"),
    }
    assert set(RecipientNotification.objects.values_list("recipient", "cause")) == {
        ("Partner X", "rectification"),
        ("Partner X", "restriction"),
    }


def test_seed_demo_builds_a_realistic_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")

    seed("--contacts", "120")

    users = get_user_model().objects.in_bulk(list(STAFF), field_name="username")
    contacts = Contact.objects.prefetch_related("points", "tags")
    assert contacts.count() == 120
    assert contacts.filter(deleted_at__isnull=False).count() == 2  # a couple in the trash
    assert all(len(c.emails) == 1 for c in contacts)
    assert 0.4 < sum(1 for c in contacts if c.phones) / 120 < 0.8
    assert 0.2 < contacts.filter(owner=users["sales"]).count() / 120 < 0.5
    owned = contacts.filter(owner=users["sales"]).live()
    assert Contact.objects.restrict(users["sales"]).count() == owned.filter(restricted=False).count()
    assert Organisation.objects.count() == 12
    assert 0.5 < contacts.filter(organisation__isnull=False).count() / 120 < 0.9
    assert 0 < contacts.filter(tags__isnull=False).distinct().count() < 80
    interactions = Interaction.objects.all()
    assert interactions.exists()
    assert set(interactions.values_list("author__username", flat=True)) <= {"sales", "support"}
    for contact in contacts.filter(interactions__isnull=False).annotate(latest=Max("interactions__occurred_at")):
        assert contact.last_interaction_at == contact.latest


# --------------------------------------------------------------------------- generate_contacts


def _raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _check_generated(count: int) -> None:
    contacts = list(Contact.objects.prefetch_related("points").order_by("id"))
    assert len(contacts) == count
    emails = [c.primary_email for c in contacts]
    assert all(len(c.emails) == 1 for c in contacts)
    assert len(set(emails)) == count
    assert all(normalise_email(email) == email for email in emails)
    assert all(email.rsplit("@", 1)[1].split(".")[-2] == "example" for email in emails)
    phones = [c.primary_phone for c in contacts if c.phones]
    assert 0.4 < len(phones) / count < 0.8
    assert all(phone.startswith(FICTION_PREFIXES) and normalise_phone(phone) == phone for phone in phones)
    assert all(p.value_index == blind_index(p.value) for c in contacts for p in c.points.all())
    assert Contact.objects.with_email(emails[-1].upper()).get() == contacts[-1]
    assert all(c.first_name_key == c.first_name.lower() or not c.first_name.isascii() for c in contacts)
    assert 0 < sum(1 for c in contacts if c.notes) < count // 3  # about one in ten, decrypted on read
    assert 0.5 < sum(1 for c in contacts if c.organisation_id) / count < 0.9
    assert 0.15 < Contact.objects.filter(interactions__isnull=False).distinct().count() / count < 0.65
    for contact in Contact.objects.annotate(latest=Max("interactions__occurred_at")):
        assert contact.last_interaction_at == contact.latest
    for model in TRACKED:
        _check_history(model)
    first = Contact.history.order_by("id").first()
    assert (first.notes, first.history_date) == (contacts[0].notes, contacts[0].created_at)


def _check_history(model: type) -> None:
    """One "+" row per row, attributed to the job, holding the very ciphertext of the row."""
    history = model.history.model.objects
    assert sorted(history.values_list("id", flat=True)) == sorted(model.objects.values_list("id", flat=True))
    assert set(history.values_list("history_actor_kind", "history_actor_label", "history_type")) == {
        ("job", "generate_contacts", "+")
    }
    assert not history.filter(history_user__isnull=False).exists()
    encrypted = {ContactPoint: "value", Interaction: "body", Contact: "notes"}.get(model)
    if encrypted:
        table, history_table = model._meta.db_table, model.history.model._meta.db_table
        different = _raw(
            f"SELECT count(*) FROM {table} t JOIN {history_table} h ON h.id = t.id WHERE h.{encrypted} <> t.{encrypted}"
        )
        assert different == [(0,)]
        assert not _raw(f"SELECT 1 FROM {table} WHERE {encrypted} <> '' AND {encrypted} NOT LIKE 'fernet:%%'")


def test_generate_contacts_copies_contacts_points_interactions_and_history() -> None:
    out = StringIO()

    call_command("generate_contacts", "250", "--batch", "100", "--seed", "3", stdout=out)

    _check_generated(250)
    assert Organisation.objects.count() == 12  # one per 20 contacts
    assert "Added 250 contacts" in out.getvalue()


def test_generate_contacts_falls_back_to_bulk_create() -> None:
    result = generation.contacts_generate(120, batch_size=50, seed=3, writer=generation.OrmWriter())

    assert (result.created, len(result.batch_seconds)) == (120, 3)
    assert result.rows["crm.Contact"] == 120
    _check_generated(120)


def test_generate_contacts_adds_to_existing_contacts() -> None:
    generation.contacts_generate(30, batch_size=50, seed=1)

    generation.contacts_generate(30, batch_size=50, seed=1)

    assert Contact.objects.count() == 60
    assert ContactPoint.objects.filter(kind="email").values("value_index").distinct().count() == 60


def test_generate_contacts_without_interactions_or_phones() -> None:
    call_command("generate_contacts", "40", "--interactions-ratio", "0", "--phone-ratio", "0", stdout=StringIO())

    assert Contact.objects.count() == 40
    assert not Interaction.objects.exists()
    assert not Contact.objects.filter(last_interaction_at__isnull=False).exists()
    assert set(ContactPoint.objects.values_list("kind", flat=True)) == {"email"}


def test_batch_steps_see_each_batch_with_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[int]] = []
    monkeypatch.setattr(generation, "_batch_steps", [lambda ctx: seen.append([row["id"] for row in ctx.contacts])])

    generation.contacts_generate(25, batch_size=10, seed=2)

    assert [len(ids) for ids in seen] == [10, 10, 5]
    assert sorted(pk for ids in seen for pk in ids) == list(Contact.objects.order_by("id").values_list("id", flat=True))


def test_owners_and_authors_are_drawn_from_sales_and_support(cast) -> None:
    generation.contacts_generate(200, seed=5)

    owners = Counter(Contact.objects.values_list("owner__username", flat=True))
    assert set(owners) == {"sales", None}
    assert set(Interaction.objects.values_list("author__username", flat=True)) == {"sales", "support"}


# --------------------------------------------------------------------------- phones


def test_fiction_phones_are_handed_out_once_and_skip_taken_numbers() -> None:
    fresh = generation.FictionPhones(seed=1)
    first = fresh.draw("fr_FR")
    assert first.startswith(tuple(generation.FR_FICTION_PREFIXES))

    phones = generation.FictionPhones(taken=[blind_index(first)], seed=1)

    assert phones.left() == fresh.left()  # one drawn from `fresh`, one taken in `phones`
    drawn = [phones.draw("en_GB") for _ in range(phones.left())]
    assert first not in drawn
    assert len(set(drawn)) == len(drawn)
    assert drawn[0].startswith(tuple(generation.UK_FICTION_PREFIXES))
    assert drawn[-1].startswith(tuple(generation.FR_FICTION_PREFIXES))  # the British ranges ran out first
    assert phones.draw("fr_FR") == ""  # none left: no phone rather than a real number


def test_phone_share_shrinks_when_the_fictional_ranges_run_short(monkeypatch: pytest.MonkeyPatch) -> None:
    small = generation.FictionPhones(seed=0)
    small.queues = {locale: queue[:10] for locale, queue in small.queues.items()}
    monkeypatch.setattr(generation.FictionPhones, "from_database", classmethod(lambda cls, seed=0: small))

    generation.contacts_generate(100, seed=4)

    phones = ContactPoint.objects.filter(kind="phone").count()
    assert 5 <= phones <= 20
    assert Contact.objects.count() == 100


def test_demo_password_without_seed_is_random() -> None:
    assert demo_password("dpo", "s") == demo_password("dpo", "s") != demo_password("sales", "s")
    assert len(demo_password("dpo", "")) == 14
    assert demo_password("dpo", "") != demo_password("dpo", "")
