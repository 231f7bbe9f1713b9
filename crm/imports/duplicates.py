"""Duplicates in an import: against the database and within the file, and what to do with each row.

Duplicates are exact: an email blind index, or the external id in the job's
system (a phone number may be shared by several people, so it never makes a row
a duplicate). Against the database, one `value_index IN (...)` query per chunk;
within the file, a map of every valid row's keys to the first line holding them
(the second occurrence is "a duplicate of line N"). `on_duplicate` decides:
"skip" reports the row; "merge" fills the existing contact's empty fields and
adds its new emails, phones, tags and external id through `contact_update`.
A row matching two different contacts is rejected: which one to merge into
cannot be decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Contact, ContactPoint, ContactPointKind, ExternalId
from .validation import Candidate

NEW = "new"
KEY_LABELS = {
    ContactPointKind.EMAIL: gettext_lazy("email address"),
    ContactPointKind.PHONE: gettext_lazy("phone number"),
    "external_id": gettext_lazy("external id"),
}
Target = tuple[str, int]  # ("id", contact pk) or (NEW, line of the row that creates it)
Matches = dict[tuple[str, str], int]  # duplicate key -> id of the contact in the database holding it


@dataclass
class Plan:
    """What one chunk will do."""

    creates: list[Candidate] = field(default_factory=list)
    merges: list[tuple[Candidate, Target]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # report entries (rejected, skipped)


def report_entry(line: int, outcome: str, reasons: list[str]) -> dict[str, Any]:
    return {"line": line, "outcome": outcome, "reasons": reasons}


class DuplicatePlanner:
    """Decides, row by row, to create, merge, skip or reject; remembers every key seen in the file.

    `merge` is the job's `on_duplicate == "merge"`; `user`, the job's user, limits
    which existing contacts a merge may change.
    """

    def __init__(self, *, system: str, merge: bool, user: Any) -> None:
        self.system = system
        self.merge = merge
        self.user = user
        self.seen: dict[tuple[str, str], int] = {}  # duplicate key -> first valid line holding it
        self.targets: dict[int, Target | None] = {}  # line -> what it became (valid rows of this pass)

    def remember(self, candidate: Candidate) -> None:
        """A row committed by an earlier run: its keys make later rows duplicates of it."""
        for key in candidate.keys(self.system):
            self.seen.setdefault(key, candidate.line)

    def created(self, line: int, pk: int) -> None:
        self.targets[line] = ("id", pk)

    def resolve(self, target: Target) -> Target | None:
        """A merge target as a contact id, once the row that creates it is written."""
        return self.targets.get(target[1]) if target[0] == NEW else target

    def plan(self, candidates: list[Candidate], entries: list[dict[str, Any]]) -> Plan:
        """Duplicates and decisions, with the database as it is now.

        A merge needs the previous chunk committed (a row matching two contacts is
        rejected, a merge may target a contact that chunk creates). Skipping does
        not, so the pipeline plans while that chunk commits: a contact the chunk
        creates holds keys of its own rows only, so a row matching it is an
        in-file duplicate, skipped whatever the database says; and `targets`,
        which the writer fills meanwhile (other lines), is read by merges only.
        """
        plan = Plan(entries=entries)
        matches = self._database_matches(candidates)
        changeable = self._changeable(set(matches.values()))
        for candidate in candidates:
            keys = candidate.keys(self.system)
            earlier = [(self.seen[key], key) for key in keys if key in self.seen]
            first_line, first_key = min(earlier) if earlier else (None, None)
            for key in keys:
                self.seen.setdefault(key, candidate.line)
            matched = {matches[key] for key in keys if key in matches} if matches else set()
            shown_key = first_key or next((key for key in keys if key in matches), ("", ""))
            self._decide(plan, candidate, first_line, matched, changeable, shown_key[0])
        plan.entries.sort(key=lambda entry: entry["line"])
        return plan

    def _decide(
        self,
        plan: Plan,
        candidate: Candidate,
        first_line: int | None,
        matched: set[int],
        changeable: set[int],
        key_kind: str,
    ) -> None:
        line = candidate.line
        label = KEY_LABELS.get(key_kind, "")  # lazy: translated only for a report line
        if first_line is not None and first_line != line:
            if not self.merge:
                self._skip(
                    plan, line, _("duplicate of line %(line)s (same %(key)s)") % {"line": first_line, "key": label}
                )
                return
            original = self.targets.get(first_line, ("resumed", 0))
            if original is None:
                self._skip(plan, line, _("duplicate of line %(line)s, which was not imported") % {"line": first_line})
                return
            targets = {("id", pk) for pk in matched}
            if original[0] != "resumed":
                targets.add(original)
            self._merge_or_reject(plan, candidate, targets, changeable)
            return
        if not matched:
            plan.creates.append(candidate)
            self.targets[line] = (NEW, line)
            return
        if not self.merge:
            self._skip(plan, line, _("already in the database (same %(key)s)") % {"key": label})
            return
        self._merge_or_reject(plan, candidate, {("id", pk) for pk in matched}, changeable)

    def _merge_or_reject(
        self, plan: Plan, candidate: Candidate, targets: set[tuple[str, int]], changeable: set[int]
    ) -> None:
        line = candidate.line
        if len(targets) > 1:
            self.targets[line] = None
            plan.entries.append(
                report_entry(line, "rejected", [_("matches several different contacts: merge them first, then import")])
            )
            return
        (target,) = targets
        if target[0] == "id" and target[1] not in changeable:
            self._skip(plan, line, _("already in the database, in a contact you may not change"))
            return
        plan.merges.append((candidate, target))
        self.targets[line] = target

    def _skip(self, plan: Plan, line: int, text: str) -> None:
        self.targets[line] = None
        plan.entries.append(report_entry(line, "skipped", [text]))

    def _database_matches(self, candidates: list[Candidate]) -> Matches:
        """(kind, blind index) or ("external_id", "system:value") -> id of the contact holding it."""
        emails = [index for c in candidates for index in c.email_indexes]
        found: Matches = {}
        if emails:
            found.update({(ContactPointKind.EMAIL, index): pk for index, pk in _email_owners(emails)})
        external = [c.external_id for c in candidates if c.external_id]
        if external:
            rows = ExternalId.objects.filter(system=self.system, value__in=external).values_list("value", "contact_id")
            found.update({("external_id", f"{self.system}:{value}"): contact_id for value, contact_id in rows})
        return found

    def _changeable(self, ids: set[int]) -> set[int]:
        """The matched contacts a merge may change: live, not restricted, and the job's user may change them."""
        if not ids or not self.merge:
            return set()
        if self.user is not None:
            queryset = Contact.objects.restrict(self.user, "change")
        else:
            queryset = Contact.objects.live().filter(restricted=False)
        return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def _email_owners(emails: list[str]) -> list[tuple[str, int]]:
    """(value_index, contact_id) of the e-mails having one of these blind indexes: one query.

    It filters on (kind, value_index), the columns of the uniqueness index, so
    each value is one index probe; on PostgreSQL the list travels as one array
    parameter (`= ANY(%s)`) instead of thousands of placeholders.
    """
    if connection.vendor != "postgresql":
        points = ContactPoint.objects.filter(kind=ContactPointKind.EMAIL, value_index__in=emails)
        return list(points.values_list("value_index", "contact_id"))
    table = connection.ops.quote_name(ContactPoint._meta.db_table)
    sql = f"SELECT value_index, contact_id FROM {table} WHERE kind = %s AND value_index = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [ContactPointKind.EMAIL.value, emails])
        return cursor.fetchall()
