"""Duplicate detection and merge: runs, candidate pairs (with the reviewer's decision), merges (undoable)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.subject_data import ON_ERASE_DELETE, Category, PersonalField, personal_data

from .contacts import Contact


class RunMode(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Changed since the last run")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DedupRun(models.Model):
    """One duplicate-detection job: its progress and counts (no personal data)."""

    mode = models.CharField(_("mode"), max_length=12, choices=RunMode.choices, default=RunMode.INCREMENTAL)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    since = models.DateTimeField(_("contacts changed since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    contacts = models.PositiveIntegerField(_("contacts read"), default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    compared = models.PositiveBigIntegerField(_("pairs compared"), default=0)
    found = models.PositiveIntegerField(_("candidate pairs found"), default=0)
    started_by = models.CharField(_("started by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("duplicate detection run")
        verbose_name_plural = _("duplicate detection runs")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.pk}"

    @property
    def progress(self) -> int:
        return 100 if not self.chunks_total else round(100 * self.chunks_done / self.chunks_total)


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    DISMISSED = "dismissed", _("Not a duplicate")
    MERGED = "merged", _("Merged")


@personal_data(
    subject="contact_a",
    on_erase=ON_ERASE_DELETE,
    fields={},
    notes="Two contact ids, a score and the names of the fields that matched; goes with either contact "
    "(CASCADE on both).",
)
class DuplicateCandidate(models.Model):
    """A pair of contacts that may be one person; a "not a duplicate" decision is kept for ever."""

    contact_a = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    # (field code, contribution) pairs: names of fields, never their values.
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    run = models.ForeignKey(DedupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates")
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        permissions = [("merge_contact", _("Can review duplicates and merge contacts"))]
        constraints = [
            models.UniqueConstraint(fields=["contact_a", "contact_b"], name="dedup_candidate_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(contact_a__lt=models.F("contact_b")),
                name="dedup_candidate_ordered_pair",
                violation_error_message=_("A pair names the lower contact id first."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="dedup_candidate_queue_idx"),
            models.Index(fields=["contact_b"], name="dedup_candidate_b_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.contact_a_id} ~ #{self.contact_b_id} ({self.score:g})"


@personal_data(
    subject="survivor",
    on_erase=ON_ERASE_DELETE,
    fields={"before": PersonalField(Category.IDENTITY)},
    notes="What the survivor held before the merge, for undo; goes with either contact (CASCADE on both).",
)
class ContactMerge(models.Model):
    """One merge: `merged` now redirects to `survivor`; `before` and `moved` let it be undone exactly."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    merged_by = models.CharField(_("merged by"), max_length=150, blank=True)
    choices = models.JSONField(_("field choices"), default=dict)  # field -> "survivor" | "merged"
    before = models.JSONField(default=dict)  # the survivor's fields, tags and points before
    moved = models.JSONField(default=dict)  # model label -> ids of the rows re-pointed to the survivor
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("contact merge")
        verbose_name_plural = _("contact merges")

    def __str__(self) -> str:
        return f"#{self.merged_id} -> #{self.survivor_id}"
