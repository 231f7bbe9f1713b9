"""The purge engine: set-wise, table by table, through the subject-data map.

`crm.subject_data.subject_data_erase` erases one person, saving one row at a
time; it is right for a request and too slow for a million. The engine reads the
same declarations and works on a batch of contact ids at once: one `DELETE` or
`UPDATE` per declared table, then one `DELETE` per history table, in the
caller's transaction. What it deletes, for each contact of the batch:

- every row of a model declared "delete on erasure", and its history rows;
- on a model declared "anonymise", each personal field replaced as declared and
  the link to the contact cut (the row stays as proof), and its history rows;
- the contact itself (end action "delete") or, for "anonymise", every personal
  field of the contact blanked (names, address, birth date, notes, provenance,
  links to an organisation and tags): the row keeps only its id, kind, status,
  language, country and dates of creation, for statistics; all its history goes.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from core.lookups import Ids, int_array
from core.subject_data import ON_ERASE_ANONYMISE, ON_ERASE_DELETE, Declaration, declarations
from crm.models import Contact
from crm.subject_data import subject_data_erasing, subject_files_delete_on_commit

__all__ = ["Ids", "int_array"]  # where the ledger and the proof purge import them from

from .models import EndAction

# Contact fields that survive anonymisation: coarse, shared by many people, useful for statistics.
CONTACT_KEPT_ON_ANONYMISE = frozenset({"kind", "status", "preferred_language", "country", "source"})


def _subject_filter(declaration: Declaration, pks: Ids) -> dict[str, Any]:
    if "__" in declaration.subject:
        return {f"{declaration.subject}__in": pks.values}
    return {f"{declaration.subject}_id__any_of": pks}


def _history_filter(declaration: Declaration, pks: Ids, row_pks: Ids) -> models.Q:
    """History rows of the batch: on a direct link, every row that ever pointed at the contacts."""
    if not declaration.subject:
        return models.Q(id__any_of=pks)
    if "__" not in declaration.subject:
        return models.Q(**{f"{declaration.subject}_id__any_of": pks}) | models.Q(id__any_of=row_pks)
    return models.Q(id__any_of=row_pks)


def _has_dependants(model: type[models.Model]) -> bool:
    return any(rel.concrete is False and not rel.many_to_many for rel in model._meta.related_objects)


def _delete_rows(queryset: models.QuerySet) -> int:
    """A plain DELETE when nothing points at the model (history is purged below anyway), else the ORM's cascade."""
    if not _has_dependants(queryset.model):
        return queryset._raw_delete(queryset.db)
    deleted, _per_model = queryset.delete()
    return deleted


def _anonymise_rows(declaration: Declaration, queryset: models.QuerySet) -> int:
    replacements = {
        name: personal.erase.replacement()
        for name, personal in declaration.fields.items()
        if personal.erase is not None and personal.erase.action == "replace"
    }
    if declaration.subject and "__" not in declaration.subject:
        replacements[declaration.subject] = None
    return queryset.update(**replacements) if replacements else queryset.count()


def _blank_value(field: models.Field) -> Any:
    if field.null:
        return None
    if isinstance(field, models.BooleanField):
        return field.get_default()
    return ""


def contact_anonymous_values() -> dict[str, Any]:
    """What anonymisation writes on a contact: every personal field blanked, except the coarse ones kept."""
    declaration = next(d for d in declarations() if d.model is Contact)
    values = {
        Contact._meta.get_field(name).attname: _blank_value(Contact._meta.get_field(name))
        for name in declaration.fields
        if name not in CONTACT_KEPT_ON_ANONYMISE
    }
    values.update(first_name_key="", last_name_key="", restricted=False, restricted_at=None)
    return values


def anonymised_contacts() -> models.Q:
    """An anonymised contact has no name: the marker that keeps a second run from finding it again."""
    return models.Q(first_name="", last_name="")


def jit_off() -> None:
    """For the rest of the caller's transaction: no JIT compilation. The purge's statements run once per batch
    over thousands of rows, so the planner's cost estimates cross the JIT thresholds, and compiling (with
    inlining and optimisation: 1.8 s for the selection of a batch on a million contacts) costs more than
    running them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _batch_plans() -> None:
    """Every statement of a batch finds rows by an indexed key among thousands of ids, but the planner, which
    expects rows for each id, would scan big tables whole (consent events: 1.5 s instead of 0.1 s on 6 million
    rows). For the rest of this transaction (the batch), index scans and no JIT."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")


def purge_contacts(pks: list[int] | Ids, *, end_action: str) -> dict[str, dict[str, int]]:
    """Purge the contacts `pks` and everything the map ties to them; call inside a transaction.

    Returns counts per table: rows deleted or anonymised, and history rows purged.
    """
    counts: dict[str, dict[str, int]] = {}
    pks = Ids(pks)
    _batch_plans()
    subject_data_erasing(contact_ids=pks.values)  # Art. 19 tasks and pending imports, where they apply
    others = [d for d in declarations() if d.model is not Contact]
    row_pks: dict[str, Ids] = {}
    for declaration in others:
        queryset = declaration.model._default_manager.filter(**_subject_filter(declaration, pks))
        history = None
        if declaration.history_model is not None:
            row_pks[declaration.label] = Ids(queryset.values_list("pk", flat=True))
            history = declaration.history_model._default_manager.filter(
                _history_filter(declaration, pks, row_pks[declaration.label])
            )
        subject_files_delete_on_commit(declaration, queryset, history)
    for declaration in sorted(others, key=lambda d: d.on_erase != ON_ERASE_ANONYMISE):
        queryset = declaration.model._default_manager.filter(**_subject_filter(declaration, pks))
        if declaration.on_erase == ON_ERASE_ANONYMISE:
            _count(counts, declaration.label, "anonymised", _anonymise_rows(declaration, queryset))
        elif declaration.on_erase == ON_ERASE_DELETE:
            _count(counts, declaration.label, "deleted", _delete_rows(queryset))
    contacts = Contact.objects.filter(id__any_of=pks)
    if end_action == EndAction.DELETE:
        _count(counts, Contact._meta.label, "deleted", _delete_rows(contacts))
    else:
        Contact.tags.through.objects.filter(contact_id__any_of=pks).delete()
        _count(counts, Contact._meta.label, "anonymised", contacts.update(**contact_anonymous_values()))
    for declaration in declarations():
        if declaration.history_model is None:
            continue
        history = declaration.history_model._default_manager.filter(
            _history_filter(declaration, pks, row_pks.get(declaration.label, Ids([])))
        )
        _count(counts, declaration.label, "history", history._raw_delete(history.db))
    return counts


def _count(counts: dict[str, dict[str, int]], table: str, what: str, number: int) -> None:
    if number:
        table_counts = counts.setdefault(table, {})
        table_counts[what] = table_counts.get(what, 0) + number


def merge_counts(total: dict[str, dict[str, int]], batch: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    for table, numbers in batch.items():
        for what, number in numbers.items():
            _count(total, table, what, number)
    return total


def rows_per_table(contacts: models.QuerySet) -> dict[str, dict[str, int]]:
    """For a preview: how many rows of each declared table (and its history) a purge of `contacts` touches."""
    counts: dict[str, dict[str, int]] = {}
    ids = contacts.values("pk")
    for declaration in declarations():
        if declaration.model is Contact:
            _count(counts, declaration.label, "rows", contacts.count())
            _count(counts, declaration.label, "history", declaration.history_model.objects.filter(id__in=ids).count())
            continue
        rows = declaration.model._default_manager.filter(**{f"{declaration.subject}__in": ids})
        _count(counts, declaration.label, "rows", rows.count())
    return counts
