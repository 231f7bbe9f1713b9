"""`seed_demo` step of the registry: a realistic, approved register for the demo organisation, in English and
French (prospection, customer management, events, newsletter; no HR), its recipients and two breaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from core.subject_data import Category
from crm.generation import seed_step

from .choices import (
    ActivityRole,
    AuthorityDecision,
    BreachNature,
    LegalBasis,
    NotificationPhase,
    ReviewItem,
    RiskLevel,
    SecurityMeasure,
    SubjectCategory,
    TransferMechanism,
)
from .coverage import personal_fields
from .models import ProcessingActivity
from .services import (
    CategoryInput,
    activity_approve,
    activity_create,
    activity_submit,
    breach_notification_record,
    breach_record,
    organisation_profile_save,
    recipient_save,
)

PROFILE = {
    "controller_name": "Demo Organisation SAS",
    "controller_head": "Claire Martin, managing director",
    "controller_address": "12 rue de la Paix\n75002 Paris\nFrance",
    "controller_phone": "+33 1 23 45 67 89",
    "controller_email": "contact@demo-organisation.example",
    "dpo_name": "Julien Lefèvre",
    "dpo_email": "dpo@demo-organisation.example",
    "dpo_phone": "+33 1 23 45 67 80",
    "dpo_address": "12 rue de la Paix, 75002 Paris",
}

RECIPIENTS = [
    {
        "name": "Sales and marketing teams",
        "name_fr": "Équipes commerciales et marketing",
        "kind": "internal",
        "country": "FR",
    },
    {
        "name": "Partner X",
        "kind": "partner",
        "country": "DE",
        "contract_reference": "Data-sharing agreement 2026-04",
    },
    {
        "name": "OVHcloud (hosting)",
        "name_fr": "OVHcloud (hébergement)",
        "kind": "processor",
        "country": "FR",
        "data_location": "Roubaix, France",
        "contract_reference": "DPA signed 2025-01-15",
    },
    {
        "name": "Mailjet (e-mailing)",
        "kind": "processor",
        "country": "FR",
        "data_location": "EU",
        "contract_reference": "DPA signed 2025-03-02",
    },
    {
        "name": "Eventbrite (event registrations)",
        "name_fr": "Eventbrite (inscriptions aux événements)",
        "kind": "processor",
        "country": "US",
        "data_location": "United States",
        "contract_reference": "Eventbrite DPA, 2024 version",
        "transfer_mechanism": TransferMechanism.DPF,
        "transfer_documentation": "https://www.dataprivacyframework.gov/list",
    },
]

ALL_SECURITY = [m.value for m in SecurityMeasure if m != SecurityMeasure.OTHER]


def _fields(categories: list[str]) -> list[str]:
    return sorted(key for key, category in personal_fields().items() if category in categories)


def _categories(rows: dict[str, tuple[str, str, str]]) -> list[CategoryInput]:
    return [
        CategoryInput(category=category, description=description, retention=en, retention_fr=fr)
        for category, (description, en, fr) in rows.items()
    ]


THREE_YEARS = ("3 years after the last contact", "3 ans après le dernier contact")
CUSTOMER = ("5 years after the end of the contract", "5 ans après la fin du contrat")

ACTIVITIES: list[dict[str, Any]] = [
    {
        "data": {
            "reference": "ACT-001",
            "name": "Customer management",
            "name_fr": "Gestion des clients",
            "main_purpose": "Manage the relationship with customers: contracts, orders, invoices, support.",
            "main_purpose_fr": "Gérer la relation avec les clients : contrats, commandes, factures, assistance.",
            "sub_purposes": "Follow-up of contracts and orders\nCustomer support\nAccounting",
            "sub_purposes_fr": "Suivi des contrats et des commandes\nAssistance aux clients\nComptabilité",
            "legal_basis": LegalBasis.CONTRACT,
            "subject_categories": [SubjectCategory.CUSTOMERS],
            "data_source": "The customers themselves, and their employers",
            "data_source_fr": "Les clients eux-mêmes et leurs employeurs",
            "software": "GDPR CRM",
            "business_owner": "Head of sales",
            "security_description": "Encrypted contact details, role-based access, access log, daily backups.",
        },
        "categories": {
            Category.IDENTITY: ("Name, language, date of birth", *CUSTOMER),
            Category.CONTACT_DETAILS: ("E-mail, phone, postal address", *CUSTOMER),
            Category.PROFESSIONAL: ("Organisation, job title", *CUSTOMER),
            Category.ECONOMIC: (
                "Customer status",
                "10 years (accounting obligations)",
                "10 ans (obligations comptables)",
            ),
            Category.INTERACTION: ("Calls, meetings, messages, notes", *CUSTOMER),
            Category.CONNECTION: ("Source of the record, external ids", *CUSTOMER),
            Category.REQUEST: ("Restrictions and their notices", "5 years after closure", "5 ans après la clôture"),
            Category.CONSENT_PROOF: ("Date of the Art. 14 notice", "5 years", "5 ans"),
        },
        "recipients": ["Sales and marketing teams", "OVHcloud (hosting)", "Mailjet (e-mailing)"],
    },
    {
        "data": {
            "reference": "ACT-002",
            "name": "Prospection",
            "name_fr": "Prospection commerciale",
            "main_purpose": "Find and contact professional prospects about our products.",
            "main_purpose_fr": "Identifier et contacter des prospects professionnels au sujet de nos produits.",
            "sub_purposes": "Prospect qualification\nInvitations shared with partners",
            "sub_purposes_fr": "Qualification des prospects\nInvitations partagées avec des partenaires",
            "legal_basis": LegalBasis.LEGITIMATE_INTERESTS,
            "legal_basis_detail": "Developing our business with professionals, who may object at any time.",
            "legal_basis_detail_fr": (
                "Développer notre activité auprès de professionnels, qui peuvent s'y opposer à tout moment."
            ),
            "subject_categories": [SubjectCategory.PROSPECTS],
            "data_source": "Trade fairs, business cards, purchased lists (Art. 14 notice sent)",
            "data_source_fr": "Salons, cartes de visite, fichiers achetés (information de l'art. 14 envoyée)",
            "software": "GDPR CRM",
            "business_owner": "Head of marketing",
            "security_description": "Role-based access; exports logged with purpose and recipient.",
        },
        "categories": {
            Category.IDENTITY: ("Name, language", *THREE_YEARS),
            Category.CONTACT_DETAILS: ("Professional e-mail and phone", *THREE_YEARS),
            Category.PROFESSIONAL: ("Organisation, job title", *THREE_YEARS),
            Category.CONNECTION: ("Source of the record", *THREE_YEARS),
        },
        "recipients": ["Sales and marketing teams", "Partner X", "OVHcloud (hosting)"],
    },
    {
        "data": {
            "reference": "ACT-003",
            "name": "Events",
            "name_fr": "Événements",
            "main_purpose": "Organise trade fairs, webinars and customer days, and register participants.",
            "main_purpose_fr": "Organiser salons, webinaires et journées clients, et inscrire les participants.",
            "legal_basis": LegalBasis.CONTRACT,
            "subject_categories": [SubjectCategory.CUSTOMERS, SubjectCategory.PROSPECTS],
            "data_source": "The participants, when they register",
            "data_source_fr": "Les participants, lors de leur inscription",
            "software": "Eventbrite",
            "business_owner": "Events manager",
            "security_description": "Registrations held by the processor under the Data Privacy Framework.",
        },
        "categories": {
            Category.IDENTITY: ("Name", "1 year after the event", "1 an après l'événement"),
            Category.CONTACT_DETAILS: ("E-mail", "1 year after the event", "1 an après l'événement"),
            Category.PROFESSIONAL: ("Organisation, job title", "1 year after the event", "1 an après l'événement"),
        },
        "recipients": ["Sales and marketing teams", "Eventbrite (event registrations)"],
    },
    {
        "data": {
            "reference": "ACT-004",
            "name": "Newsletter",
            "name_fr": "Lettre d'information",
            "main_purpose": "Send our monthly newsletter to the people who subscribed.",
            "main_purpose_fr": "Envoyer notre lettre mensuelle aux personnes qui s'y sont abonnées.",
            "legal_basis": LegalBasis.CONSENT,
            "subject_categories": [SubjectCategory.CUSTOMERS, SubjectCategory.PROSPECTS],
            "data_source": "The subscribers, through the web form",
            "data_source_fr": "Les abonnés, par le formulaire du site",
            "software": "Mailjet",
            "business_owner": "Head of marketing",
            "security_description": "One-click unsubscribe; the e-mailing processor holds the list in the EU.",
        },
        "categories": {
            Category.IDENTITY: ("First name", "Until unsubscription", "Jusqu'au désabonnement"),
            Category.CONTACT_DETAILS: ("E-mail", "Until unsubscription", "Jusqu'au désabonnement"),
            Category.INTERACTION: ("Messages sent", "3 years", "3 ans"),
        },
        "recipients": ["Mailjet (e-mailing)", "OVHcloud (hosting)"],
    },
]


def _seed_activity(spec: dict[str, Any], recipients: dict[str, Any], dpo: Any) -> ProcessingActivity:
    categories = _categories(spec["categories"])
    activity = activity_create(
        data={
            **spec["data"],
            "role": ActivityRole.CONTROLLER,
            "data_fields": _fields([row.category for row in categories]),
            "security_measures": ALL_SECURITY,
            "notice_url": "/privacy/notice/",
        },
        categories=categories,
        recipients=[recipients[name] for name in spec["recipients"]],
    )
    activity_submit(activity=activity)
    if dpo is not None:
        activity_approve(activity=activity, user=dpo, checklist=ReviewItem.values, comment="Demo register reviewed.")
    return activity


def _seed_breaches() -> None:
    now = timezone.now()
    old = breach_record(
        data={
            "title": "Laptop stolen from a sales representative",
            "aware_at": now - timedelta(days=40),
            "occurred_at": now - timedelta(days=41),
            "nature": [BreachNature.CONFIDENTIALITY],
            "description": "A laptop with a local export of 120 prospects was stolen from a car.",
            "data_categories": [Category.IDENTITY, Category.CONTACT_DETAILS],
            "subjects_approx": 120,
            "records_approx": 120,
            "consequences": "Unsolicited messages to the prospects concerned.",
            "measures": "Disk encryption confirmed, remote wipe, password reset.",
            "risk_level": RiskLevel.RISK,
        }
    )
    breach_notification_record(
        breach=old,
        phase=NotificationPhase.INITIAL,
        sent_at=now - timedelta(days=39),
        reference="CNIL-2026-0042",
        content="Initial notification through the CNIL's online service.",
    )
    breach_record(
        data={
            "title": "Newsletter sent with recipients in copy",
            # 70 hours ago when the demo is seeded: 2 hours left before the Art. 33 deadline (a red alert).
            "aware_at": now - timedelta(hours=70),
            "nature": [BreachNature.CONFIDENTIALITY],
            "description": "A newsletter test went out with 35 addresses visible to every recipient.",
            "data_categories": [Category.CONTACT_DETAILS],
            "subjects_approx": 35,
            "records_approx": 35,
            "consequences": "The recipients saw each other's e-mail addresses.",
            "measures": "Recall requested; sending template fixed.",
            "risk_level": RiskLevel.RISK,
            "authority_decision": AuthorityDecision.PENDING,
        }
    )


@seed_step(120)
def seed_register(ctx: Any) -> None:
    """Once: the organisation profile, five recipients, four approved activities and two breaches."""
    if ProcessingActivity.objects.exists():
        ctx.out("Register: present, none added.")
        return
    organisation_profile_save(data=PROFILE)
    recipients = {spec["name"]: recipient_save(data=spec) for spec in RECIPIENTS}
    dpo = ctx.users.get("DPO")
    for spec in ACTIVITIES:
        _seed_activity(spec, recipients, dpo)
    _seed_breaches()
    ctx.out(f"Register: {len(ACTIVITIES)} approved activities, {len(RECIPIENTS)} recipients, 2 breaches.")
