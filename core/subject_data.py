"""Declarations for the subject-data map (DESIGN.md, "the heart of the design").

Every model that holds personal data declares it once, next to the model::

    @personal_data(
        subject="contact",
        on_erase=ON_ERASE_DELETE,
        fields={"body": PersonalField(Category.INTERACTION, portable=True)},
    )
    class Interaction(models.Model): ...

The declaration says how a row reaches its data subject (the ORM path to
`crm.Contact`, "" for the contact itself), which fields are personal and their
category, what erasure does (delete the row, or anonymise it field by field:
replace a value or keep it under a named legal obligation) and which fields
are in scope for portability. The operations that read the map (collect,
export, erase, coverage check) live in `crm.subject_data`, next to `Contact`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT_DETAILS = "contact_details", _("Contact details")
    PROFESSIONAL = "professional", _("Professional life")
    PERSONAL_LIFE = "personal_life", _("Personal life")
    INTERACTION = "interaction", _("Interaction content")
    CONSENT_PROOF = "consent_proof", _("Consent proof")
    REQUEST = "request", _("Rights request")
    CONNECTION = "connection", _("Connection and technical data")
    ECONOMIC = "economic", _("Economic and financial")
    SPECIAL = "special", _("Special category (Art. 9)")


ON_ERASE_DELETE = "delete"
ON_ERASE_ANONYMISE = "anonymise"


@dataclass(frozen=True)
class Erasure:
    """What erasure does to one field of an anonymised row."""

    action: str  # "replace" or "keep"
    value: Any = None
    legal_basis: str = ""

    def replacement(self) -> Any:
        return self.value() if callable(self.value) else self.value


def replace(value: Any = "") -> Erasure:
    return Erasure(action="replace", value=value)


def keep(legal_basis: str) -> Erasure:
    if not legal_basis:
        raise ValueError("keeping a value through erasure needs a named legal obligation")
    return Erasure(action="keep", legal_basis=legal_basis)


@dataclass(frozen=True)
class PersonalField:
    category: str
    portable: bool = False
    erase: Erasure | None = None  # required when the row is anonymised, not deleted


@dataclass(frozen=True)
class Declaration:
    model: type[models.Model]
    subject: str
    fields: dict[str, PersonalField]
    on_erase: str
    legal_basis: str = ""
    notes: str = ""
    history_model: type[models.Model] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def subject_lookup(self, contact_pk: Any) -> dict[str, Any]:
        return {"pk": contact_pk} if not self.subject else {f"{self.subject}__pk": contact_pk}


_declarations: dict[type[models.Model], Declaration] = {}

M = TypeVar("M", bound=type[models.Model])


def personal_data(
    *,
    subject: str,
    fields: dict[str, PersonalField],
    on_erase: str = ON_ERASE_DELETE,
    legal_basis: str = "",
    notes: str = "",
) -> Callable[[M], M]:
    """Class decorator declaring a model's personal data in the subject-data map."""
    if on_erase not in (ON_ERASE_DELETE, ON_ERASE_ANONYMISE):
        raise ValueError(f"on_erase must be {ON_ERASE_DELETE!r} or {ON_ERASE_ANONYMISE!r}")

    def decorate(model: M) -> M:
        _declarations[model] = Declaration(
            model=model,
            subject=subject,
            fields=dict(fields),
            on_erase=on_erase,
            legal_basis=legal_basis,
            notes=notes,
        )
        return model

    return decorate


def declarations() -> list[Declaration]:
    """Every declaration, with the history model simple-history made for it."""
    result = []
    for model, declaration in _declarations.items():
        history = getattr(model, "history", None)  # simple-history's manager, whose model is the history table
        result.append(replace_fields(declaration, history_model=getattr(history, "model", None)))
    return result


def declaration_for(model: type[models.Model]) -> Declaration | None:
    for declaration in declarations():
        if declaration.model is model or declaration.history_model is model:
            return declaration
    return None
