"""Demo and load-test data: `seed_demo`, `generate_contacts` and crm.generation."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core import roles
from crm import generation
from crm.management.commands.seed_demo import STAFF, demo_password
from crm.models import Contact
from crm.normalise import normalise_email, normalise_phone

FICTION_PREFIXES = (*generation.FR_FICTION_PREFIXES, *generation.UK_FICTION_PREFIXES)
pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


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

    seed("--contacts", "5")

    dpo.refresh_from_db()
    assert dpo.check_password(demo_password("dpo", "test-seed"))
    assert Contact.objects.count() == 5
    assert get_user_model().objects.filter(username__in=list(STAFF)).count() == len(STAFF)


def test_seed_demo_contacts_are_attributed_to_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")

    seed("--contacts", "8")

    history = Contact.history.model.objects.all()
    assert history.count() == 8
    assert set(history.values_list("history_actor_kind", "history_actor_label", "history_type")) == {
        ("system", "seed_demo", "+")
    }


def test_demo_password_without_seed_is_random() -> None:
    assert demo_password("dpo", "s") == demo_password("dpo", "s") != demo_password("sales", "s")
    assert len(demo_password("dpo", "")) == 14
    assert demo_password("dpo", "") != demo_password("dpo", "")


def _check_generated(count: int) -> None:
    contacts = list(Contact.objects.order_by("id"))
    assert len(contacts) == count
    assert len({c.email for c in contacts}) == count
    assert all(c.phone == "" or c.phone.startswith(FICTION_PREFIXES) for c in contacts)
    assert all(c.phone == "" or normalise_phone(c.phone) == c.phone for c in contacts)  # valid, stored as E.164
    assert all(normalise_email(c.email) == c.email for c in contacts)
    assert all(c.email.rsplit("@", 1)[1].split(".")[-2] == "example" for c in contacts)
    with_notes = [c for c in contacts if c.notes]
    assert 0 < len(with_notes) < count // 3  # about one in ten, decrypted on read
    history = Contact.history.model.objects.order_by("id")
    assert list(history.values_list("id", flat=True)) == [c.id for c in contacts]
    assert set(history.values_list("history_actor_kind", "history_actor_label", "history_type")) == {
        ("job", "generate_contacts", "+")
    }
    assert not history.filter(history_user__isnull=False).exists()
    first = history.first()
    assert (first.notes, first.history_date) == (contacts[0].notes, contacts[0].created_at)


def test_generate_contacts_copies_contacts_and_history() -> None:
    call_command("generate_contacts", "250", "--batch", "100", "--seed", "3", stdout=None)

    _check_generated(250)


def test_generate_contacts_falls_back_to_bulk_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generation, "bulk_writer", generation.OrmWriter)

    result = generation.contacts_generate(120, batch_size=50, seed=3)

    assert (result.created, len(result.batch_seconds)) == (120, 3)
    _check_generated(120)


def test_generate_contacts_adds_to_existing_contacts() -> None:
    generation.contacts_generate(30, batch_size=50, seed=1)

    generation.contacts_generate(30, batch_size=50, seed=1)

    assert Contact.objects.count() == 60
    assert Contact.objects.values("email").distinct().count() == 60


def test_batch_steps_see_each_batch_with_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[int]] = []
    monkeypatch.setattr(generation, "_batch_steps", [lambda ctx: seen.append([row["id"] for row in ctx.contacts])])

    generation.contacts_generate(25, batch_size=10, seed=2)

    assert [len(ids) for ids in seen] == [10, 10, 5]
    assert sorted(pk for ids in seen for pk in ids) == list(Contact.objects.order_by("id").values_list("id", flat=True))
