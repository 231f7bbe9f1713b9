"""Import jobs: upload, map, dry run, run, delete, expire (services own transactions and evidence).

The uploaded file is personal data: it is deleted when the run is done, when
the file turns out unreadable, when the job is deleted and when it expires. A
run stopped by an error keeps it so that running again resumes.

The web request only peeks at an upload (`readers.peek`, a few kilobytes);
only a file the peek read whole is dry-run or run in the request, anything
larger by the worker, within the caps of `limits`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor
from core.audit import audit_event_record

from ..models import ImportJob, ImportStatus
from .erasure import erased_since_upload, holds_erased, import_keys_forget_unneeded
from .mapping import clean_mapping, suggest_mapping
from .pipeline import ConcurrentRun, ImportPipeline, Outcome
from .readers import ReadError, detect_format, peek

logger = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_INLINE_MAX_ROWS = 2_000
MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED, ImportStatus.FAILED)
RUNNABLE = (ImportStatus.MAPPED, ImportStatus.VALIDATED, ImportStatus.FAILED, ImportStatus.RUNNING)


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def abandoned_after() -> timedelta:
    """How long a job that never finished lives (its file holds every row of the upload)."""
    return timedelta(hours=float(getattr(settings, "IMPORT_ABANDONED_HOURS", 23)))


def finished_kept_for() -> timedelta:
    """How long a finished job keeps its file name, supplier, columns, mapping and report."""
    return timedelta(days=float(getattr(settings, "IMPORT_KEEP_DAYS", 7)))


def inline_max_rows() -> int:
    return int(getattr(settings, "IMPORT_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS))


def import_actor(job: ImportJob) -> Actor:
    """Who a background run acts as: a job, on behalf of the user who started the import."""
    username = job.created_by.get_username() if job.created_by_id else "system"
    return Actor(kind="job", label=f"import #{job.pk} ({username})"[:150], user_id=job.created_by_id)


# --------------------------------------------------------------------------- upload and mapping


def check_upload(upload: UploadedFile) -> str:
    """The file's format ("csv" or "xlsx"), or a ValidationError saying what is wrong with it."""
    fmt = detect_format(upload.name or "")
    if fmt is None:
        raise ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) file."), code="file_type")
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_upload_bytes():
        raise ValidationError(
            _("The file is too big (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_upload_bytes())},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if fmt == "xlsx" and head[:2] != b"PK":
        raise ValidationError(_("The file is not a valid Excel (XLSX) workbook."), code="file_type")
    if fmt == "csv" and (head[:2] == b"PK" or b"\x00" in upload.read(4096)):
        upload.seek(0)
        raise ValidationError(_("The file is not a CSV text file."), code="file_type")
    upload.seek(0)
    return fmt


def import_job_create(
    *, upload: UploadedFile, supplier: str = "", on_duplicate: str = "skip", user: Any = None
) -> ImportJob:
    """Store the upload, read its header and suggest a mapping; a bad file raises ValidationError({"file": ...})."""
    try:
        fmt = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    job = ImportJob(
        original_filename=(upload.name or "import")[:255],
        supplier=supplier.strip()[:200],
        format=fmt,
        on_duplicate=on_duplicate,
        created_by=user if getattr(user, "pk", None) else None,
    )
    job.file.save(upload.name or f"import.{fmt}", upload, save=False)
    try:
        first_look = peek(job.file.path, fmt)
        job.columns, job.has_header = first_look.columns, first_look.has_header
        job.mapping = suggest_mapping(first_look.columns) if first_look.has_header else dict.fromkeys(job.columns, "")
        job.total_rows, job.total_is_estimate = first_look.count, not first_look.complete
        with transaction.atomic():
            job.full_clean(exclude=["file"])
            job.save()
            audit_event_record(
                action="contacts.import_uploaded", obj=job, data={"format": fmt, "rows": first_look.count}
            )
    except BaseException as error:  # a rejected upload leaves nothing behind, whatever stopped it
        job.file.delete(save=False)
        if isinstance(error, ReadError):
            raise ValidationError({"file": [str(error)]}) from error
        raise
    return job


def import_job_map(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    if job.status not in MAPPABLE or job.last_committed_line:
        raise ValidationError(_("The columns of an import that has started can no longer change."))
    cleaned = clean_mapping(mapping, job.columns)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.mapping = cleaned
        job.status = ImportStatus.MAPPED
        job.dry_run = None
        job.report = []
        job.error = ""
        job.save()
    return job


def import_job_samples(*, job: ImportJob, count: int = 3) -> dict[str, list[str]]:
    """column -> its first `count` non-blank values, from a peek at the file, leaving out erased people's rows."""
    if not job.file:
        return {}
    try:
        first_look = peek(job.file.path, job.format)
    except (ReadError, OSError):
        return {}
    erased = erased_since_upload(job)
    found: dict[str, list[str]] = {column: [] for column in job.columns}
    for _line, values in first_look.rows:
        if holds_erased(values, erased):
            continue
        for column, value in zip(job.columns, values, strict=False):
            if value.strip() and len(found[column]) < count:
                found[column].append(value.strip()[:60])
    return found


# --------------------------------------------------------------------------- dry run and run


def _set_status(job: ImportJob, status: str, **fields: Any) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.status = status
        for name, value in fields.items():
            setattr(job, name, value)
        job.save()
    return job


def _check_runnable(job: ImportJob, *, dry_run: bool) -> None:
    allowed = (ImportStatus.MAPPED, ImportStatus.VALIDATED, ImportStatus.VALIDATING) if dry_run else RUNNABLE
    if job.status not in allowed or (dry_run and job.last_committed_line):
        raise ValidationError(
            _("This import cannot be started in its current state (%(status)s).") % {"status": job.get_status_display()}
        )
    if not job.file:
        raise ValidationError(_("The file of this import was deleted; upload it again."))


def import_job_start(*, job: ImportJob, dry_run: bool) -> ImportJob:
    """Run a small file at once; queue a large one (the page then polls the job's progress)."""
    from ..tasks import import_run

    _check_runnable(job, dry_run=dry_run)
    if not job.total_is_estimate and job.total_rows < inline_max_rows():
        return import_job_dry_run(job=job) if dry_run else import_job_run(job=job, raise_errors=False)
    status = ImportStatus.VALIDATING if dry_run else ImportStatus.RUNNING
    job = _set_status(job, status, processed_rows=0 if dry_run else job.processed_rows, error="")
    transaction.on_commit(lambda: import_run.delay(job.pk, dry_run=dry_run))
    return job


def _dry_run_progress(job: ImportJob, outcome: Outcome) -> None:
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=outcome.counts.total)


def import_job_dry_run(*, job: ImportJob) -> ImportJob:
    """Validate every row and look for duplicates; commit no contact. The job keeps the counts and report."""
    job = ImportJob.objects.get(pk=job.pk)
    _check_runnable(job, dry_run=True)
    job = _set_status(job, ImportStatus.VALIDATING, processed_rows=0, error="")
    try:
        outcome = ImportPipeline(job, commit=False, progress=_dry_run_progress).run()
    except ReadError as error:
        return _unreadable(job, error)
    counts = outcome.counts.as_dict()
    return _set_status(
        job,
        ImportStatus.VALIDATED,
        dry_run={**counts, "at": timezone.now().isoformat()},
        report=outcome.report,
        total_rows=counts["total"],
        processed_rows=counts["total"],
        valid_rows=counts["valid"],
    )


def import_job_run(
    *, job: ImportJob, raise_errors: bool = True, progress: Callable[[ImportJob, Outcome], None] | None = None
) -> ImportJob:
    """Commit the good rows chunk by chunk; idempotent: a done job is left alone, a stopped one resumes.

    An unexpected error marks the job failed (its committed chunks stay, the file
    too) and is raised again unless `raise_errors` is False (a page must not
    answer with a server error; the job shows the failure).
    """
    job = ImportJob.objects.filter(pk=job.pk).first()
    if job is None or job.status == ImportStatus.DONE:
        return job
    _check_runnable(job, dry_run=False)
    if not job.last_committed_line:
        # A fresh run reports its own rows, not the dry run's.
        job = _set_status(job, ImportStatus.RUNNING, report=[], processed_rows=0, started_at=timezone.now(), error="")
    else:
        job = _set_status(job, ImportStatus.RUNNING, error="")
    try:
        ImportPipeline(job, commit=True, progress=progress).run()
    except ConcurrentRun:
        return ImportJob.objects.get(pk=job.pk)  # the other run finishes the job
    except ReadError as error:
        return _unreadable(job, error)
    except Exception as error:
        logger.exception("import job %s stopped", job.pk)
        message = _("Stopped by an error (%(error)s); run it again to resume.") % {"error": type(error).__name__}
        job = _set_status(job, ImportStatus.FAILED, error=message[:255])
        if raise_errors:
            raise
        return job
    return _finish(job)


def _unreadable(job: ImportJob, error: ReadError) -> ImportJob:
    """The worker found the file unreadable or over a cap: the job fails and the file goes (a rerun cannot help)."""
    stored = job.file.name
    job = _set_status(job, ImportStatus.FAILED, error=str(error)[:255], file="")
    if stored:
        transaction.on_commit(lambda: job.file.storage.delete(stored))
    return job


def _finish(job: ImportJob) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.DONE:
            return job
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
        job.processed_rows = job.created_count + job.merged_count + job.skipped_count + job.rejected_count
        job.total_rows = job.processed_rows
        stored = job.file.name
        job.file = ""
        job.original_filename = ""  # the contacts keep it as their provenance; the job needs it no more
        job.save()
        audit_event_record(
            action="contacts.imported",
            obj=job,
            data={
                "created": job.created_count,
                "merged": job.merged_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
                "on_duplicate": job.on_duplicate,
            },
        )
        # Minimisation: the file goes once its good rows are in (after commit: a rollback keeps it).
        if stored:
            transaction.on_commit(lambda: job.file.storage.delete(stored))
        import_keys_forget_unneeded()
    return job


def import_job_delete(*, job: ImportJob) -> None:
    """Delete the job and its file; contacts it created stay (they have their own provenance and history)."""
    if job.is_busy:
        raise ValidationError(_("Wait for the import to finish before deleting it."))
    with transaction.atomic():
        audit_event_record(action="contacts.import_deleted", obj=job, data={"status": job.status})
        _delete_with_history(job)


def _delete_with_history(job: ImportJob) -> None:
    """Delete the job, its history rows (they hold its file name and mapping) and, after commit, its file."""
    stored, pk = job.file.name, job.pk
    job.delete()
    ImportJob.history.filter(id=pk).delete()  # after the delete: it writes one last history row
    import_keys_forget_unneeded()
    if stored:
        transaction.on_commit(lambda: job.file.storage.delete(stored))


# --------------------------------------------------------------------------- expiry


def expired_import_jobs(*, now: datetime | None = None) -> tuple[Any, Any]:
    """(jobs never finished and past `abandoned_after`, finished jobs past `finished_kept_for` not yet stripped)."""
    now = now or timezone.now()
    cutoff = now - abandoned_after()
    abandoned = (
        ImportJob.objects.exclude(status=ImportStatus.DONE)
        .filter(created_at__lt=cutoff)
        .exclude(started_at__gte=cutoff)  # a run started within the window is left to finish
    )
    finished = ImportJob.objects.filter(
        status=ImportStatus.DONE, expired_at__isnull=True, finished_at__lt=now - finished_kept_for()
    )
    return abandoned, finished


def import_jobs_expire(*, now: datetime | None = None, batch_size: int = 200) -> tuple[int, int, bool]:
    """Expire import jobs past their short life, a batch of each kind; returns (deleted, stripped, has_more).

    Deletes each job that never finished, created more than IMPORT_ABANDONED_HOURS
    ago (unless a run started since): its row, file and history rows, then the
    erased people's keys no pending job needs any more.
    Strips each job finished more than IMPORT_KEEP_DAYS ago of everything taken
    from the file or naming it (file name, supplier, columns, mapping, report,
    error) and deletes its history rows; keeps who imported when and the counts.
    One "contacts.import_expired" audit event per job.
    """
    abandoned, finished = expired_import_jobs(now=now)
    deleted = stripped = 0
    for pk in list(abandoned.values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=pk).first()
            if job is not None:
                audit_event_record(
                    action="contacts.import_expired", obj=job, data={"status": job.status, "deleted": True}
                )
                _delete_with_history(job)
                deleted += 1
    for pk in list(finished.values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            ImportJob.objects.filter(pk=pk).update(
                original_filename="",
                supplier="",
                columns=[],
                mapping={},
                report=[],
                error="",
                expired_at=timezone.now(),
            )
            ImportJob.history.filter(id=pk).delete()
            audit_event_record(
                action="contacts.import_expired", obj=ImportJob(pk=pk), data={"status": "done", "deleted": False}
            )
            stripped += 1
    import_keys_forget_unneeded()
    return deleted, stripped, deleted == batch_size or stripped == batch_size
