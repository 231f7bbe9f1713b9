"""Each role's group holds exactly the permissions core/roles.py gives it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from core import roles
from core.navigation import AREAS

# The spec, written out so that a change to core/roles.py must be made here too.
EXPECTED_AREAS = {
    roles.ADMINISTRATOR: {
        "access_contacts",
        "access_consents",
        "access_requests",
        "access_registry",
        "access_retention",
        "access_dashboard",
        "access_outbox",
        "access_audit",
    },
    roles.DPO: {
        "access_contacts",
        "access_consents",
        "access_requests",
        "access_registry",
        "access_retention",
        "access_dashboard",
        "access_outbox",
        "access_audit",
    },
    roles.SALES: {"access_contacts", "access_consents"},
    roles.MARKETING: {"access_contacts", "access_consents"},
    roles.SUPPORT: {"access_contacts", "access_requests", "access_outbox"},
    roles.AUDITOR: {
        "access_contacts",
        "access_consents",
        "access_requests",
        "access_registry",
        "access_retention",
        "access_dashboard",
        "access_outbox",
        "access_audit",
    },
}


def _granted(group: Group) -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
def test_migrate_grants_every_role_its_permissions():
    # given only what `migrate` did (the post_migrate handler), no explicit sync
    for role in roles.ROLES:
        group = Group.objects.get(name=role)
        # then every permission the table lists is granted
        assert set(roles.ROLE_PERMISSIONS[role]) <= _granted(group), role


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_has_exactly_its_area_permissions(roles_synced, role):
    group = Group.objects.get(name=role)
    areas = {perm.split(".")[1] for perm in _granted(group) if perm.startswith("core.access_")}
    assert areas == EXPECTED_AREAS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_permissions_all_exist(roles_synced, role):
    # a typo in the table would silently grant nothing
    assert _granted(Group.objects.get(name=role)) >= set(roles.ROLE_PERMISSIONS[role])


def test_sales_and_support_cannot_delete_contacts(cast):
    assert not cast[roles.SALES].has_perm("crm.delete_contact")
    assert not cast[roles.SUPPORT].has_perm("crm.delete_contact")
    assert cast[roles.DPO].has_perm("crm.delete_contact")


def test_auditor_reads_but_does_not_edit_contacts(auditor_user):
    assert auditor_user.has_perm("crm.view_contact")
    assert not auditor_user.has_perm("crm.change_contact")
    assert not auditor_user.has_perm("crm.add_contact")


def test_outsider_has_no_permission(outsider_user):
    assert outsider_user.groups.count() == 0
    assert outsider_user.get_all_permissions() == set()
    assert not any(outsider_user.has_perm(area.permission) for area in AREAS)


def test_every_navigation_area_is_opened_by_a_listed_permission():
    assert {area.permission for area in AREAS} <= set(roles.ALL_AREAS)
