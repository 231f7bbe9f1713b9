"""Merge two contacts into one, and undo it (CON-08).

`contacts_merge` runs in one transaction and locks both rows in id order (two
merges of overlapping pairs wait for each other instead of deadlocking). Its
steps, in order (`MERGE_STEPS`, which the tests interrupt one by one):

1. fields: each field from the side chosen, by default the survivor's unless
   empty, then the most recently updated record's; restriction carried over
   (the earliest start, both reasons);
2. points: the merged contact's e-mails and phones move to the survivor (a
   number both hold stays on the merged record), never as primary;
3. tags and external ids: union;
4. related rows: every model of the subject-data map that points at the
   contact directly is re-pointed, one save per row so the history shows it;
   a model that registered a handler (`crm.dedup.hooks`: consent events are
   append-only and are copied, not moved) is handed the work instead;
5. after-merge callbacks (consent recomputes the survivor's derived state, so
   a withdrawal or objection on either record wins over an older consent);
6. tombstone: the merged contact is hidden (as deleted) and points at the
   survivor; the candidate pair is marked merged; an audit event names both.

Undo (`contact_merge_undo`, within `UNDO_WINDOW`) replays this backwards from
what the merge stored: the survivor's fields, tags and primary points as they
were, every moved row back, every handler's rows undone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import figures
from core.actors import current_actor
from core.audit import audit_event_record
from core.models import AppendOnlyModel
from core.subject_data import declarations

from ..models import CandidateStatus, Contact, ContactMerge, ContactPoint, DuplicateCandidate
from .hooks import after_merge_callbacks, merge_handler

UNDO_WINDOW = timedelta(days=30)  # no longer than the trash, which then purges the merged-away record

# The contact fields a reviewer chooses between (the rest are the survivor's, or carried over by rule).
MERGE_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "job_title",
    "organisation",
    "street",
    "postal_code",
    "city",
    "country",
    "preferred_language",
    "status",
    "kind",
)
SURVIVOR, MERGED = "survivor", "merged"
# Moved by the steps themselves, or not moved at all (the pair's own bookkeeping).
_HANDLED_HERE = {"crm.Contact", "crm.ContactPoint", "crm.ExternalId", "crm.DuplicateCandidate", "crm.ContactMerge"}


class MergeRefused(ValidationError):
    """The pair cannot be merged (the message says why)."""


def _pending_figure_refresh() -> None:
    """The dashboard's "duplicates pending review" count, refreshed once a decision commits (one indexed count)."""
    transaction.on_commit(lambda: figures.figures_refresh(keys=["crm.duplicates_pending"]))


def _empty(value: Any) -> bool:
    return value in (None, "")


def default_choices(survivor: Contact, merged: Contact) -> dict[str, str]:
    """Per field: the side whose value is kept. The most complete first, then the most recently updated."""
    newer = MERGED if merged.updated_at > survivor.updated_at else SURVIVOR
    choices = {}
    for name in MERGE_FIELDS:
        attname = Contact._meta.get_field(name).attname
        mine, theirs = getattr(survivor, attname), getattr(merged, attname)
        if _empty(theirs) or mine == theirs:
            choices[name] = SURVIVOR
        elif _empty(mine):
            choices[name] = MERGED
        else:
            choices[name] = newer
    return choices


def _snapshot(contact: Contact) -> dict[str, Any]:
    # Notes are left out: encrypted at rest, they are never copied into this plain snapshot (a merge
    # appends the merged record's notes, undo removes exactly what it appended).
    fields = {
        f.attname: getattr(contact, f.attname) for f in Contact._meta.concrete_fields if f.attname not in _UNSNAPPED
    }
    return {
        "fields": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()},
        "tags": sorted(contact.tags.values_list("pk", flat=True)),
        "notes_length": len(contact.notes or ""),
    }


_UNSNAPPED = ("id", "notes", "updated_at", "first_name_key", "last_name_key")


def _restore_fields(contact: Contact, fields: dict[str, Any]) -> None:
    for f in Contact._meta.concrete_fields:
        if f.attname in fields:
            setattr(contact, f.attname, f.to_python(fields[f.attname]))


# ------------------------------------------------------------------ steps


def _step_fields(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    for name, side in merge.choices.items():
        if side == MERGED:
            attname = Contact._meta.get_field(name).attname
            setattr(survivor, attname, getattr(merged, attname))
    if merged.restricted and not survivor.restricted:
        survivor.restricted, survivor.restricted_at = True, merged.restricted_at
        survivor.restriction_reason = merged.restriction_reason
    elif merged.restricted:
        survivor.restricted_at = min(survivor.restricted_at, merged.restricted_at)
        reasons = [r for r in (survivor.restriction_reason, merged.restriction_reason) if r]
        survivor.restriction_reason = " / ".join(dict.fromkeys(reasons))[:255]
    if merged.notes and merged.notes not in survivor.notes:
        survivor.notes = f"{survivor.notes}\n\n{merged.notes}" if survivor.notes else merged.notes
    survivor._change_reason = f"merged with contact #{merged.pk}"
    survivor.save()


def _step_points(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    held = set(survivor.points.values_list("kind", "value_index"))
    moved = []
    for point in merged.points.all():
        if (point.kind, point.value_index) in held:
            continue  # a number both hold: the merged record keeps its copy
        point.contact, point.is_primary = survivor, False
        point.save(update_fields=["contact", "is_primary"])
        moved.append(point.pk)
    merge.moved["crm.ContactPoint"] = moved


def _step_tags_and_ids(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    survivor.tags.add(*merged.tags.all())
    ids = []
    for external in merged.external_ids.all():
        external.contact = survivor
        external.save(update_fields=["contact"])
        ids.append(external.pk)
    merge.moved["crm.ExternalId"] = ids


def _direct_link(declaration: Any) -> str | None:
    subject = declaration.subject
    if not subject or "__" in subject or declaration.label in _HANDLED_HERE:
        return None
    if issubclass(declaration.model, AppendOnlyModel):
        return None  # audit rows stay with the record they were written about
    return subject


def _step_related(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    for declaration in declarations():
        link = _direct_link(declaration)
        if link is None:
            continue
        handler = merge_handler(declaration.model)
        if handler is not None:
            merge.moved[declaration.label] = handler.merge(merge, survivor, merged)
            continue
        ids = []
        for row in declaration.model._base_manager.filter(**{link: merged}):
            setattr(row, link, survivor)
            row.save()
            ids.append(row.pk)
        if ids:
            merge.moved[declaration.label] = ids


def _step_after(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    for callback in after_merge_callbacks():
        callback(survivor)


def _step_tombstone(merge: ContactMerge, survivor: Contact, merged: Contact) -> None:
    merged.merged_into = survivor
    merged.deleted_at = merged.deleted_at or timezone.now()
    merged._change_reason = f"merged into contact #{survivor.pk}"
    merged.save()
    low, high = sorted((survivor.pk, merged.pk))
    DuplicateCandidate.objects.filter(contact_a_id=low, contact_b_id=high).update(
        status=CandidateStatus.MERGED, decided_at=timezone.now(), decided_by=current_actor().label
    )
    merge.before["repointed_pairs"] = _repoint_pairs(survivor, merged)
    merge.save()
    audit_event_record(
        action="contact.merged",
        obj=survivor,
        subject_id=survivor.pk,
        data={"survivor": survivor.pk, "merged": merged.pk, "merge": merge.pk, "moved": _counts(merge.moved)},
    )


def _repoint_pairs(survivor: Contact, merged: Contact) -> list[list[int]]:
    """Pairs still to review that name the merged-away record now name the survivor.

    A pair the survivor already has (with any decision) is closed as merged instead, so the queue never
    shows a pair twice nor one that can no longer be merged. Returns `[id, contact_a, contact_b]` of each
    pair touched, for the undo.
    """
    touched = []
    survivors_pairs = DuplicateCandidate.objects.filter(Q(contact_a=survivor) | Q(contact_b=survivor))
    partners = {a if b == survivor.pk else b for a, b in survivors_pairs.values_list("contact_a_id", "contact_b_id")}
    pending = DuplicateCandidate.objects.select_for_update().filter(
        Q(contact_a=merged) | Q(contact_b=merged), status=CandidateStatus.PENDING
    )
    for candidate in pending.order_by("pk"):
        touched.append([candidate.pk, candidate.contact_a_id, candidate.contact_b_id])
        other = candidate.contact_b_id if candidate.contact_a_id == merged.pk else candidate.contact_a_id
        low, high = sorted((survivor.pk, other))
        if other in partners:
            candidate.status, candidate.decided_at = CandidateStatus.MERGED, timezone.now()
            candidate.decided_by = current_actor().label
        else:
            candidate.contact_a_id, candidate.contact_b_id = low, high
        candidate.save()
    return touched


def _restore_pairs(merge: ContactMerge) -> None:
    """The undo of `_repoint_pairs`: each touched pair names its two first contacts again, to review."""
    for pk, contact_a, contact_b in merge.before.get("repointed_pairs", []):
        DuplicateCandidate.objects.filter(pk=pk).update(
            contact_a_id=contact_a,
            contact_b_id=contact_b,
            status=CandidateStatus.PENDING,
            decided_at=None,
            decided_by="",
        )


Step = Callable[[ContactMerge, Contact, Contact], None]
MERGE_STEPS: list[Step] = [
    _step_fields,
    _step_points,
    _step_tags_and_ids,
    _step_related,
    _step_after,
    _step_tombstone,
]


def _counts(moved: dict[str, list[int]]) -> dict[str, int]:
    return {label: len(ids) for label, ids in moved.items() if ids}


def _lock_pair(first_id: int, second_id: int) -> dict[int, Contact]:
    rows = Contact.objects.select_for_update().filter(pk__in=(first_id, second_id)).order_by("pk")
    return {c.pk: c for c in rows}


def contacts_merge(*, survivor: Contact, merged: Contact, choices: dict[str, str] | None = None) -> ContactMerge:
    """Merge `merged` into `survivor` in one transaction (steps in the module docstring); returns the merge."""
    if survivor.pk == merged.pk:
        raise MergeRefused(_("A contact cannot be merged with itself."))
    unknown = set(choices or {}) - set(MERGE_FIELDS)
    bad_sides = set((choices or {}).values()) - {SURVIVOR, MERGED}
    if unknown or bad_sides:
        raise MergeRefused({"choices": [_("Choose “survivor” or “merged” for each of: %s.") % ", ".join(MERGE_FIELDS)]})
    try:
        with transaction.atomic():
            locked = _lock_pair(survivor.pk, merged.pk)
            if len(locked) < 2:
                raise MergeRefused(_("One of the two contacts no longer exists."))
            survivor, merged = locked[survivor.pk], locked[merged.pk]
            for contact in (survivor, merged):
                if contact.merged_into_id or contact.deleted_at:
                    raise MergeRefused(_("Contact #%(id)s was deleted or merged already.") % {"id": contact.pk})
            merge = ContactMerge(
                survivor=survivor,
                merged=merged,
                merged_by=current_actor().label,
                choices={**default_choices(survivor, merged), **(choices or {})},
                before={
                    **_snapshot(survivor),
                    "merged_primary_points": list(merged.points.filter(is_primary=True).values_list("pk", flat=True)),
                },
                moved={},
            )
            merge.save()  # first, so that handlers can name it
            for step in MERGE_STEPS:
                step(merge, survivor, merged)
            _pending_figure_refresh()
            return merge
    except IntegrityError as exc:
        raise MergeRefused(_("These two contacts cannot be merged: %(error)s") % {"error": str(exc)[:200]}) from exc


def contact_merge_undo(*, merge: ContactMerge, now: Any = None) -> ContactMerge:
    """Undo a merge within `UNDO_WINDOW`: both records exactly as they were, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise MergeRefused(_("This merge was undone already."))
        if merge.merged_at < now - UNDO_WINDOW:
            raise MergeRefused(_("This merge is too old to be undone."))
        locked = _lock_pair(merge.survivor_id, merge.merged_id)
        survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
        _undo_related(merge, merged)
        survivor.tags.set(merge.before["tags"])
        _restore_fields(survivor, merge.before["fields"])
        survivor.notes = survivor.notes[: merge.before["notes_length"]]
        survivor._change_reason = f"merge with contact #{merged.pk} undone"
        survivor.save()
        merged.merged_into = None
        merged.deleted_at = None  # a deleted contact is never merged
        merged._change_reason = f"merge into contact #{survivor.pk} undone"
        merged.save()
        for callback in after_merge_callbacks():
            callback(survivor)
            callback(merged)
        merge.undone_at = now
        merge.save(update_fields=["undone_at"])
        low, high = sorted((survivor.pk, merged.pk))
        DuplicateCandidate.objects.filter(contact_a_id=low, contact_b_id=high).update(
            status=CandidateStatus.PENDING, decided_at=None, decided_by=""
        )
        _restore_pairs(merge)
        _pending_figure_refresh()
        audit_event_record(
            action="contact.merge_undone",
            obj=survivor,
            subject_id=survivor.pk,
            data={"survivor": survivor.pk, "merged": merged.pk, "merge": merge.pk},
        )
    return merge


def _undo_related(merge: ContactMerge, merged: Contact) -> None:
    by_label = {d.label: d for d in declarations()}
    for label, ids in merge.moved.items():
        declaration = by_label.get(label)
        if declaration is None:
            continue
        handler = merge_handler(declaration.model)
        if handler is not None:
            handler.undo(merge, ids)
            continue
        link = declaration.subject
        for row in declaration.model._base_manager.filter(pk__in=ids):
            setattr(row, link, merged)
            if isinstance(row, ContactPoint):
                row.is_primary = row.pk in merge.before["merged_primary_points"]
            row.save()


def merged_target(contact: Contact) -> Contact | None:
    """The live contact a merged-away record now redirects to (following chains of merges)."""
    seen = set()
    while contact.merged_into_id and contact.pk not in seen:
        seen.add(contact.pk)
        contact = contact.merged_into
    return contact if contact.deleted_at is None else None


def candidate_dismiss(*, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """ "Not a duplicate": remembered for ever, the pair is never proposed again."""
    with transaction.atomic():
        candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        candidate.status = CandidateStatus.DISMISSED
        candidate.decided_at = timezone.now()
        candidate.decided_by = current_actor().label
        candidate.save(update_fields=["status", "decided_at", "decided_by"])
        _pending_figure_refresh()
        audit_event_record(
            action="duplicate.dismissed",
            subject_id=candidate.contact_a_id,
            data={"contacts": [candidate.contact_a_id, candidate.contact_b_id]},
        )
    return candidate
