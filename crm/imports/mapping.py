"""Target fields of an import and the column mapping (suggested from headers in English and French)."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import search_key

# Target field -> label. Several columns may feed the multi-valued targets.
TARGET_FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email(s), separated by ;"),
    "phone": gettext_lazy("Phone(s), separated by ;"),
    "organisation": gettext_lazy("Organisation (name)"),
    "job_title": gettext_lazy("Job title"),
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Consumer or professional"),
    "preferred_language": gettext_lazy("Preferred language"),
    "birth_date": gettext_lazy("Birth date"),
    "street": gettext_lazy("Street"),
    "postal_code": gettext_lazy("Postal code"),
    "city": gettext_lazy("City"),
    "country": gettext_lazy("Country (ISO code)"),
    "tags": gettext_lazy("Tags, separated by ;"),
    "notes": gettext_lazy("Notes"),
    "external_id": gettext_lazy("External id (supplier's reference)"),
    "source_detail": gettext_lazy("Source detail"),
}
MULTI_COLUMN_TARGETS = {"email", "phone", "tags"}
REQUIRED_TARGETS = ("first_name", "last_name")

# Header spellings (compared accent-free, lower-case, punctuation as spaces) -> target.
_ALIASES = {
    "first_name": ["first name", "firstname", "given name", "forename", "prenom", "prenoms"],
    "last_name": ["last name", "lastname", "surname", "family name", "name", "nom", "nom de famille"],
    "email": ["email", "e mail", "mail", "email address", "courriel", "adresse email", "adresse e mail", "emails"],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "phone number",
        "mobile",
        "portable",
        "numero de telephone",
        "phones",
        "telephones",
    ],
    "organisation": ["organisation", "organization", "company", "societe", "entreprise", "raison sociale", "employer"],
    "job_title": ["job title", "job", "title", "position", "fonction", "poste", "intitule du poste"],
    "status": ["status", "statut"],
    "kind": ["kind", "type", "contact type", "type de contact", "categorie"],
    "preferred_language": ["preferred language", "language", "langue", "langue preferee"],
    "birth_date": ["birth date", "date of birth", "birthdate", "dob", "birthday", "date de naissance", "naissance"],
    "street": ["street", "address", "street address", "adresse", "rue", "adresse postale"],
    "postal_code": ["postal code", "postcode", "zip", "zip code", "code postal", "cp"],
    "city": ["city", "town", "ville", "commune", "localite"],
    "country": ["country", "pays", "country code", "code pays"],
    "tags": ["tags", "tag", "segments", "segment", "etiquettes", "etiquette"],
    "notes": ["notes", "note", "comments", "comment", "remarks", "commentaire", "commentaires", "remarques"],
    "external_id": [
        "external id",
        "externalid",
        "id externe",
        "identifiant externe",
        "reference",
        "ref",
        "customer id",
        "id client",
        "supplier id",
    ],
    "source_detail": ["source detail", "source", "origine", "provenance"],
}
_ALIAS_TO_TARGET = {alias: target for target, aliases in _ALIASES.items() for alias in aliases}
_ALIAS_TO_TARGET.update({target.replace("_", " "): target for target in TARGET_FIELDS})


def _header_key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", search_key(header)).split())


def suggest_target(header: str) -> str:
    """The target a header most likely means, or "" (ignored)."""
    key = _header_key(header)
    if key in _ALIAS_TO_TARGET:
        return _ALIAS_TO_TARGET[key]
    # "E-mail pro", "Téléphone portable", "Email 2": the first word(s) decide.
    words = key.split()
    for size in (3, 2, 1):
        prefix = " ".join(words[:size])
        if len(words) > size and prefix in _ALIAS_TO_TARGET:
            target = _ALIAS_TO_TARGET[prefix]
            if target in MULTI_COLUMN_TARGETS:
                return target
    return ""


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """column -> target, each single-valued target given to its first matching column only."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        target = suggest_target(column)
        if target and (target in MULTI_COLUMN_TARGETS or target not in used):
            mapping[column] = target
            used.add(target)
        else:
            mapping[column] = ""
    return mapping


def parse_mapping_option(text: str, base: dict[str, str]) -> dict[str, str]:
    """`"Col A=first_name,Col B=email,Col C="` (the command's --mapping) applied over `base` ("" ignores a column)."""
    mapping = dict(base)
    for pair in filter(None, (part.strip() for part in (text or "").split(","))):
        column, equals, target = pair.rpartition("=")
        if not equals:
            raise ValidationError(_("Write each mapping as column=field."))
        mapping[column.strip()] = target.strip()
    return mapping


def clean_mapping(mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Check a mapping against the file's columns; raise one ValidationError listing every problem."""
    errors = []
    cleaned = {column: (mapping.get(column) or "").strip() for column in columns}
    for column in set(mapping) - set(columns):
        errors.append(_("The file has no column “%(column)s”.") % {"column": column})
    for target in cleaned.values():
        if target and target not in TARGET_FIELDS:
            errors.append(_("“%(target)s” is not a field an import can fill.") % {"target": target})
    counts = Counter(target for target in cleaned.values() if target)
    for target, count in counts.items():
        if count > 1 and target not in MULTI_COLUMN_TARGETS and target in TARGET_FIELDS:
            errors.append(_("Only one column can fill “%(field)s”.") % {"field": TARGET_FIELDS[target]})
    for target in REQUIRED_TARGETS:
        if target not in counts:
            errors.append(
                _("Choose the column that holds the %(field)s.") % {"field": str(TARGET_FIELDS[target]).lower()}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned
