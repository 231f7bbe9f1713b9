"""`Contact.objects.restrict(user, action)` and `trash(user)`: the query every page and endpoint starts from.

Objects belong to someone else (another Sales user) unless a test says the user owns them.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from access import roles
from crm.models import Contact

from ..conftest import OUTSIDER
from ..factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(cast):
    """Live, restricted and soft-deleted contacts owned by another Sales user, and the same owned by Sales."""
    someone_else = UserFactory(username="someone-else", roles=[roles.SALES])
    made = {}
    for whose, owner in (("theirs", someone_else), ("mine", cast[roles.SALES])):
        made[f"{whose}_live"] = ContactFactory(owner=owner)
        made[f"{whose}_restricted"] = ContactFactory(owner=owner)
        made[f"{whose}_deleted"] = ContactFactory(owner=owner)
        made[f"{whose}_deleted_restricted"] = ContactFactory(owner=owner)
    restricted = [made[k].pk for k in made if "restricted" in k]
    Contact.objects.filter(pk__in=restricted).update(restricted=True, restricted_at=timezone.now())
    Contact.objects.filter(pk__in=[made[k].pk for k in made if "deleted" in k]).update(deleted_at=timezone.now())
    return made


def reached(contacts: dict, queryset) -> set[str]:
    pks = set(queryset.values_list("pk", flat=True))
    return {name for name, contact in contacts.items() if contact.pk in pks}


EVERYONE_LIVE = {"theirs_live", "mine_live"}
EVERYONE_RESTRICTED = {"theirs_restricted", "mine_restricted"}


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        # Sales: its own contacts only, never another Sales user's
        (roles.SALES, "view", {"mine_live"}),
        (roles.SALES, "change", {"mine_live"}),
        (roles.SALES, "delete", {"mine_live"}),
        (roles.SALES, "restrict", set()),
        # the DPO and the administrator: every live contact; restricted ones to view and restrict, not to change
        (roles.DPO, "view", EVERYONE_LIVE | EVERYONE_RESTRICTED),
        (roles.DPO, "restrict", EVERYONE_LIVE | EVERYONE_RESTRICTED),
        (roles.DPO, "change", EVERYONE_LIVE),
        (roles.DPO, "delete", EVERYONE_LIVE),
        (roles.ADMINISTRATOR, "view", EVERYONE_LIVE | EVERYONE_RESTRICTED),
        # Support sees every contact but the restricted ones, and deletes none
        (roles.SUPPORT, "view", EVERYONE_LIVE),
        (roles.SUPPORT, "change", EVERYONE_LIVE),
        (roles.SUPPORT, "delete", set()),
        (roles.MARKETING, "view", EVERYONE_LIVE),
        (roles.MARKETING, "delete", set()),
        # the auditor reads everything and changes nothing
        (roles.AUDITOR, "view", EVERYONE_LIVE | EVERYONE_RESTRICTED),
        (roles.AUDITOR, "change", set()),
        (OUTSIDER, "view", set()),
    ],
)
def test_restrict_gives_each_role_the_contacts_it_may_reach(cast, contacts, role, action, expected):
    assert reached(contacts, Contact.objects.restrict(cast[role], action)) == expected


def test_restrict_gives_nothing_without_a_signed_in_user(contacts):
    assert reached(contacts, Contact.objects.restrict(None, "view")) == set()
    assert reached(contacts, Contact.objects.restrict(AnonymousUser(), "view")) == set()
    assert reached(contacts, Contact.objects.trash(AnonymousUser())) == set()


def test_restrict_reads_view_when_no_action_is_named(cast, contacts):
    assert reached(contacts, Contact.objects.restrict(cast[roles.SALES])) == {"mine_live"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.SALES, {"mine_deleted"}),
        (roles.DPO, {"theirs_deleted", "mine_deleted"}),
        (roles.SUPPORT, set()),
        (roles.AUDITOR, set()),
    ],
)
def test_the_trash_holds_the_deleted_contacts_the_user_may_delete_and_never_restricted_ones(
    cast, contacts, role, expected
):
    assert reached(contacts, Contact.objects.trash(cast[role])) == expected


def test_a_user_not_yet_saved_reaches_no_contact(contacts, roles_synced):
    # a user object without a primary key (a form's unsaved instance) must not match contacts without an owner
    ContactFactory(owner=None)
    unsaved = UserFactory.build(username="unsaved")
    unsaved.has_perm = lambda perm: perm != "crm.view_all_contacts"
    assert not Contact.objects.restrict(unsaved, "view").exists()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", ""),
        ("   ", ""),
        ("anna@example.org", "email"),
        ("+33 6 12 34 56 78", "phone"),
        ("06.12.34.56.78", "phone"),
        ("Dupont", "name"),
        ("+Dupont", "name"),
    ],
)
def test_search_reads_an_address_a_number_or_a_name(text, kind):
    from crm.querysets import search_kind

    assert search_kind(text) == kind


def test_search_finds_by_exact_address_or_number_and_by_name_prefix(db):
    anna = ContactFactory(first_name="Anna", last_name="Dupont", emails=["anna@example.org"], phones=["0612345678"])
    other = ContactFactory(first_name="Zoé", last_name="Martin", emails=["zoe@example.org"])

    def found(text: str) -> set[int]:
        return set(Contact.objects.search(text).values_list("pk", flat=True))

    assert found("") == found("  ") == {anna.pk, other.pk}
    assert found("ANNA@example.org") == {anna.pk}
    assert found("06 12 34 56 78") == found("+33 6.12.34.56.78") == {anna.pk}
    assert (found("dup"), found("ZO")) == ({anna.pk}, {other.pk})
    assert found("not-an-address@") == set()
