"""Row validation with the contact services' own rules, at bulk speed.

`contact_create` normalises emails and phones with `crm.normalise` and runs
the model's field validation (`full_clean`). Running `full_clean` per row costs
~0.4 ms, more than everything else an import does, so each mapped value goes
through the same model field's `clean()` (what `full_clean` calls: blank, max
length, choices, type) and the same normalisers, once.

Reasons name the file's column and the rule, never the value: the report is
kept after the file is deleted and must hold no personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from core.crypto import blind_index

from ..models import Contact, ContactPointKind, ExternalId, Organisation, Tag
from ..models.contacts import CONTACT_LINE_FIELDS
from ..normalise import check_entry, check_visible_text, normalise_email, normalise_phone
from ..sensitive import sensitive_terms

TEXT_TARGETS = ("first_name", "last_name", "job_title", "street", "postal_code", "city", "country", "notes")
CHOICE_TARGETS = ("status", "kind", "preferred_language")
_SPLIT_POINTS = re.compile(r"[;,\n]")
_SPLIT_CHARS = frozenset(";,\n")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
# Spellings suppliers use besides the values and their translated labels.
CHOICE_SYNONYMS = {
    "status": {"client": "customer", "cliente": "customer", "membre": "member", "adherent": "member",
               "adhérent": "member", "donateur": "donor", "donatrice": "donor", "partenaire": "partner"},
    "kind": {"particulier": "consumer", "consommateur": "consumer", "b2c": "consumer", "individual": "consumer",
             "professionnel": "professional", "professionnelle": "professional", "pro": "professional",
             "b2b": "professional", "business": "professional"},
    "preferred_language": {"français": "fr", "francais": "fr", "french": "fr", "anglais": "en", "english": "en"},
}  # fmt: skip


@dataclass(slots=True)
class Candidate:
    """A valid row, ready to be written or merged."""

    line: int
    fields: dict[str, Any]  # Contact fields the row gives a value for
    emails: list[str] = field(default_factory=list)  # normalised
    phones: list[str] = field(default_factory=list)
    email_indexes: list[str] = field(default_factory=list)  # blind indexes, same order
    phone_indexes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organisation: str = ""
    external_id: str = ""

    def keys(self, system: str) -> list[tuple[str, str]]:
        """What makes two rows the same person: each e-mail's blind index and the external id.

        Not the phone: a number may be shared (a switchboard, a household's landline), so it is a
        matching signal for duplicate detection, never proof of the same person.
        """
        keys = [(ContactPointKind.EMAIL, index) for index in self.email_indexes]
        if self.external_id:
            keys.append(("external_id", f"{system}:{self.external_id}"))
        return keys


def _choice_lookup(model_field: models.Field) -> dict[str, str]:
    """Accepted spellings of each choice: the stored value and its label in every language."""
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in model_field.flatchoices:
                lookup[str(label).strip().lower()] = value
    for value, _label in model_field.flatchoices:
        lookup[str(value).lower()] = value
    return lookup


Check = Callable[[list[str], Candidate, list[str]], None]


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _plain_text(model_field: models.Field) -> bool:
    """A text field whose only rule is its length: checked inline, the same rule at a fraction of the cost."""
    return (
        isinstance(model_field, models.CharField | models.TextField)
        and not model_field.choices
        and all(isinstance(validator, MaxLengthValidator) for validator in model_field.validators)
    )


class RowValidator:
    """Validates one row (a list of cell texts) into a Candidate or a list of reasons.

    The checks are compiled once per job from the mapping (one closure per mapped
    target), so a row costs only the checks it needs.
    """

    def __init__(self, *, columns: list[str], mapping: dict[str, str], source_detail: str, system: str) -> None:
        columns_for: dict[str, list[tuple[int, str]]] = {}
        for index, column in enumerate(columns):
            target = mapping.get(column)
            if target:
                columns_for.setdefault(target, []).append((index, column))
        self.system = system
        self.contact_fields = {f.name: f for f in Contact._meta.fields}
        self.checks: list[Check] = []
        for target in TEXT_TARGETS:
            self.checks.append(self._text(target, (columns_for.get(target) or [(-1, "")])[0]))
        for target in CHOICE_TARGETS:
            if target in columns_for:
                self.checks.append(self._choice(target, *columns_for[target][0]))
        if "birth_date" in columns_for:
            self.checks.append(self._birth_date(*columns_for["birth_date"][0]))
        self.checks.append(self._source_detail(source_detail, columns_for.get("source_detail")))
        self.checks += [self._points(kind, columns_for.get(kind, [])) for kind in ContactPointKind.values]
        if "tags" in columns_for:
            self.checks.append(self._tags(columns_for["tags"]))
        if "organisation" in columns_for:
            self.checks.append(
                self._single(Organisation._meta.get_field("name"), "organisation", *columns_for["organisation"][0])
            )
        if "external_id" in columns_for:
            self.checks.append(
                self._single(ExternalId._meta.get_field("value"), "external_id", *columns_for["external_id"][0])
            )
        if "notes" in columns_for:
            self.checks.append(self._sensitive_notes(columns_for["notes"][0][1]))

    def validate(self, line: int, values: list[str]) -> tuple[Candidate | None, list[str]]:
        candidate = Candidate(line=line, fields={})
        reasons: list[str] = []
        for check in self.checks:
            check(values, candidate, reasons)
        if not reasons:
            reasons = self._entry_rules(candidate)
        if reasons:
            return None, reasons
        return candidate, reasons

    def _entry_rules(self, candidate: Candidate) -> list[str]:
        """The rules forms and the API apply through the models' `clean` (crm.normalise.check_entry):
        an assigned ISO country, a plausible birth date, no invisible characters in one-line texts."""
        fields = candidate.fields
        try:
            check_entry(
                texts={name: fields.get(name) for name in CONTACT_LINE_FIELDS},
                country=fields.get("country") or "",
                birth_date=fields.get("birth_date"),
            )
            check_visible_text({"organisation": candidate.organisation})
        except ValidationError as error:
            return [
                _("%(column)s: %(reason)s") % {"column": self._label(name), "reason": " ".join(messages)}
                for name, messages in error.message_dict.items()
            ]
        return []

    def _label(self, name: str) -> str:
        model_field = self.contact_fields.get(name)
        return str(model_field.verbose_name) if model_field else str(_("Organisation"))

    # ------------------------------------------------------------------ compiled checks

    def _text(self, target: str, mapped: tuple[int, str]) -> Check:
        index, column = mapped
        column = column or str(self.contact_fields[target].verbose_name)
        model_field = self.contact_fields[target]
        plain, limit, upper = _plain_text(model_field), model_field.max_length, target == "country"

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            text = _cell(values, index) if index >= 0 else ""
            if upper:
                text = text.upper()
            if not text:
                if model_field.blank:
                    return
            elif plain and (limit is None or len(text) <= limit):
                candidate.fields[target] = text
                return
            try:
                candidate.fields[target] = model_field.clean(text, None)
            except ValidationError as error:
                reasons.append(reason(column, error))

        return check

    def _sensitive_notes(self, column: str) -> Check:
        """Notes with sensitive or insulting terms (CON-04) need a justification: not from a file."""

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            flags = sensitive_terms(candidate.fields.get("notes", ""))
            if flags:
                categories = ", ".join(sorted({str(flag.category) for flag in flags}))
                reasons.append(
                    _(
                        "%(column)s: sensitive or insulting terms (%(categories)s); enter such a note by hand, with a "
                        "justification"
                    )
                    % {"column": column, "categories": categories}
                )

        return check

    def _choice(self, target: str, index: int, column: str) -> Check:
        model_field = self.contact_fields[target]
        lookup = {**CHOICE_SYNONYMS.get(target, {}), **_choice_lookup(model_field)}
        allowed = ", ".join(str(code) for code, _label in model_field.flatchoices)
        message = _("%(column)s: not one of %(allowed)s") % {"column": column, "allowed": allowed}

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            key = _cell(values, index).lower()
            if not key:
                return  # the model's default applies
            value = lookup.get(key) or lookup.get(re.split(r"[-_ ]", key)[0], "")
            try:
                candidate.fields[target] = model_field.clean(value, None)
            except ValidationError:
                reasons.append(message)

        return check

    def _birth_date(self, index: int, column: str) -> Check:
        model_field = self.contact_fields["birth_date"]
        message = _("%(column)s: not a date (write YYYY-MM-DD or DD/MM/YYYY)") % {"column": column}

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            text = _cell(values, index)
            if not text:
                return
            parsed = parse_date(text)
            try:
                if parsed is None:
                    raise ValidationError("invalid", code="invalid")
                candidate.fields["birth_date"] = model_field.clean(parsed, None)
            except ValidationError:
                reasons.append(message)

        return check

    def _source_detail(self, base: str, mapped: list[tuple[int, str]] | None) -> Check:
        model_field = self.contact_fields["source_detail"]
        index, column = mapped[0] if mapped else (-1, _("Source detail"))
        base = model_field.clean(base[: model_field.max_length], None)

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            text = _cell(values, index) if index >= 0 else ""
            if not text:
                candidate.fields["source_detail"] = base
                return
            try:
                candidate.fields["source_detail"] = model_field.clean(f"{base}: {text}", None)
            except ValidationError as error:
                reasons.append(reason(column, error))

        return check

    def _points(self, kind: str, mapped: list[tuple[int, str]]) -> Check:
        email = kind == ContactPointKind.EMAIL
        normalise = normalise_email if email else normalise_phone
        invalid = _("%(column)s: not a valid email address") if email else _("%(column)s: not a valid phone number")
        which = _("(value %(n)s of %(count)s)")

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            found = candidate.emails if email else candidate.phones
            indexes = candidate.email_indexes if email else candidate.phone_indexes
            for index, column in mapped:
                text = _cell(values, index)
                if not text:
                    continue
                parts = (
                    [text] if not _SPLIT_CHARS.intersection(text) else [p.strip() for p in _SPLIT_POINTS.split(text)]
                )
                parts = [part for part in parts if part]
                for position, part in enumerate(parts, start=1):
                    try:
                        value = normalise(part)
                    except ValidationError:
                        message = invalid % {"column": column}
                        if len(parts) > 1:
                            message += " " + which % {"n": position, "count": len(parts)}
                        reasons.append(message)
                        continue
                    if value not in found:
                        found.append(value)
                        indexes.append(blind_index(value))

        return check

    def _tags(self, mapped: list[tuple[int, str]]) -> Check:
        tag_field = Tag._meta.get_field("name")

        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            for index, column in mapped:
                for part in _cell(values, index).split(";"):
                    name = " ".join(part.split())
                    if not name:
                        continue
                    try:
                        name = tag_field.clean(name, None)
                    except ValidationError as error:
                        reasons.append(reason(column, error))
                        continue
                    if name.lower() not in (tag.lower() for tag in candidate.tags):
                        candidate.tags.append(name)

        return check

    def _single(self, model_field: models.Field, target: str, index: int, column: str) -> Check:
        def check(values: list[str], candidate: Candidate, reasons: list[str]) -> None:
            text = " ".join(_cell(values, index).split())
            if not text:
                return
            try:
                setattr(candidate, target, model_field.clean(text, None))
            except ValidationError as error:
                reasons.append(reason(column, error))

        return check


def parse_date(text: str) -> date | None:
    """ISO (2024-03-31, also with a time after it) or day first (31/03/2024, 31-03-2024, 31.03.2024)."""
    text = text.strip().split(" ")[0].split("T")[0]
    found = _ISO_DATE.match(text)
    if found:
        year, month, day = found.groups()
    else:
        found = _DAY_FIRST_DATE.match(text)
        if not found:
            return None
        day, _separator, month, year = found.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def reason(column: str, error: ValidationError) -> str:
    """A report line for a model field error: the column and the rule, without the rejected value."""
    first = error.error_list[0] if hasattr(error, "error_list") else error
    code = getattr(first, "code", None)
    params = getattr(first, "params", None) or {}
    if code in ("blank", "null", "required"):
        text = _("required")
    elif code == "max_length":
        text = _("longer than %(limit)s characters") % {"limit": params.get("limit_value", "?")}
    elif code == "invalid_choice":
        text = _("not an accepted value")
    else:
        text = _("not valid")
    return _("%(column)s: %(reason)s") % {"column": column, "reason": text}
