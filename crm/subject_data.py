"""Operations over the subject-data map: coverage, collect, export, erase.

The declarations live next to each model (`core.subject_data.personal_data`);
this module is the one reader of them. Access reports, portability exports,
erasure, retention purges, merges and the registry's coverage check all go
through here, so no app keeps its own list of personal fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.audit import audit_event_record
from core.subject_data import (
    ON_ERASE_ANONYMISE,
    ON_ERASE_DELETE,
    Category,
    Declaration,
    declaration_for,
    declarations,
)

from .models import Contact, NotificationCause
from .services.recipients import recipient_notifications_open
from .signals import contact_erasing

# ---------------------------------------------------------------- coverage


def _is_history_model(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


def path_to_contact(model: type[models.Model], max_depth: int = 4) -> str | None:
    """The shortest forward-relation path from `model` to Contact, or None.

    Follows foreign keys, one-to-ones and many-to-manys declared on the model
    (not reverse relations), so "points at a contact, directly or through a
    relation" is decided the same way for every model.
    """
    if model is Contact:
        return ""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    seen = {model}
    for _depth in range(max_depth):
        next_frontier = []
        for current, prefix in frontier:
            for fld in current._meta.get_fields():
                if not (fld.is_relation and fld.concrete and fld.related_model):
                    continue
                if fld.auto_created and not fld.concrete:
                    continue
                target = fld.related_model
                if target == "self" or not isinstance(target, type):
                    continue
                path = f"{prefix}__{fld.name}" if prefix else fld.name
                if target is Contact:
                    return path
                if target not in seen:
                    seen.add(target)
                    next_frontier.append((target, path))
        frontier = next_frontier
    return None


@dataclass
class CoverageProblem:
    model: str
    message: str


def coverage_problems(models_to_check: Iterable[type[models.Model]] | None = None) -> list[CoverageProblem]:
    """Models that reach a Contact without a declaration, and declarations that do not fit their model."""
    problems: list[CoverageProblem] = []
    candidates = list(models_to_check) if models_to_check is not None else apps.get_models()
    for model in candidates:
        if _is_history_model(model):
            continue
        path = path_to_contact(model)
        if path is not None and declaration_for(model) is None:
            problems.append(
                CoverageProblem(
                    model._meta.label,
                    f"points at crm.Contact through '{path or 'itself'}' but is not declared in the "
                    "subject-data map (decorate it with @personal_data)",
                )
            )
    for declaration in declarations():
        problems.extend(_declaration_problems(declaration))
    return problems


def _declaration_problems(declaration: Declaration) -> list[CoverageProblem]:
    problems = []
    model = declaration.model
    names = {f.name for f in model._meta.get_fields()}
    for name, personal in declaration.fields.items():
        if name not in names:
            problems.append(CoverageProblem(declaration.label, f"declares field '{name}', which does not exist"))
        elif declaration.on_erase == ON_ERASE_ANONYMISE and personal.erase is None:
            problems.append(CoverageProblem(declaration.label, f"is anonymised on erasure but '{name}' says nothing"))
    if declaration.subject:
        try:
            str(model._default_manager.filter(**declaration.subject_lookup(0)).query)
        except Exception as exc:  # noqa: BLE001 - a bad path is reported, not raised
            problems.append(CoverageProblem(declaration.label, f"subject path '{declaration.subject}' fails: {exc}"))
        if declaration.on_erase == ON_ERASE_ANONYMISE and _cascades_from_contact(model, declaration.subject):
            problems.append(
                CoverageProblem(declaration.label, "is anonymised on erasure but CASCADE-deletes with its contact")
            )
    elif model is not Contact:
        problems.append(CoverageProblem(declaration.label, "an empty subject path is only for crm.Contact"))
    return problems


def _cascades_from_contact(model: type[models.Model], subject: str) -> bool:
    first = subject.split("__")[0]
    try:
        link = model._meta.get_field(first)
    except Exception:  # noqa: BLE001
        return False
    remote = getattr(link, "remote_field", None)
    return link.related_model is Contact and remote is not None and remote.on_delete is models.CASCADE


# ----------------------------------------------------------------- collect


def _rows(declaration: Declaration, contact_pk: Any) -> models.QuerySet:
    return declaration.model._default_manager.filter(**declaration.subject_lookup(contact_pk)).distinct()


def _display(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class Section:
    model: str
    verbose_name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    history_rows: int = 0


def subject_data_collect(*, contact: Contact, portable_only: bool = False) -> list[Section]:
    """Everything the map says the organisation holds about one contact.

    With `portable_only`, only fields in scope for portability (data the person
    provided) and only sections that have any.
    """
    sections = []
    for declaration in declarations():
        names = [n for n, p in declaration.fields.items() if p.portable or not portable_only]
        if portable_only and not names:
            continue
        section = Section(
            model=declaration.label,
            verbose_name=str(declaration.model._meta.verbose_name_plural),
            categories={n: declaration.fields[n].category for n in names},
        )
        for obj in _rows(declaration, contact.pk):
            section.rows.append({"id": obj.pk, **{n: _display(getattr(obj, n)) for n in names}})
        if declaration.history_model is not None and not portable_only:
            section.history_rows = _history_rows(declaration, contact.pk, [r["id"] for r in section.rows]).count()
        sections.append(section)
    return sections


def subject_data_categories(*, contact: Contact) -> list[str]:
    """The categories of personal data held about `contact` (Art. 14(1)(d), Art. 15(1)(b)), in Category order.

    The contact's own fields count when they hold a value; another model's when
    it has a row for the contact.
    """
    held: set[str] = set()
    for declaration in declarations():
        if declaration.model is Contact:
            for name, personal in declaration.fields.items():
                value = getattr(contact, Contact._meta.get_field(name).attname)
                if value not in (None, "", False):
                    held.add(personal.category)
        elif declaration.fields and _rows(declaration, contact.pk).exists():
            held.update(personal.category for personal in declaration.fields.values())
    return [category for category in Category.values if category in held]


# ------------------------------------------------------------------- erase


def _history_rows(declaration: Declaration, contact_pk: Any, row_pks: list[Any]) -> models.QuerySet:
    """History rows for the subject: those of live rows, plus (on a direct path)
    those of rows already deleted, which still carry the contact's id."""
    history = declaration.history_model._default_manager
    query = models.Q(id__in=row_pks)
    if not declaration.subject:
        query |= models.Q(id=contact_pk)
    elif "__" not in declaration.subject:
        query |= models.Q(**{f"{declaration.subject}_id": contact_pk})
    return history.filter(query)


def _erased_file_fields(declaration: Declaration) -> list[str]:
    """The declared file fields whose files go on erasure: all of a deleted row, the replaced ones of an
    anonymised row (a kept field keeps its file)."""
    names = []
    for name, personal in declaration.fields.items():
        if not isinstance(declaration.model._meta.get_field(name), models.FileField):
            continue
        if declaration.on_erase == ON_ERASE_DELETE or (personal.erase and personal.erase.action == "replace"):
            names.append(name)
    return names


def subject_files_delete_on_commit(declaration: Declaration, rows: models.QuerySet, history: models.QuerySet) -> int:
    """Files the map declares on `rows` (and on their `history` rows) are removed from storage once the erasure
    commits: a row deleted in SQL takes no file with it, and a rolled-back erasure must leave every file.
    Returns how many files are scheduled."""
    names: set[tuple[str, str]] = set()
    for name in _erased_file_fields(declaration):
        for queryset in (rows, history):
            if queryset is not None:
                found = queryset.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)
                names.update((name, stored) for stored in found)
    for name, stored in names:
        storage = declaration.model._meta.get_field(name).storage
        transaction.on_commit(lambda storage=storage, stored=stored: storage.delete(stored))
    return len(names)


# Apps that may forbid an erasure (a legal hold) register a guard: it returns why, or "" to let it go.
ErasureGuard = Callable[[Contact], str]
_erasure_guards: list[ErasureGuard] = []


def register_erasure_guard(guard: ErasureGuard) -> ErasureGuard:
    if guard not in _erasure_guards:
        _erasure_guards.append(guard)
    return guard


class ErasureRefused(ValidationError):
    """A registered guard forbids erasing this contact now; the message says why."""


def erasure_refusal(contact: Contact) -> str:
    return next((reason for guard in _erasure_guards if (reason := guard(contact))), "")


def subject_data_erasing(*, contact_ids: Iterable[int]) -> int:
    """What erasing these contacts owes beyond the map's rows, for a set-wise purge about to remove them.

    The same duties as `subject_data_erase`, paid only where they apply so that a purge of a
    million contacts stays set-wise: each recipient that received a contact's data gets an
    Art. 19 task (contacts in the disclosure log), and pending imports learn the erased
    addresses (the `contact_erasing` signal). Returns the number of Art. 19 tasks opened.
    Call inside the purge's transaction, before the rows go.
    """
    ids = list(contact_ids)
    opened = 0
    for contact in Contact._base_manager.filter(pk__in=ids, disclosures__isnull=False).distinct():
        opened += len(recipient_notifications_open(contact=contact, cause=NotificationCause.ERASURE))
    from .imports.erasure import pending_import_jobs  # imports read this module: imported when needed

    if pending_import_jobs().exists():
        for contact in Contact._base_manager.filter(pk__in=ids):
            contact_erasing.send(sender=Contact, contact=contact)
    return opened


@dataclass
class ErasureStep:
    """What erasing one contact will do to one declared model (the preview of an Art. 17 request)."""

    model: str
    verbose_name: str
    action: str  # ON_ERASE_DELETE or ON_ERASE_ANONYMISE
    rows: int
    history_rows: int
    replaced: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # field -> the legal obligation it is kept under
    legal_basis: str = ""


def subject_data_erasure_plan(*, contact: Contact) -> list[ErasureStep]:
    """What `subject_data_erase` would delete, anonymise and keep (and why) for `contact`, touching nothing.

    Only the models holding a row or a history row for the contact are listed.
    """
    steps = []
    for declaration in declarations():
        pks = list(_rows(declaration, contact.pk).values_list("pk", flat=True))
        history = 0
        if declaration.history_model is not None:
            history = _history_rows(declaration, contact.pk, pks).count()
        if not pks and not history:
            continue
        anonymised = declaration.on_erase == ON_ERASE_ANONYMISE
        erase = {name: personal.erase for name, personal in declaration.fields.items() if personal.erase}
        steps.append(
            ErasureStep(
                model=declaration.label,
                verbose_name=str(declaration.model._meta.verbose_name_plural),
                action=declaration.on_erase,
                rows=len(pks),
                history_rows=history,
                replaced=[n for n, e in erase.items() if e.action == "replace"] if anonymised else [],
                kept={n: e.legal_basis for n, e in erase.items() if e.action == "keep"} if anonymised else {},
                legal_basis=declaration.legal_basis,
            )
        )
    return steps


def subject_data_erase(*, contact: Contact, reason: str, request_reference: str = "") -> dict[str, Any]:
    """Erase one contact through the map, in one transaction.

    Anonymised rows have each personal field replaced (or kept under its named
    legal obligation); deleted rows go, the contact last. Then every history row
    that held the subject's data is purged, since a delete writes one last
    history row with the deleted values. The records merged into this contact
    (crm.dedup.merge) are erased with it. What remains is an `AuditEvent`
    ("subject.erased") with the contact's internal id and counts: proof that the
    erasure happened, without the data.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        refusal = erasure_refusal(contact)
        if refusal:
            raise ErasureRefused(refusal)
        # The records merged into this one (kept for the undo period) are the same person: erased first.
        for merged in Contact._base_manager.filter(merged_into=contact):
            subject_data_erase(contact=merged, reason=reason, request_reference=request_reference)
        contact_pk = contact.pk
        contact_erasing.send(sender=Contact, contact=contact)
        # Art. 19: each recipient of the data is to be told; the tasks outlive the contact (anonymised below).
        notified = recipient_notifications_open(contact=contact, cause=NotificationCause.ERASURE)
        plan = [(d, list(_rows(d, contact_pk).values_list("pk", flat=True))) for d in declarations()]
        counts: dict[str, dict[str, Any]] = {}
        kept: dict[str, list[str]] = {}
        for declaration, pks in plan:
            history = _history_rows(declaration, contact_pk, pks) if declaration.history_model else None
            subject_files_delete_on_commit(declaration, declaration.model._default_manager.filter(pk__in=pks), history)
        for declaration, pks in plan:
            if declaration.on_erase == ON_ERASE_ANONYMISE and pks:
                counts[declaration.label] = {"anonymised": _anonymise(declaration, pks)}
                kept_fields = [n for n, p in declaration.fields.items() if p.erase and p.erase.action == "keep"]
                if kept_fields:
                    kept[declaration.label] = kept_fields
        for declaration, pks in plan:
            if declaration.on_erase == ON_ERASE_DELETE and pks and declaration.model is not Contact:
                deleted, _ = declaration.model._default_manager.filter(pk__in=pks).delete()
                counts[declaration.label] = {"deleted": deleted}
        Contact.objects.filter(pk=contact_pk).delete()
        counts[Contact._meta.label] = {"deleted": 1}
        for declaration, pks in plan:
            if declaration.history_model is not None:
                purged, _ = _history_rows(declaration, contact_pk, pks).delete()
                counts.setdefault(declaration.label, {})["history_purged"] = purged
        audit_event_record(
            action="subject.erased",
            subject_id=contact_pk,
            reason=reason,
            data={
                "counts": counts,
                "kept_under_obligation": kept,
                "request": request_reference,
                "recipients_to_notify": len(notified),
            },
        )
    return counts


def _anonymise(declaration: Declaration, pks: list[Any]) -> int:
    replacements = {
        name: personal.erase.replacement()
        for name, personal in declaration.fields.items()
        if personal.erase is not None and personal.erase.action == "replace"
    }
    manager = declaration.model._default_manager
    # Severing the link keeps the row as proof without pointing at anyone.
    if declaration.subject and "__" not in declaration.subject:
        replacements[declaration.subject] = None
    count = 0
    for obj in manager.filter(pk__in=pks):
        for name, value in replacements.items():
            setattr(obj, name, value)
        obj.save()
        count += 1
    return count
