"""`seed_demo` step of the consent app: purposes with their wordings, a suppression-list entry in the register, and
consent events for the demo contacts spread over the last months (so the panel, the check and the chart show
something)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from core.subject_data import Category
from crm.generation import seed_step
from crm.models import Contact
from registry.choices import LegalBasis, ReviewItem, SecurityMeasure, SubjectCategory
from registry.models import ProcessingActivity
from registry.services import CategoryInput, activity_approve, activity_create, activity_submit

from .models import Action, Method, Purpose
from .services import consent_event_record, objection_record, purpose_save, wording_publish

SUPPRESSION_ACTIVITY = {
    "reference": "ACT-005",
    "name": "Suppression list",
    "name_fr": "Liste repoussoir",
    "main_purpose": "Never send marketing again to people who objected to it or unsubscribed from everything, "
    "whatever the source of later data.",
    "main_purpose_fr": "Ne plus jamais adresser de prospection aux personnes qui s'y sont opposées ou se sont "
    "désabonnées de tout, quelle que soit la source des données ultérieures.",
    "legal_basis": LegalBasis.LEGAL_OBLIGATION,
    "legal_basis_detail": "Art. 21(3) GDPR: after an objection the data shall no longer be processed for direct "
    "marketing; keeping a keyed hash of the e-mail and phone is the minimum that makes this last (CNIL, liste "
    "repoussoir; Art. 17(3)(b)). Kept even after the person's record is erased, and used for nothing else.",
    "legal_basis_detail_fr": "Art. 21(3) du RGPD : après une opposition, les données ne sont plus traitées à des "
    "fins de prospection ; conserver une empreinte à clé de l'e-mail et du téléphone est le minimum qui le permet "
    "dans la durée (CNIL, liste repoussoir ; art. 17(3)(b)). Conservée même après l'effacement de la fiche, et "
    "utilisée à aucune autre fin.",
    "subject_categories": [SubjectCategory.CUSTOMERS, SubjectCategory.PROSPECTS],
    "data_source": "The people themselves, when they object or unsubscribe",
    "data_source_fr": "Les personnes elles-mêmes, lorsqu'elles s'opposent ou se désabonnent",
    "software": "GDPR CRM",
    "business_owner": "DPO",
    "security_measures": [SecurityMeasure.ACCESS_CONTROL],
    "security_description": "Only keyed hashes (HMAC-SHA256), no plaintext; read only by the send and import checks.",
    "notice_url": "/privacy/notice/",
}

PURPOSES: list[dict[str, Any]] = [
    {
        "activity": "ACT-004",
        "data": {
            "key": "newsletter",
            "name": "Monthly newsletter",
            "name_fr": "Lettre d'information mensuelle",
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email"],
            "double_opt_in": True,
            "validity_days": 3 * 365,
        },
        "en": "I would like to receive the monthly newsletter by e-mail. I can unsubscribe at any time with the "
        "link in every issue.",
        "fr": "Je souhaite recevoir la lettre d'information mensuelle par e-mail. Je peux me désabonner à tout "
        "moment grâce au lien présent dans chaque numéro.",
    },
    {
        "activity": "ACT-002",
        "data": {
            "key": "offers",
            "name": "Offers and product news",
            "name_fr": "Offres et nouveautés",
            "lawful_basis": LegalBasis.LEGITIMATE_INTERESTS,
            "channels": ["email", "sms", "phone", "post"],
            "customer_offer": True,
            "profession_related": True,
        },
        "en": "I agree to receive offers and news about your products by e-mail, SMS, phone or post.",
        "fr": "J'accepte de recevoir vos offres et nouveautés par e-mail, SMS, téléphone ou courrier.",
    },
    {
        "activity": "ACT-002",
        "data": {
            "key": "events",
            "name": "Event invitations",
            "name_fr": "Invitations aux événements",
            "lawful_basis": LegalBasis.LEGITIMATE_INTERESTS,
            "channels": ["email", "phone"],
            "profession_related": True,
        },
        "en": "Invite me to your trade fairs, webinars and customer days.",
        "fr": "Invitez-moi à vos salons, webinaires et journées clients.",
    },
]


def _suppression_activity(ctx: Any) -> None:
    if ProcessingActivity.objects.filter(reference="ACT-005").exists():
        return
    activity = activity_create(
        data=SUPPRESSION_ACTIVITY,
        categories=[
            CategoryInput(
                category=Category.CONTACT_DETAILS,
                description="Keyed hash of the e-mail address and phone number, reason and date",
                retention="3 years after the objection, at least",
                retention_fr="3 ans au moins après l'opposition",
            )
        ],
    )
    activity_submit(activity=activity)
    dpo = ctx.users.get("DPO")
    if dpo is not None:
        activity_approve(activity=activity, user=dpo, checklist=ReviewItem.values, comment="Demo register reviewed.")


def _purposes() -> list[Purpose]:
    purposes = []
    for spec in PURPOSES:
        activity = ProcessingActivity.objects.filter(reference=spec["activity"]).first()
        if activity is None:
            continue
        purpose = purpose_save(data={**spec["data"], "activity": activity})
        wording_publish(purpose=purpose, language="en", text=spec["en"])
        wording_publish(purpose=purpose, language="fr", text=spec["fr"])
        purposes.append(purpose)
    return purposes


def _history(contact: Contact, purpose: Purpose, when: Any, rng: Any) -> None:
    """Given (and confirmed where double opt-in applies), sometimes withdrawn later."""
    wording = purpose.wordings.filter(language=contact.preferred_language).first() or purpose.wordings.first()
    channel = purpose.channels[0]
    online = purpose.double_opt_in
    method = Method.WEB_FORM if online else rng.choice([Method.PHONE, Method.STAFF, Method.WEB_FORM])
    common = {"contact": contact, "purpose": purpose, "channel": channel}
    consent_event_record(
        **common, action=Action.GIVEN, method=method, wording=wording, occurred_at=when, awaits_confirmation=online
    )
    if online:
        consent_event_record(**common, action=Action.CONFIRMED, method=Method.DOUBLE_OPT_IN, occurred_at=when)
    if rng.random() < 0.2:
        later = min(when + timedelta(days=rng.randint(10, 200)), timezone.now())
        consent_event_record(**common, action=Action.WITHDRAWN, method=Method.UNSUBSCRIBE_LINK, occurred_at=later)


@seed_step(130)
def seed_consents(ctx: Any) -> None:
    """Once: the suppression-list activity, three purposes with English and French wordings, and consent events."""
    if Purpose.objects.exists():
        ctx.out("Consents: present, none added.")
        return
    _suppression_activity(ctx)
    purposes = _purposes()
    if not purposes:
        return
    contacts = list(
        Contact.objects.live().filter(restricted=False, points__kind="email").distinct().order_by("pk")[:120]
    )
    now = timezone.now()
    events = 0
    for contact in contacts[1:]:
        for purpose in purposes:
            if ctx.rng.random() < 0.5:
                _history(contact, purpose, now - timedelta(days=ctx.rng.randint(1, 720)), ctx.rng)
                events += 1
    if contacts:
        objection_record(contact=contacts[0], method=Method.STAFF)
    ctx.out(f"Consents: {len(purposes)} purposes, consent histories for {events} contact-purpose pairs, 1 objection.")
