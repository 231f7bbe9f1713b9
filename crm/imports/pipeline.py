"""The import pipeline: read, validate, find duplicates, then (for a run) write, chunk by chunk.

A dry run and a run share every step but the writing, so the dry run's counts
and report are what the run will do (barring changes made meanwhile).

Duplicates are found and decided on in `duplicates`; a merge goes through
`contact_update`, creations through the bulk `writer`.

Each chunk of a run commits in its own transaction together with the job's
counts, report and `last_committed_line`, so a run killed half-way resumes
after that line and writes nothing twice.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.db.models import F, Func, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import current_actor

from ..models import (
    Contact,
    ExternalId,
    ImportJob,
    OnDuplicate,
    Organisation,
    Tag,
    search_key,
)
from ..suppression import suppressed_indexes
from .duplicates import DuplicatePlanner, Plan, report_entry
from .erasure import erased_since_upload
from .readers import open_table
from .validation import Candidate, RowValidator, reason
from .writer import ChunkWriter, Reserved

CHUNK_SIZE = 5_000
LIKELY_DUPLICATE = "likely_duplicate"  # created, with a warning: likely the same person as an existing contact
ERASED = "erased"  # the report's outcome for a row of a person erased since the upload (counted as skipped)


def _without_suppressed(
    candidates: list[Candidate], entries: list[dict[str, Any]]
) -> tuple[list[Candidate], list[dict[str, Any]]]:
    """CON-11: a row whose e-mail or phone is on the suppression list is reported "suppressed" and not imported."""
    emails = suppressed_indexes("email", [index for c in candidates for index in c.email_indexes])
    phones = suppressed_indexes("phone", [index for c in candidates for index in c.phone_indexes])
    if not emails and not phones:
        return candidates, entries
    kept = []
    for candidate in candidates:
        if emails.intersection(candidate.email_indexes) or phones.intersection(candidate.phone_indexes):
            entries.append(
                report_entry(candidate.line, "suppressed", [_("on the suppression list (objection to marketing)")])
            )
        else:
            kept.append(candidate)
    return kept, entries


class ConcurrentRun(Exception):
    """Another process committed a chunk of this job meanwhile: this one stops."""


@dataclass
class Counts:
    total: int = 0
    created: int = 0
    merged: int = 0
    skipped: int = 0
    rejected: int = 0

    @property
    def valid(self) -> int:
        return self.total - self.rejected

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "valid": self.valid}


@dataclass
class Outcome:
    counts: Counts
    report: list[dict[str, Any]]
    last_line: int = 0
    chunk_seconds: list[float] = field(default_factory=list)
    chunk_rows: list[int] = field(default_factory=list)


def job_system(job: ImportJob) -> str:
    """The ExternalId system the job's external ids belong to."""
    return (job.supplier.strip() or "import")[:40]


def job_source_detail(job: ImportJob) -> str:
    base = f"{job.original_filename} ({job.supplier.strip()})" if job.supplier.strip() else job.original_filename
    return base[:150]


def _chunks(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class ImportPipeline:
    def __init__(
        self,
        job: ImportJob,
        *,
        commit: bool,
        chunk_size: int | None = None,
        progress: Callable[[ImportJob, Outcome], None] | None = None,
    ) -> None:
        self.job = job
        self.commit = commit
        self.chunk_size = chunk_size or CHUNK_SIZE
        self.progress = progress
        self.system = job_system(job)
        self.validator = RowValidator(
            columns=job.columns, mapping=job.mapping, source_detail=job_source_detail(job), system=self.system
        )
        user = get_user_model().objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
        self.duplicates = DuplicatePlanner(system=self.system, merge=job.on_duplicate == OnDuplicate.MERGE, user=user)
        self.writer: ChunkWriter | None = None

    # ------------------------------------------------------------------ driver

    def run(self) -> Outcome:
        resume_after = self.job.last_committed_line if self.commit else 0
        outcome = Outcome(counts=Counts(), report=[], last_line=resume_after)
        if resume_after:
            job = self.job
            outcome.counts = Counts(
                created=job.created_count,
                merged=job.merged_count,
                skipped=job.skipped_count,
                rejected=job.rejected_count,
            )
            outcome.counts.total = job.created_count + job.merged_count + job.skipped_count + job.rejected_count
            outcome.report = list(job.report)
        if self.commit:
            self.writer = ChunkWriter(
                actor=current_actor(),
                now=timezone.now(),
                owner_id=self.job.created_by_id,
                reason=_("import #%(id)s") % {"id": self.job.pk},
                system=self.system,
            )
        table = open_table(self.job.file.path, self.job.format, has_header=self.job.has_header)
        committer = _Committer(background=self.commit and _can_write_in_background())
        try:
            for chunk in _chunks(table.rows, self.chunk_size):
                self._replay([row for row in chunk if row[0] <= resume_after])
                rows = [row for row in chunk if row[0] > resume_after]
                if not rows:
                    continue
                started = time.perf_counter()
                # Meanwhile the previous chunk may be committing.
                candidates, entries = self._validate(rows)
                if self.duplicates.merge:
                    committer.wait()  # a merge decides on the committed state (see DuplicatePlanner.plan)
                plan = self.duplicates.plan(candidates, entries)
                reserved = self.writer.reserve(plan.creates) if self.writer else None
                committer.wait()
                if self.commit:
                    committer.submit(self._commit, plan, reserved, rows[-1][0], len(rows), outcome, started)
                else:
                    plan.entries.extend(_warn(plan.creates, _likely_matches(plan.creates)))
                    plan.entries.sort(key=lambda entry: entry["line"])
                    self._count(outcome, plan.creates, len(plan.merges), plan.entries)
                    self._chunk_done(outcome, rows[-1][0], len(rows), started)
            committer.wait()
        finally:
            committer.close()
        return outcome

    def _chunk_done(self, outcome: Outcome, last_line: int, size: int, started: float) -> None:
        outcome.last_line = last_line
        outcome.chunk_seconds.append(time.perf_counter() - started)
        outcome.chunk_rows.append(size)
        if self.progress:
            self.progress(self.job, outcome)

    def _replay(self, rows: list[tuple[int, list[str]]]) -> None:
        """Rows committed by an earlier run: rebuild the in-file duplicate map from them, write nothing."""
        for line, values in rows:
            candidate, _reasons = self.validator.validate(line, values)
            if candidate is not None:
                self.duplicates.remember(candidate)

    # ------------------------------------------------------------------ validation

    def _validate(self, rows: list[tuple[int, list[str]]]) -> tuple[list[Candidate], list[dict[str, Any]]]:
        candidates: list[Candidate] = []
        entries: list[dict[str, Any]] = []
        validate = self.validator.validate
        erased = self._erased_keys()
        for line, values in rows:
            candidate, reasons = validate(line, values)
            if candidate is None:
                entries.append(report_entry(line, "rejected", reasons))
            elif erased and not erased.isdisjoint((*candidate.email_indexes, *candidate.phone_indexes)):
                entries.append(report_entry(line, ERASED, [_("this person was erased after the file was uploaded")]))
            else:
                candidates.append(candidate)
        return _without_suppressed(candidates, entries)

    def _erased_keys(self) -> set[str]:
        """Read again for every chunk: an erasure during the run counts from the next chunk on."""
        return erased_since_upload(self.job)

    # ------------------------------------------------------------------ dry run

    @staticmethod
    def _count(outcome: Outcome, creates: list[Candidate], merged: int, entries: list[dict[str, Any]]) -> None:
        counts = outcome.counts
        rejected = sum(1 for entry in entries if entry["outcome"] == "rejected")
        warned = sum(1 for entry in entries if entry["outcome"] == LIKELY_DUPLICATE)  # created: counted there
        counts.created += len(creates)
        counts.merged += merged
        counts.rejected += rejected
        counts.skipped += len(entries) - rejected - warned
        counts.total += len(creates) + merged + len(entries) - warned
        outcome.report.extend(entries)

    # ------------------------------------------------------------------ run

    def _commit(
        self, plan: Plan, reserved: Reserved | None, last_line: int, size: int, outcome: Outcome, started: float
    ) -> None:
        assert self.writer is not None
        with transaction.atomic():
            _commit_without_waiting_for_the_disk()
            job = ImportJob.objects.select_for_update().only("last_committed_line", "total_rows").get(pk=self.job.pk)
            if job.last_committed_line != outcome.last_line:
                raise ConcurrentRun(f"import job {job.pk} advanced to line {job.last_committed_line} meanwhile")
            names = [c.organisation for c in (*plan.creates, *(m[0] for m in plan.merges)) if c.organisation]
            organisation_ids = self.writer.organisations(names)
            tag_ids = self.writer.tags({t for c in (*plan.creates, *(m[0] for m in plan.merges)) for t in c.tags})
            if plan.creates:
                likely = _likely_matches(plan.creates)
                ids = self.writer.contacts(
                    plan.creates, organisation_ids=organisation_ids, tag_ids=tag_ids, reserved=reserved
                )
                for candidate, pk in zip(plan.creates, ids, strict=True):
                    self.duplicates.created(candidate.line, pk)
                plan.entries.extend(_warn(plan.creates, likely, ids))
            merged = 0
            for candidate, target in plan.merges:
                resolved = self.duplicates.resolve(target)
                problems = self._merge(candidate, resolved, organisation_ids, tag_ids)
                if problems:
                    plan.entries.append(report_entry(candidate.line, "rejected", problems))
                else:
                    merged += 1
            plan.entries.sort(key=lambda entry: entry["line"])
            self._count(outcome, plan.creates, merged, plan.entries)
            counts = outcome.counts
            ImportJob.objects.filter(pk=job.pk).update(
                last_committed_line=last_line,
                processed_rows=counts.total,
                total_rows=max(job.total_rows, counts.total),
                valid_rows=counts.valid,
                created_count=counts.created,
                merged_count=counts.merged,
                skipped_count=counts.skipped,
                rejected_count=counts.rejected,
                report=_appended(job.pk, plan.entries),
            )
        self._chunk_done(outcome, last_line, size, started)

    def _merge(
        self,
        candidate: Candidate,
        target: tuple[str, int] | None,
        organisation_ids: dict[str, int],
        tag_ids: dict[str, int],
    ) -> list[str]:
        """Fill the contact's empty fields and add what is new, through `contact_update`; [] when merged."""
        from ..services import contact_update

        if target is None or target[0] != "id":
            return [_("the contact to merge into could not be found")]
        contact = Contact.objects.prefetch_related("points", "tags", "external_ids").filter(pk=target[1]).first()
        if contact is None:
            return [_("the contact to merge into could not be found")]
        data: dict[str, Any] = {
            name: value
            for name, value in candidate.fields.items()
            if name != "source_detail" and value not in ("", None) and getattr(contact, name) in ("", None)
        }
        if candidate.organisation and contact.organisation_id is None:
            data["organisation"] = Organisation.objects.get(pk=organisation_ids[search_key(candidate.organisation)])
        emails, phones = contact.emails, contact.phones
        new_emails = [value for value in candidate.emails if value not in emails]
        new_phones = [value for value in candidate.phones if value not in phones]
        current_tags = list(contact.tags.all())
        current_names = {tag.name.lower() for tag in current_tags}
        new_tags = [tag_ids[name.lower()] for name in candidate.tags if name.lower() not in current_names]
        try:
            with transaction.atomic():
                contact_update(
                    contact=contact,
                    emails=[*emails, *new_emails] if new_emails else None,
                    phones=[*phones, *new_phones] if new_phones else None,
                    tags=[*current_tags, *Tag.objects.filter(pk__in=new_tags)] if new_tags else None,
                    reason=_("merged by import #%(id)s") % {"id": self.job.pk},
                    **data,
                )
                known = {(e.system, e.value) for e in contact.external_ids.all()}
                if candidate.external_id and (self.system, candidate.external_id) not in known:
                    ExternalId.objects.create(contact=contact, system=self.system, value=candidate.external_id)
        except ValidationError as error:
            return [reason(str(name), ValidationError(messages)) for name, messages in error.message_dict.items()]
        return []


def _likely_matches(creates: list[Candidate]) -> list[list[tuple[int, Any]]]:
    """For each row about to be created, the existing contacts it likely duplicates (crm.dedup scoring).

    Only rows that no e-mail or external id matched reach here: those are skipped or merged already.
    """
    from ..dedup.jobs import likely_matches_many

    return likely_matches_many(
        [
            {
                **c.fields,
                "emails": c.emails,
                "phone_indexes": c.phone_indexes,
                "organisation": c.organisation,
            }
            for c in creates
        ]
    )


def _warn(
    creates: list[Candidate], likely: list[list[tuple[int, Any]]], ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """A report entry per created row that likely duplicates an existing contact; with `ids` (the rows were
    written), each pair also joins the duplicate review queue."""
    from ..dedup.jobs import candidates_store
    from ..dedup.reasons import reason_label

    entries, pairs = [], []
    for index, (candidate, matches) in enumerate(zip(creates, likely, strict=True)):
        if not matches:
            continue
        reasons = [
            _("imported, but likely the same person as contact #%(id)s (score %(score)s: %(reasons)s)")
            % {
                "id": pk,
                "score": f"{score.total:g}",
                "reasons": ", ".join(str(reason_label(code, value)) for code, value in score.reasons[:4]),
            }
            for pk, score in matches
        ]
        entries.append(report_entry(candidate.line, LIKELY_DUPLICATE, reasons))
        if ids is not None:
            pairs.extend((ids[index], pk, score) for pk, score in matches)
    if pairs:
        candidates_store(pairs)
    return entries


def _commit_without_waiting_for_the_disk() -> None:
    """`synchronous_commit = off` for this chunk's transaction only (PostgreSQL, outermost transaction).

    Safe here: a crash can lose the last chunks' commits, but the job's
    `last_committed_line` is in the same transactions and is lost with them, so
    the rerun writes those chunks again; nothing is half-done or written twice.
    """
    if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:  # not within a caller's transaction
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _can_write_in_background() -> bool:
    """Chunks commit on a second connection while the next chunk is validated (PostgreSQL, outside a transaction).

    Inside a transaction (a test, a caller's atomic block) a second connection
    would not see the caller's rows: everything then runs on the caller's.
    """
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _Committer:
    """Runs commits one at a time, in a writer thread or inline; `wait()` returns once the last one is done.

    The thread has its own database connection (closed at the end) and runs in
    a copy of the caller's context, so history rows keep the caller's actor.
    """

    def __init__(self, *, background: bool) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") if background else None
        self.pending: Future | None = None

    def submit(self, func: Callable[..., None], *args: Any) -> None:
        self.wait()
        if self.pool is None:
            func(*args)
        else:
            self.pending = self.pool.submit(contextvars.copy_context().run, func, *args)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()  # raises the writer's error here

    def close(self) -> None:
        if self.pool is not None:
            with contextlib.suppress(Exception):
                self.wait()
            self.pool.submit(connections.close_all).result()
            self.pool.shutdown()


def _appended(job_id: int, entries: list[dict[str, Any]]) -> Any:
    """The job's report with `entries` added: in SQL on PostgreSQL, so a long report is not rewritten per chunk."""
    if connection.vendor == "postgresql":
        added = Cast(Value(json.dumps(entries)), output_field=models.JSONField())
        return Func(
            F("report"), added, arg_joiner=" || ", template="(%(expressions)s)", output_field=models.JSONField()
        )
    return [*ImportJob.objects.values_list("report", flat=True).get(pk=job_id), *entries]
