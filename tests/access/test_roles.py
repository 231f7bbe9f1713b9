"""Each role's group holds exactly the permissions core/roles.py gives it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from access import roles
from core.navigation import AREAS

# The spec, written out so that a change to core/roles.py must be made here too.
ALL_AREAS = {
    "access.access_contacts",
    "access.access_consents",
    "access.access_requests",
    "access.access_registry",
    "access.access_retention",
    "access.access_dashboard",
    "access.access_outbox",
    "access.access_audit",
}
CRM_EVERYTHING = {
    "crm.view_contact",
    "crm.add_contact",
    "crm.change_contact",
    "crm.delete_contact",
    "crm.view_all_contacts",
    "crm.view_restricted_contact",
    "crm.restrict_contact",
    "crm.export_contact",
    "crm.import_contact",
    "crm.view_interaction",
    "crm.add_interaction",
    "crm.change_interaction",
    "crm.delete_interaction",
    "crm.view_organisation",
    "crm.add_organisation",
    "crm.change_organisation",
    "crm.delete_organisation",
    "crm.view_tag",
    "crm.add_tag",
    "crm.change_tag",
    "crm.delete_tag",
    "crm.view_contactaccess",
    "crm.view_disclosure",
    "crm.view_importjob",
    "crm.view_recipientnotification",
    "crm.change_recipientnotification",
    "crm.merge_contact",  # duplicate review and merge
    # Art. 19 webhooks: the administrator and the DPO register them
    "crm.view_recipientendpoint",
    "crm.add_recipientendpoint",
    "crm.change_recipientendpoint",
    "crm.delete_recipientendpoint",
    "crm.view_webhookdelivery",
}
# Registry (issue 7): the auditor reads it, the administrator maintains it, only the DPO approves and
# keeps the breach register.
REGISTRY_READ = {
    "registry.view_processingactivity",
    "registry.view_recipient",
    "registry.view_activitycomment",
    "registry.view_activityapproval",
    "registry.view_breach",
    "registry.view_breachnotification",
    "registry.view_organisationprofile",
}
REGISTRY_MAINTAIN = {
    *REGISTRY_READ,
    "registry.add_processingactivity",
    "registry.change_processingactivity",
    "registry.add_activitycomment",
    "registry.add_recipient",
    "registry.change_recipient",
    "registry.change_organisationprofile",
}
REGISTRY_DPO = {
    *REGISTRY_MAINTAIN,
    "registry.approve_processingactivity",
    "registry.add_breach",
    "registry.change_breach",
    "registry.add_breachnotification",
}
# Consents (issue 8): Sales record what people say, Marketing, the DPO and the administrator also manage purposes,
# wordings and audience exports; the auditor reads.
CONSENT_READ = {
    "consent.view_purpose",
    "consent.view_consentwording",
    "consent.view_consentevent",
    "consent.view_consentstate",
}
CONSENT_RECORD = {*CONSENT_READ, "consent.add_consentevent"}
RETENTION_READ = {"retention.view_retentionpolicy", "retention.view_purgerun", "retention.view_legalhold"}
RETENTION_OPERATE = {
    *RETENTION_READ,
    "retention.add_purgerun",
    "retention.add_legalhold",
    "retention.change_legalhold",
}
RETENTION_DPO = {
    *RETENTION_OPERATE,
    "retention.change_retentionpolicy",
    "retention.approve_purgerun",
    "retention.open_archive",
}
CONSENT_MANAGE = {
    *CONSENT_RECORD,
    "consent.add_purpose",
    "consent.change_purpose",
    "consent.add_consentwording",
    "consent.change_consentwording",
    "consent.export_audience",
}
# Requests (issue 10): support and the DPO handle them, only the DPO extends or refuses; the administrator and
# the auditor read them.
DSAR_HANDLE = {"dsar.view_request", "dsar.add_request", "dsar.change_request"}
DSAR_DPO = {*DSAR_HANDLE, "dsar.decide_request"}
# Fulfilment: the DPO and Support answer requests; only the DPO erases.
DSAR_FULFIL = {"dsar.fulfil_request"}
DSAR_ERASE = {*DSAR_FULFIL, "dsar.erase_request"}
EXPECTED_PERMISSIONS = {
    roles.ADMINISTRATOR: {
        *ALL_AREAS,
        *CRM_EVERYTHING,
        "core.view_outboxmessage",
        "access.view_apikey",
        "access.add_apikey",
        "access.revoke_apikey",
        "access.view_loginguard",
        "access.unlock_account",
        "access.view_accessreview",
        "access.add_accessreview",
        *REGISTRY_MAINTAIN,
        *CONSENT_MANAGE,
        *RETENTION_OPERATE,
        "dsar.view_request",
    },
    roles.DPO: {
        *ALL_AREAS,
        *CRM_EVERYTHING,
        "core.view_outboxmessage",
        "core.view_auditevent",
        "access.view_accessreview",
        "access.add_accessreview",
        *REGISTRY_DPO,
        *CONSENT_MANAGE,
        *RETENTION_DPO,
        *DSAR_DPO,
        *DSAR_ERASE,
    },
    # Sales own their contacts (no view_all_contacts) and may soft-delete them.
    roles.SALES: {
        "access.access_contacts",
        "access.access_consents",
        "crm.view_contact",
        "crm.add_contact",
        "crm.change_contact",
        "crm.delete_contact",
        "crm.export_contact",
        "crm.import_contact",
        "crm.view_interaction",
        "crm.add_interaction",
        "crm.change_interaction",
        "crm.view_organisation",
        "crm.add_organisation",
        "crm.change_organisation",
        "crm.view_tag",
        "crm.add_tag",
        *CONSENT_RECORD,
    },
    # Marketing sees every contact but no interaction (so no bodies, no notes).
    roles.MARKETING: {
        "access.access_contacts",
        "access.access_consents",
        "crm.view_contact",
        "crm.add_contact",
        "crm.change_contact",
        "crm.view_all_contacts",
        "crm.export_contact",
        "crm.import_contact",
        "crm.view_organisation",
        "crm.view_tag",
        "crm.add_tag",
        "crm.change_tag",
        *CONSENT_MANAGE,
    },
    roles.SUPPORT: {
        "access.access_contacts",
        "access.access_requests",
        "access.access_outbox",
        "core.view_outboxmessage",
        "crm.view_contact",
        "crm.add_contact",
        "crm.change_contact",
        "crm.view_all_contacts",
        "crm.merge_contact",  # Support reviews duplicates and merges them (issue 11)
        "crm.view_interaction",
        "crm.add_interaction",
        "crm.change_interaction",
        "crm.view_organisation",
        "crm.view_tag",
        *DSAR_HANDLE,
        *DSAR_FULFIL,
    },
    # The auditor reads everything and writes nothing.
    roles.AUDITOR: {
        *ALL_AREAS,
        "core.view_outboxmessage",
        "core.view_auditevent",
        "access.view_accessreview",
        "crm.view_contact",
        "crm.view_all_contacts",
        "crm.view_restricted_contact",
        "crm.view_interaction",
        "crm.view_organisation",
        "crm.view_tag",
        "crm.view_contactaccess",
        "crm.view_disclosure",
        "crm.view_recipientnotification",
        "crm.view_recipientendpoint",
        "crm.view_webhookdelivery",
        *REGISTRY_READ,
        *CONSENT_READ,
        *RETENTION_READ,
        "dsar.view_request",
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
def test_the_table_is_the_spec(role):
    assert set(roles.ROLE_PERMISSIONS[role]) == EXPECTED_PERMISSIONS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_has_exactly_its_permissions(roles_synced, role):
    assert _granted(Group.objects.get(name=role)) == EXPECTED_PERMISSIONS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_permissions_all_exist(roles_synced, role):
    # a typo in the table would silently grant nothing
    assert _granted(Group.objects.get(name=role)) >= set(roles.ROLE_PERMISSIONS[role])


def test_only_sales_and_the_full_roles_can_delete_contacts(cast):
    deleters = {role for role in roles.ROLES if cast[role].has_perm("crm.delete_contact")}
    assert deleters == {roles.ADMINISTRATOR, roles.DPO, roles.SALES}


def test_sales_see_only_their_own_contacts_and_marketing_no_interactions(cast):
    assert not cast[roles.SALES].has_perm("crm.view_all_contacts")
    assert not cast[roles.MARKETING].has_perm("crm.view_interaction")
    assert cast[roles.SUPPORT].has_perm("crm.view_interaction")


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
