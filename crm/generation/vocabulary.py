"""The words generated data is made of: note and interaction templates, tags, weights, fictional phone ranges."""

from __future__ import annotations

from datetime import timedelta

from ..models import ContactStatus, InteractionKind, SourceKind

NOTE_TEMPLATES = {
    "fr_FR": [
        "Rencontré(e) au salon de {city}, intéressé(e) par l'offre {company}.",
        "Préfère être contacté(e) le matin. Rappeler en {month}.",
        "Ancien client de {company}, a demandé une démonstration.",
        "A signalé un problème de facturation, résolu le {day} {month}.",
        "Souhaite recevoir la documentation par courrier à {city}.",
        "Contact recommandé par {name}.",
    ],
    "en_GB": [
        "Met at the {city} trade fair; interested in the {company} offer.",
        "Prefers calls in the morning. Follow up in {month}.",
        "Former {company} customer, asked for a demo.",
        "Reported a billing error, resolved on {day} {month}.",
        "Wants the brochure posted to {city}.",
        "Referred by {name}.",
    ],
}
INTERACTION_SUBJECTS = {
    "fr_FR": {
        InteractionKind.CALL: ["Appel de suivi", "Rappel demandé", "Question sur la facture", "Premier contact"],
        InteractionKind.EMAIL: ["Envoi du devis", "Relance proposition", "Confirmation d'inscription"],
        InteractionKind.MEETING: ["Rendez-vous de présentation", "Démonstration produit", "Revue annuelle"],
        InteractionKind.NOTE: ["Note interne", "Changement d'interlocuteur", "Préférences de contact"],
        InteractionKind.EVENT: ["Salon professionnel", "Webinaire", "Soirée partenaires"],
    },
    "en_GB": {
        InteractionKind.CALL: ["Follow-up call", "Call-back requested", "Billing question", "First contact"],
        InteractionKind.EMAIL: ["Quote sent", "Proposal reminder", "Registration confirmed"],
        InteractionKind.MEETING: ["Introduction meeting", "Product demo", "Annual review"],
        InteractionKind.NOTE: ["Internal note", "New point of contact", "Contact preferences"],
        InteractionKind.EVENT: ["Trade fair", "Webinar", "Partner evening"],
    },
}
MONTHS = {
    "fr_FR": ["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre", "novembre"],
    "en_GB": ["January", "February", "March", "April", "May", "June", "September", "October", "November"],
}
LOCALES = ("fr_FR", "en_GB")
LANGUAGE = {"fr_FR": "fr", "en_GB": "en"}
COUNTRY = {"fr_FR": "FR", "en_GB": "GB"}
FREE_MAIL_DOMAINS = ["example.com", "example.org", "example.net"]
TAG_NAMES = [
    "newsletter",
    "VIP",
    "B2B",
    "webinar 2025",
    "salon Lyon 2024",
    "ancien client",
    "partenaire",
    "presse",
    "donateur régulier",
    "à rappeler",
    "trade fair London",
    "beta tester",
]
STATUS_WEIGHTS = {
    ContactStatus.PROSPECT: 45,
    ContactStatus.CUSTOMER: 30,
    ContactStatus.MEMBER: 10,
    ContactStatus.DONOR: 5,
    ContactStatus.PARTNER: 10,
}
SOURCE_WEIGHTS = {
    SourceKind.MANUAL: 30,
    SourceKind.WEB_FORM: 30,
    SourceKind.IMPORT: 25,
    SourceKind.API: 10,
    SourceKind.EVENT: 5,
}
SOURCE_DETAILS = {
    SourceKind.MANUAL: [""],
    SourceKind.WEB_FORM: ["newsletter sign-up", "contact form", "formulaire devis", "inscription webinaire"],
    SourceKind.IMPORT: [
        "salon-lyon-2024.csv (supplier: Expo Data)",
        "leads-q3.xlsx (supplier: LeadCo)",
        "erp-export.csv",
    ],
    SourceKind.API: ["ERP sync", "e-shop", "newsletter tool"],
    SourceKind.EVENT: ["Salon Lyon 2024", "London trade fair 2025", "Journée portes ouvertes"],
}
YEAR = timedelta(days=365)

# Fictional numbers in E.164 (how crm.normalise stores phones): ARCEP's "numéros pour la
# fiction" (prefix + 4 digits) and Ofcom's drama ranges (prefix + 3 digits). The ranges
# phonenumbers rejects as invalid (06 39 98, 07700 900, 01632 960, 0115 496 0) are left out.
FR_FICTION_PREFIXES = ["+3319900", "+3326191", "+3335301", "+3346571", "+3397740"]
UK_FICTION_PREFIXES = [
    "+441134960",
    "+441144960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441314960",
    "+441414960",
    "+441514960",
    "+441614960",
    "+442079460",
    "+441914980",
    "+442896496",
    "+442920180",
]
