from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    MERGE = "merge", _("Merge into the existing contact")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    VALIDATING = "validating", _("Dry run in progress")
    VALIDATED = "validated", _("Dry run done")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def import_upload_to(instance: Any, filename: str) -> str:
    # A random name: the supplier's file name may itself say who is in it.
    return f"imports/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ImportJob(models.Model):
    """One contact import: the uploaded file, its column mapping, the dry run, the run and its report.

    Personal data with a short life of its own (README, "Import files and what
    they leave behind"): the file goes once the run is over; a job never run
    expires (row, file, history) after IMPORT_ABANDONED_HOURS; a finished job
    keeps only its counts after IMPORT_KEEP_DAYS. The job points at no contact;
    its columns are never made of a row's values and its report holds line
    numbers, column names and reasons, never a row's values.
    """

    file = models.FileField(_("file"), upload_to=import_upload_to, blank=True, max_length=200)
    original_filename = models.CharField(_("file name"), max_length=255)
    supplier = models.CharField(
        _("supplier"), max_length=200, blank=True, help_text=_("Who provided the file (provenance of the contacts).")
    )
    format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    # False when the first row held data: the columns are then named by position and line 1 is imported.
    has_header = models.BooleanField(_("first row names the columns"), default=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)  # file column -> target field
    on_duplicate = models.CharField(
        _("when a contact already exists"), max_length=5, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    dry_run = models.JSONField(_("dry-run results"), null=True, blank=True)  # counts of the last dry run
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # The upload's first look read only the start of the file: `total_rows` is an estimate until a dry run.
    total_is_estimate = models.BooleanField(default=False)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    merged_count = models.PositiveIntegerField(_("merged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    # The run commits chunk by chunk; a rerun resumes after this line (spreadsheet row number).
    last_committed_line = models.PositiveIntegerField(_("last committed line"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)  # [{line, outcome, reasons}]
    error = models.CharField(_("error"), max_length=255, blank=True)
    expired_at = models.DateTimeField(_("details expired at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # Progress and the report change after every chunk: history records the state changes.
    # The file name may say who is in the file: it stays out of history, and goes from the job once the run is
    # over (each contact keeps it in its own provenance, erased with the contact).
    history = tracked(excluded_fields=["report", "processed_rows", "columns", "original_filename"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_duplicate__in=["skip", "merge"]),
                name="import_job_on_duplicate_valid",
                violation_error_message=_("Choose to skip or to merge duplicates."),
            ),
        ]

    def __str__(self) -> str:
        # Not the file name: this text lands in logs and admin pages that outlive the job.
        return f"import #{self.pk} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        """What pages call the job: its file name until the run is over, then its number."""
        return self.original_filename or str(_("Import #%(id)s") % {"id": self.pk})

    @property
    def is_busy(self) -> bool:
        return self.status in (ImportStatus.VALIDATING, ImportStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def run_counts(self) -> dict[str, int]:
        """The run's counts, shaped like `dry_run` (what the templates show side by side)."""
        total = self.created_count + self.merged_count + self.skipped_count + self.rejected_count
        return {
            "total": total,
            "valid": total - self.rejected_count,
            "created": self.created_count,
            "merged": self.merged_count,
            "skipped": self.skipped_count,
            "rejected": self.rejected_count,
        }

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


class ErasedImportKey(models.Model):
    """The blind index (keyed HMAC, no plaintext) of an e-mail or phone of a person erased while imports were pending.

    An import uploaded before `erased_at` skips the rows holding it, so a pending
    file does not re-create the person. Written only when some import is
    pending; deleted once no import uploaded before it is pending (at the
    latest with the abandoned uploads, within a day). No link to any job: an
    erasure never waits for a running import's lock.
    """

    value_index = models.CharField(max_length=64, db_index=True)
    erased_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("erased person's key for pending imports")
        verbose_name_plural = _("erased people's keys for pending imports")

    def __str__(self) -> str:
        return f"erased key ({self.erased_at:%Y-%m-%d %H:%M})"
