"""Staff roles: one group each, with the permissions its purpose needs.

The groups are created by a data migration (core 0002); after every migrate the
permissions below are granted to them (additively: an administrator may grant
more in the admin, nothing listed here is taken back). Later issues extend the
table with their own models' permissions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .models import AreaAccess

ADMINISTRATOR = "Administrator"
DPO = "DPO"
SALES = "Sales"
MARKETING = "Marketing"
SUPPORT = "Support"
AUDITOR = "Auditor"
ROLES = [ADMINISTRATOR, DPO, SALES, MARKETING, SUPPORT, AUDITOR]

# Every area permission, in the order AreaAccess declares them.
ALL_AREAS = [f"access.{codename}" for codename, _label in AreaAccess._meta.permissions]
CONTACT_EDIT = ["crm.view_contact", "crm.add_contact", "crm.change_contact"]
API_KEY_ADMIN = ["access.view_apikey", "access.add_apikey", "access.revoke_apikey"]
# Staff accounts locked after failed sign-ins (SEC-02): administrators see and unlock them.
ACCOUNT_UNLOCK = ["access.view_loginguard", "access.unlock_account"]
# Two-factor sign-in is required of whoever holds one of these (access.two_factor): managing API keys and
# locked accounts, exporting contacts or audiences in bulk, approving purges and opening archives.
TWO_FACTOR_PERMISSIONS = frozenset(
    {
        "access.add_apikey",
        "access.revoke_apikey",
        "access.unlock_account",
        "crm.export_contact",
        "consent.export_audience",
        "retention.approve_purgerun",
        "retention.open_archive",
    }
)
# Periodic access review (SEC-01): the DPO and administrators sign it off, the auditor reads it.
ACCESS_REVIEW_SIGN = ["access.view_accessreview", "access.add_accessreview"]


def _crud(model: str, *verbs: str) -> list[str]:
    return [f"crm.{verb}_{model}" for verb in (verbs or ("view", "add", "change", "delete"))]


# Contact repository (issue: contacts). Sales lack crm.view_all_contacts: they see what they own.
# Marketing has no interaction permission: it never sees interaction bodies or notes.
CRM_FULL = [
    *CONTACT_EDIT,
    "crm.delete_contact",
    "crm.view_all_contacts",
    "crm.view_restricted_contact",
    "crm.restrict_contact",
    "crm.export_contact",
    "crm.import_contact",
    *_crud("interaction"),
    *_crud("organisation"),
    *_crud("tag"),
    "crm.view_contactaccess",
    "crm.view_disclosure",
    "crm.view_importjob",
    "crm.view_recipientnotification",
    "crm.change_recipientnotification",
    *_crud("recipientendpoint"),
    "crm.view_webhookdelivery",
    "crm.merge_contact",
]
CRM_READ = [
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
]


def _registry(*perms: str) -> list[str]:
    return [f"registry.{perm}" for perm in perms]


# Record of processing activities and breach register (issue 7). The DPO reviews and approves; the
# administrator maintains entries as a business owner would, without approving; the auditor reads.
REGISTRY_READ = _registry(
    "view_processingactivity",
    "view_recipient",
    "view_activitycomment",
    "view_activityapproval",
    "view_breach",
    "view_breachnotification",
    "view_organisationprofile",
)
REGISTRY_MAINTAIN = [
    *REGISTRY_READ,
    *_registry(
        "add_processingactivity",
        "change_processingactivity",
        "add_activitycomment",
        "add_recipient",
        "change_recipient",
        "change_organisationprofile",
    ),
]
REGISTRY_DPO = [
    *REGISTRY_MAINTAIN,
    *_registry("approve_processingactivity", "add_breach", "change_breach", "add_breachnotification"),
]

# Consents (issue 8): everyone who contacts people reads them and records what people say; the DPO and the
# administrator manage purposes and wordings; the auditor reads.
CONSENT_READ = [
    "consent.view_purpose",
    "consent.view_consentwording",
    "consent.view_consentevent",
    "consent.view_consentstate",
]
CONSENT_RECORD = [*CONSENT_READ, "consent.add_consentevent"]
CONSENT_MANAGE = [
    *CONSENT_RECORD,
    "consent.add_purpose",
    "consent.change_purpose",
    "consent.add_consentwording",
    "consent.change_consentwording",
    "consent.export_audience",
]

# Retention (issue 9): the DPO edits policies, approves purges and places legal holds; the administrator
# previews and places legal holds; the auditor reads.
RETENTION_READ = [
    "retention.view_retentionpolicy",
    "retention.view_purgerun",
    "retention.view_legalhold",
]
RETENTION_OPERATE = [*RETENTION_READ, "retention.add_purgerun", "retention.add_legalhold", "retention.change_legalhold"]
RETENTION_DPO = [
    *RETENTION_OPERATE,
    "retention.change_retentionpolicy",
    "retention.approve_purgerun",
    "retention.open_archive",
]

# Fulfilling data-subject requests (issue 10): the DPO does everything, erasure included; Support answers access,
# portability, rectification and objection requests.
DSAR_FULFIL = ["dsar.fulfil_request"]
DSAR_ERASE = [*DSAR_FULFIL, "dsar.erase_request"]
# Data-subject requests (issue 10): support and the DPO handle them; only the DPO extends or refuses one;
# the administrator and the auditor read them.
DSAR_HANDLE = ["dsar.view_request", "dsar.add_request", "dsar.change_request"]
DSAR_DPO = [*DSAR_HANDLE, "dsar.decide_request"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        *ALL_AREAS,
        *CRM_FULL,
        "core.view_outboxmessage",
        *API_KEY_ADMIN,
        *ACCOUNT_UNLOCK,
        *ACCESS_REVIEW_SIGN,
        *REGISTRY_MAINTAIN,
        *CONSENT_MANAGE,
        *RETENTION_OPERATE,
        "dsar.view_request",
    ],
    DPO: [
        *ALL_AREAS,
        *CRM_FULL,
        "core.view_outboxmessage",
        "core.view_auditevent",
        *ACCESS_REVIEW_SIGN,
        *REGISTRY_DPO,
        *CONSENT_MANAGE,
        *RETENTION_DPO,
        *DSAR_ERASE,
        *DSAR_DPO,
    ],
    SALES: [
        "access.access_contacts",
        "access.access_consents",
        *CONTACT_EDIT,
        "crm.delete_contact",
        "crm.export_contact",
        "crm.import_contact",
        *_crud("interaction", "view", "add", "change"),
        *_crud("organisation", "view", "add", "change"),
        *_crud("tag", "view", "add"),
        *CONSENT_RECORD,
    ],
    MARKETING: [
        "access.access_contacts",
        "access.access_consents",
        *CONTACT_EDIT,
        "crm.view_all_contacts",
        "crm.export_contact",
        "crm.import_contact",
        *_crud("organisation", "view"),
        *_crud("tag", "view", "add", "change"),
        *CONSENT_MANAGE,
    ],
    SUPPORT: [
        "access.access_contacts",
        "access.access_requests",
        "access.access_outbox",
        *CONTACT_EDIT,
        "crm.view_all_contacts",
        *_crud("interaction", "view", "add", "change"),
        *_crud("organisation", "view"),
        *_crud("tag", "view"),
        "crm.merge_contact",
        "core.view_outboxmessage",
        *DSAR_FULFIL,
        *DSAR_HANDLE,
    ],
    AUDITOR: [
        *ALL_AREAS,
        *CRM_READ,
        "core.view_outboxmessage",
        "core.view_auditevent",
        "access.view_accessreview",
        *REGISTRY_READ,
        *CONSENT_READ,
        *RETENTION_READ,
        "dsar.view_request",
    ],
}


def dpo_addresses() -> list[str]:
    """The e-mail of every active DPO user: the alert digest's recipients when ALERT_DIGEST_TO is unset."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.filter(is_active=True, groups__name=DPO).exclude(Q(email="") | Q(email=None))
    return sorted(set(users.values_list("email", flat=True)))


def roles_requiring_two_factor() -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if TWO_FACTOR_PERMISSIONS & set(perms)]


def sync_role_permissions(using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    listed = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    existing = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in={perm.split(".")[0] for perm in listed})
        .select_related("content_type")
    )
    by_name: dict[str, list[Permission]] = defaultdict(list)
    for permission in existing:
        by_name[f"{permission.content_type.app_label}.{permission.codename}"].append(permission)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*(permission for perm in perms for permission in by_name[perm]))


@receiver(post_migrate)
def _grant_role_permissions(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # post_migrate fires once per app; the last app installed closes the run.
    if getattr(sender, "name", "") == "dsar":
        sync_role_permissions(using=using)
