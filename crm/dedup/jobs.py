"""Duplicate detection runs: plan the blocks, score them in chunks (several workers), store the candidate pairs.

A run reads every live contact once to build the blocks (`crm.dedup.blocking`).
A full run scores every block; an incremental run only the blocks holding a
contact created or changed since the last finished run, so new and changed
contacts are compared against everything. The blocks are cut into chunks by
a hash of their key; each chunk is one task on the `dedup` queue carrying the
contact ids of its blocks, so adding workers adds throughput. A pair already
known keeps its row (and a "not a duplicate" decision stays for ever).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import Contact, ContactPointKind, DedupRun, DuplicateCandidate, RunMode, RunStatus
from ..querysets import _hidden_conditions
from .blocking import blocks, candidate_pairs
from .merge import contacts_merge
from .records import record_from_values
from .scoring import AUTO_MERGE_THRESHOLD, REVIEW_THRESHOLD, Record, score_pair

CHUNKS = 8
READ_BATCH = 5000


def load_records(ids: Iterable[int] | None = None) -> Iterator[Record]:
    """The live contacts (or those of `ids`) as matcher records; e-mails decrypted, phones by blind index."""
    contacts = Contact.objects.live().select_related("organisation").prefetch_related("points").order_by("pk")
    if ids is not None:
        id_list = sorted(set(ids))
        for start in range(0, len(id_list), READ_BATCH):
            yield from _records(contacts.filter(pk__in=id_list[start : start + READ_BATCH]))
        return
    yield from _records(contacts.iterator(chunk_size=READ_BATCH))


def _records(contacts: Iterable[Contact]) -> Iterator[Record]:
    for contact in contacts:
        points = list(contact.points.all())
        yield record_from_values(
            pk=contact.pk,
            first_name=contact.first_name,
            last_name=contact.last_name,
            birth_date=contact.birth_date,
            street=contact.street,
            postal_code=contact.postal_code,
            city=contact.city,
            organisation=contact.organisation.name if contact.organisation else "",
            emails=[p.value for p in points if p.kind == ContactPointKind.EMAIL],
            phones=[f"+{p.value_index}" for p in points if p.kind == ContactPointKind.PHONE],
            restricted=contact.restricted,
        )


def _last_finished() -> datetime | None:
    run = DedupRun.objects.filter(status=RunStatus.DONE).order_by("-started_at").first()
    return run.started_at if run else None


def dedup_run_create(*, full: bool, started_by: str = "") -> DedupRun:
    since = None if full else _last_finished()
    mode = RunMode.FULL if since is None else RunMode.INCREMENTAL
    return DedupRun.objects.create(mode=mode, since=since, started_by=started_by)


def dedup_run_plan(*, run: DedupRun, chunks: int = CHUNKS) -> list[list[list[int]]]:
    """Build the blocks and cut them into chunks of contact-id lists; records the counts on the run."""
    records = list(load_records())
    changed: set[int] | None = None
    if run.since is not None:
        changed = set(
            Contact.objects.live().filter(updated_at__gte=run.since).values_list("pk", flat=True).iterator(20_000)
        )
    planned: list[list[list[int]]] = [[] for _ in range(chunks)]
    for key, members in blocks(records).items():
        ids = [r.id for r in members]
        if changed is not None and not changed.intersection(ids):
            continue
        planned[zlib.crc32(key.encode()) % chunks].append(ids)
    planned = [chunk for chunk in planned if chunk]
    DedupRun.objects.filter(pk=run.pk).update(contacts=len(records), chunks_total=len(planned))
    return planned


def dedup_chunk_score(*, run_id: int, chunk: list[list[int]]) -> int:
    """Score the pairs of one chunk's blocks and store those above the review threshold; returns how many."""
    by_id = {r.id: r for r in load_records(i for ids in chunk for i in ids)}
    block_list = [[by_id[i] for i in ids if i in by_id] for ids in chunk]
    compared, found = 0, []
    for a, b in candidate_pairs(block_list):
        compared += 1
        score = score_pair(a, b)
        if score.total >= REVIEW_THRESHOLD:
            found.append((a.id, b.id, score))
    stored = _store(run_id, found)
    if settings.DEDUP_AUTO_MERGE:
        auto_merge([(a, b) for a, b, score in found if score.total >= AUTO_MERGE_THRESHOLD])
    with transaction.atomic():
        DedupRun.objects.filter(pk=run_id).update(
            chunks_done=F("chunks_done") + 1, compared=F("compared") + compared, found=F("found") + stored
        )
        DedupRun.objects.filter(pk=run_id, chunks_done__gte=F("chunks_total")).update(
            status=RunStatus.DONE, finished_at=timezone.now()
        )
    return stored


def auto_merge(pairs: list[tuple[int, int]]) -> int:
    """Merge pairs without review (off by default: DEDUP_AUTO_MERGE), the older record surviving.

    Never a restricted contact, nor one an app hides from every list (the retention archive): those wait for
    a person. A pair that cannot be merged (one side merged already by another pair) stays in the queue.
    """
    ids = {i for pair in pairs for i in pair}
    mergeable = Contact.objects.live().filter(pk__in=ids, restricted=False)
    for condition in _hidden_conditions:
        mergeable = mergeable.exclude(condition())
    allowed = set(mergeable.values_list("pk", flat=True))
    merged = 0
    for low, high in pairs:
        if low in allowed and high in allowed:
            try:
                contacts_merge(survivor=Contact.objects.get(pk=low), merged=Contact.objects.get(pk=high))
            except (ValidationError, Contact.DoesNotExist):
                continue
            merged += 1
    return merged


def _store(run_id: int | None, found: list[tuple[int, int, object]]) -> int:
    """Insert new pairs; a pair already known (pending, dismissed or merged) keeps its row and decision."""
    if not found:
        return 0
    table = DuplicateCandidate._meta.db_table
    rows = [(a, b, s.total, _json(s.reasons), "pending", run_id) for a, b, s in found]
    stored = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            placeholders = ", ".join(["(%s, %s, %s, %s::jsonb, %s, %s, now(), '')"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (contact_a_id, contact_b_id, score, reasons, status, run_id, found_at, "
                f"decided_by) VALUES {placeholders} ON CONFLICT (contact_a_id, contact_b_id) DO NOTHING",
                [value for row in batch for value in row],
            )
            stored += cursor.rowcount
    return stored


def _json(reasons: list[tuple[str, float]]) -> str:
    import json

    return json.dumps([[code, value] for code, value in reasons])


def dedup_run_inline(*, full: bool, started_by: str = "") -> DedupRun:
    """A whole run in this process (the command without workers, and the tests)."""
    run = dedup_run_create(full=full, started_by=started_by)
    chunks = dedup_run_plan(run=run)
    for chunk in chunks:
        dedup_chunk_score(run_id=run.pk, chunk=chunk)
    if not chunks:
        DedupRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def candidate_rows(run: DedupRun | None = None) -> Iterator[dict[str, object]]:
    """The pending candidate pairs (of one run, or all), for the CSV export: ids, external ids, score, reasons."""
    candidates = DuplicateCandidate.objects.filter(status="pending")
    if run is not None:
        candidates = candidates.filter(run=run)
    from ..models import ExternalId

    for candidate in candidates.order_by("-score", "pk").iterator(2000):
        external = dict(
            ExternalId.objects.filter(contact_id__in=(candidate.contact_a_id, candidate.contact_b_id))
            .values_list("contact_id", "value")
            .order_by("pk")
        )
        yield {
            "contact_a": candidate.contact_a_id,
            "external_id_a": external.get(candidate.contact_a_id, ""),
            "contact_b": candidate.contact_b_id,
            "external_id_b": external.get(candidate.contact_b_id, ""),
            "score": candidate.score,
            "reasons": "; ".join(f"{code} {value:+g}" for code, value in candidate.reasons),
        }


def likely_matches(*, values: dict[str, Any], user: Any = None, limit: int = 5) -> list[tuple[Contact, Any]]:
    """Live contacts that a contact about to be created with `values` would likely duplicate, best first.

    The candidates are read from the database through what is indexed: the same surname (or the surname
    written as a first name), a shared phone number; each is scored like a run would.
    """
    from django.db.models import Q

    from core.crypto import blind_index

    from ..models import search_key
    from ..normalise import normalise_phone

    indexes = []
    for phone in values.get("phones", []):
        try:
            indexes.append(blind_index(normalise_phone(phone)))
        except ValidationError:
            continue
    organisation = values.get("organisation")
    new = record_from_values(
        pk=0,
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        birth_date=values.get("birth_date"),
        street=values.get("street", ""),
        postal_code=values.get("postal_code", ""),
        city=values.get("city", ""),
        organisation=organisation.name if organisation else "",
        emails=values.get("emails", []),
        phones=[f"+{index}" for index in indexes],  # compared like load_records reads them (blind indexes)
    )
    last = search_key(values.get("last_name", ""))
    query = Q(last_name_key=last) | Q(first_name_key=last) if last else Q(pk__in=[])
    if indexes:
        query |= Q(points__kind=ContactPointKind.PHONE, points__value_index__in=indexes)
    contacts = Contact.objects.restrict(user, "view") if user is not None else Contact.objects.live()
    ids = list(contacts.filter(query).values_list("pk", flat=True).distinct()[:200])
    scored = []
    for record in load_records(ids):
        score = score_pair(new, record)
        if score.total >= REVIEW_THRESHOLD:
            scored.append((record.id, score))
    scored.sort(key=lambda item: -item[1].total)
    by_id = Contact.objects.in_bulk([pk for pk, _score in scored[:limit]])
    return [(by_id[pk], score) for pk, score in scored[:limit] if pk in by_id]


IMPORT_MATCH_LIMIT = 3  # likely matches named per import row


def likely_matches_many(rows: list[dict[str, Any]], limit: int = IMPORT_MATCH_LIMIT) -> list[list[tuple[int, Any]]]:
    """For each row about to be created, the live contacts it likely duplicates (score ≥ review), best first.

    For an import chunk: one query finds the contacts any row may match, through what is indexed (the
    same surname with the same postcode, birth date or first name; names swapped; a shared phone, by its
    blind index), then each row is scored against its own share of them like a run would. A row is a
    dict of contact values plus `emails`, `phone_indexes` and `organisation` (a name).
    """
    from ..models import ContactPoint, search_key

    new = [
        record_from_values(
            pk=0,
            first_name=row.get("first_name", ""),
            last_name=row.get("last_name", ""),
            birth_date=row.get("birth_date"),
            street=row.get("street", ""),
            postal_code=row.get("postal_code", ""),
            city=row.get("city", ""),
            organisation=row.get("organisation", ""),
            emails=row.get("emails", []),
            phones=[f"+{index}" for index in row.get("phone_indexes", [])],  # compared like load_records reads them
        )
        for row in rows
    ]
    keys = [(search_key(row.get("first_name", "")), search_key(row.get("last_name", ""))) for row in rows]
    phones = {index for row in rows for index in row.get("phone_indexes", [])}
    contacts = Contact.objects.live()
    found = contacts.filter(pk__in=_nearby_ids(rows, keys)).values_list(
        "pk", "first_name_key", "last_name_key", "birth_date", "postal_code"
    )
    by_name: dict[str, list[tuple]] = {}
    for row_found in found:
        by_name.setdefault(row_found[2], []).append(row_found)
        if row_found[1] != row_found[2]:
            by_name.setdefault(row_found[1], []).append(row_found)
    by_phone: dict[str, set[int]] = {}
    if phones:
        points = ContactPoint.objects.filter(
            kind=ContactPointKind.PHONE, value_index__in=phones, contact__in=contacts
        ).values_list("value_index", "contact_id")
        for index, pk in points[:20_000]:
            by_phone.setdefault(index, set()).add(pk)
    wanted = []
    for row, (first, last) in zip(rows, keys, strict=True):
        ids = {pk for i in row.get("phone_indexes", []) for pk in by_phone.get(i, ())}
        for pk, other_first, other_last, birth, code in (*by_name.get(last, ()), *by_name.get(first, ())):
            close = (birth is not None and birth == row.get("birth_date")) or (code and code == row.get("postal_code"))
            if (
                (other_last == last and (close or other_first == first))
                or (other_first == first and close)
                or (other_first == last and other_last == first)
            ):
                ids.add(pk)
        wanted.append(ids)
    records = {r.id: r for r in load_records({pk for ids in wanted for pk in ids})}
    result = []
    for record, ids in zip(new, wanted, strict=True):
        scored = []
        for pk in ids:
            if pk in records:
                score = score_pair(record, records[pk])
                if score.total >= REVIEW_THRESHOLD:
                    scored.append((pk, score))
        scored.sort(key=lambda item: (-item[1].total, item[0]))
        result.append(scored[:limit])
    return result


def _nearby_ids(rows: list[dict[str, Any]], keys: list[tuple[str, str]]) -> list[int]:
    """Ids of the contacts sharing with one row: both names, or a name with its postcode or birth date, or
    both names swapped. One query; each pair of values is one probe of an index or a hash join, so the
    answer stays small whatever the size of the database (no cross product of the chunk's values)."""
    table = connection.ops.quote_name(Contact._meta.db_table)
    both = list(zip(rows, keys, strict=True))
    probes = {
        "c.first_name_key = k.a AND c.last_name_key = k.b": [(f, la) for f, la in keys if f and la],
        "c.first_name_key = k.b AND c.last_name_key = k.a": [(f, la) for f, la in keys if f and la],
        "c.last_name_key = k.a AND c.postal_code = k.b": [
            (la, r.get("postal_code")) for r, (_f, la) in both if la and r.get("postal_code")
        ],
        "c.first_name_key = k.a AND c.postal_code = k.b": [
            (f, r.get("postal_code")) for r, (f, _la) in both if f and r.get("postal_code")
        ],
        "c.last_name_key = k.a AND c.birth_date = k.b::date": [
            (la, r["birth_date"].isoformat()) for r, (_f, la) in both if la and r.get("birth_date")
        ],
        "c.first_name_key = k.a AND c.birth_date = k.b::date": [
            (f, r["birth_date"].isoformat()) for r, (f, _la) in both if f and r.get("birth_date")
        ],
    }
    parts, params = [], []
    for condition, values in probes.items():
        if values:
            parts.append(f"SELECT c.id FROM {table} c JOIN unnest(%s::text[], %s::text[]) AS k(a, b) ON {condition}")
            params += [[a for a, _b in values], [b for _a, b in values]]
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


def candidates_store(pairs: list[tuple[int, int, Any]]) -> int:
    """Store pairs found outside a run (an import row against an existing contact) in the review queue."""
    return _store(None, [(min(a, b), max(a, b), score) for a, b, score in pairs if a != b])
