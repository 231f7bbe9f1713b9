"""The default policies shipped with the CRM (RET-02; GDPR.md A5.3), loaded by a data migration.

Each is editable by the DPO. Names are stored in English and marked for
translation: `RetentionPolicy.display_name` shows them in the active language
(a name the DPO typed stays as typed). Only the policies with a target are
enforced by this app's purge engine; the others document a period enforced elsewhere (the
suppression list's own rule, invoice archives kept outside the CRM) and close
the register's coverage check once linked to an activity.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

DEFAULT_POLICIES: list[dict[str, Any]] = [
    {
        "key": "prospects",
        "name": gettext_noop("Prospects (non-customers)"),
        "category": "identity",
        "target": "prospects",
        "period_months": 36,
        "start_event": "last_inbound",
        "end_action": "delete",
        "legal_reference": "CNIL, référentiel « gestion des activités commerciales » (2021): 3 years from collection "
        "or from the last contact initiated by the prospect (a click counts, an open does not); NS-048 art. 5.",
    },
    {
        "key": "customers",
        "name": gettext_noop("Customers, for prospection"),
        "category": "identity",
        "target": "customers",
        "period_months": 36,
        "start_event": "relationship_end",
        "end_action": "delete",
        "legal_reference": "CNIL référentiel 2021: duration of the relationship + 3 years for prospection "
        "(last purchase or last contact from the customer); NS-048 art. 5.",
    },
    {
        "key": "deleted-contacts",
        "name": gettext_noop("Contacts deleted by staff"),
        "category": "identity",
        "target": "deleted_contacts",
        "period_days": 30,
        "start_event": "staff_delete",
        "end_action": "delete",
        "legal_reference": "Art. 5(1)(e) GDPR: a contact deleted by staff can be restored for 30 days, then it is "
        "purged for good.",
        # The purge of staff deletes ran unattended before retention existed: it is approved as shipped.
        "approved_version": 1,
    },
    {
        "key": "invoices",
        "name": gettext_noop("Invoices and accounting documents"),
        "category": "economic",
        "archive_months": 120,
        "start_event": "record_date",
        "end_action": "delete",
        "legal_reference": "Code de commerce L.123-22: 10 years from the close of the financial year, in "
        "intermediate archive.",
    },
    {
        "key": "contract-evidence",
        "name": gettext_noop("Contract evidence"),
        "category": "economic",
        "archive_months": 60,
        "start_event": "relationship_end",
        "end_action": "delete",
        "legal_reference": "Code civil art. 2224, Code de commerce L.110-4: 5-year limitation period after the end "
        "of the contract, in intermediate archive.",
    },
    {
        "key": "card-data",
        "name": gettext_noop("Bank card data (proof of payment)"),
        "category": "economic",
        "archive_months": 13,
        "start_event": "record_date",
        "end_action": "delete",
        "legal_reference": "CNIL délibération 2018-303 art. 4; CMF L.133-24: 13 months after the debit (15 for "
        "deferred-debit cards) in intermediate archive; never the security code.",
    },
    {
        "key": "suppression-list",
        "name": gettext_noop("Suppression list"),
        "category": "contact_details",
        "period_months": 36,
        "start_event": "record_date",
        "end_action": "delete",
        "legal_reference": "CNIL, liste repoussoir (2022): at least 3 years from the objection, hashed e-mail "
        "and phone only.",
    },
    {
        "key": "audit-logs",
        "name": gettext_noop("Application and audit logs"),
        "category": "connection",
        "period_months": 12,
        "start_event": "record_date",
        "end_action": "delete",
        "legal_reference": "CNIL délibération 2021-122: 6 months to 1 year.",
    },
    {
        "key": "inactive-accounts",
        "name": gettext_noop("Inactive online accounts"),
        "category": "connection",
        "period_months": 24,
        "start_event": "last_inbound",
        "end_action": "delete",
        "legal_reference": "CNIL draft référentiel (to verify in the final text): 2 years of inactivity, after "
        "warning the user.",
    },
    {
        "key": "id-documents",
        "name": gettext_noop("Identity documents for rights requests"),
        "category": "request",
        "start_event": "verification",
        "end_action": "delete",
        "legal_reference": "EDPB guidelines 01/2022 §3.3: deleted right after the verification.",
    },
    {
        "key": "request-files",
        "name": gettext_noop("Rights request case files"),
        "category": "request",
        "period_months": 60,
        "start_event": "processing_end",
        "end_action": "delete",
        "legal_reference": "Art. 17(3)(e) GDPR: kept for the limitation period of claims (5 years, Code civil "
        "art. 2224) to prove how the request was answered.",
    },
    {
        "key": "consent-proof",
        "name": gettext_noop("Proof of consent"),
        "category": "consent_proof",
        "target": "consent_proof",
        "period_months": 60,
        "start_event": "processing_end",
        "end_action": "delete",
        "legal_reference": "EDPB guidelines 05/2020 para. 107: after the processing ends, only as long as needed "
        "for legal claims (5 years, Code civil art. 2224).",
    },
]


def default_policies_load(policy_model: Any = None) -> None:
    """Create the shipped policies that do not exist yet (by key); existing ones keep the DPO's edits."""
    if policy_model is None:
        from .models import RetentionPolicy as policy_model
    for values in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(key=values["key"], defaults=values)
