"""Data-subject requests (Arts. 12, 15-22): the case, its append-only timeline, notes and matched contacts.

A request exists for staff only once the requester has proved control of the
address (`PendingSubmission` holds what the public form received until then).
The due date is stored, recomputed by the services through `core.deadlines`
whenever the clock changes (receipt, suspension, extension), so that the queue
filters and orders on it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.models import AppendOnlyError
from core.subject_data import ON_ERASE_ANONYMISE, ON_ERASE_DELETE, Category, PersonalField, keep, personal_data, replace

CASE_FILE_PURPOSE = (
    "Art. 5(2) and 12 GDPR accountability: the case file proves that the request was answered, how and when; "
    "it keeps references, rights, dates and statuses, without the person's data (docs/erasure.md)."
)


class Right(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")
    PORTABILITY = "portability", _("Portability (Art. 20)")
    OBJECTION = "objection", _("Objection (Art. 21)")


class RequestChannel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting identity information")
    FULFILLED = "fulfilled", _("Fulfilled, to communicate")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Answered")


# The statuses where the case still runs against its due date.
ACTIVE_STATUSES: tuple[str, ...] = (RequestStatus.OPEN, RequestStatus.AWAITING_IDENTITY, RequestStatus.FULFILLED)


class IdentityMethod(models.TextChoices):
    ADDRESS_CONTROL = "address_control", _("Control of an e-mail address (verification link)")
    DATA_ON_FILE = "data_on_file", _("Matches data already held")
    ADDITIONAL_INFORMATION = "additional_information", _("Additional information")
    DOCUMENT = "document", _("Identity document, deleted after the check")
    IN_PERSON = "in_person", _("Checked in person")


class ExtensionCategory(models.TextChoices):
    COMPLEXITY = "complexity", _("Complexity of the request")
    NUMBER = "number", _("Number of requests")


class RefusalGround(models.TextChoices):
    """DSR-07: the only grounds on which a request may be refused or left without action."""

    UNFOUNDED_OR_EXCESSIVE = "unfounded_or_excessive", _("Manifestly unfounded or excessive (Art. 12(5))")
    IDENTITY_NOT_ESTABLISHED = "identity_not_established", _("Identity not established (Art. 11(2), 12(2))")
    ERASURE_EXCEPTION = "erasure_exception", _("Erasure exception (Art. 17(3))")
    COMPELLING_GROUNDS = "compelling_grounds", _("Compelling legitimate grounds (Art. 21(1))")
    PORTABILITY_OUT_OF_SCOPE = "portability_out_of_scope", _("Outside the scope of portability (Art. 20)")
    THIRD_PARTY_RIGHTS = "third_party_rights", _("Rights and freedoms of others (Art. 15(4), 20(4))")


@personal_data(
    subject="matches__contact",
    on_erase=ON_ERASE_ANONYMISE,
    legal_basis=CASE_FILE_PURPOSE,
    fields={
        "requester_name": PersonalField(Category.IDENTITY, erase=replace("")),
        "requester_email": PersonalField(Category.CONTACT_DETAILS, erase=replace("")),
        "requester_email_index": PersonalField(Category.CONTACT_DETAILS, erase=replace("")),
        "details": PersonalField(Category.REQUEST, portable=True, erase=replace("")),
        "rights": PersonalField(Category.REQUEST, portable=True, erase=keep(CASE_FILE_PURPOSE)),
        "identity_doubt_reason": PersonalField(Category.REQUEST, erase=replace("")),
        "extension_reason": PersonalField(Category.REQUEST, erase=replace("")),
        "refusal_explanation": PersonalField(Category.REQUEST, erase=replace("")),
    },
    notes="The case file outlives the person's erasure as proof (reference, channel, dates, status, ground); "
    "who asked, what they wrote and what staff wrote about them are erased.",
)
class Request(models.Model):
    """One request from a person to exercise their rights: the case file (DSR-16)."""

    reference = models.CharField(_("case reference"), max_length=20, unique=True, editable=False)
    rights = models.JSONField(_("rights"), default=list)
    requester_name = EncryptedTextField(_("requester's name"), blank=True)
    requester_email = EncryptedTextField(_("requester's e-mail"), blank=True)
    # Blind index of the normalised address (core.crypto.blind_index), for matching and rate limits.
    requester_email_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    details = EncryptedTextField(_("details"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True
    )
    # The clock (Art. 12(3)): from receipt, suspended while identity information is awaited (DSR-06).
    received_at = models.DateTimeField(_("received at"))
    verified_at = models.DateTimeField(_("address verified at"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock suspended since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days suspended"), default=0)
    original_due_date = models.DateField(_("original due date"))
    due_date = models.DateField(_("due date"), db_index=True)
    # Extension (Art. 12(3), DSR-04): two further months, a reason, a notice within the first month.
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_category = models.CharField(
        _("extension reason (category)"), max_length=12, choices=ExtensionCategory.choices, blank=True
    )
    extension_reason = EncryptedTextField(_("extension reason"), blank=True)
    extension_notified_at = models.DateTimeField(_("extension notice sent at"), null=True, blank=True)
    # Identity (Art. 12(6), DSR-05): only the fact of the check is kept, never a document.
    identity_method = models.CharField(
        _("identity checked by"), max_length=24, choices=IdentityMethod.choices, blank=True
    )
    identity_verified_at = models.DateTimeField(_("identity checked at"), null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_doubt_reason = EncryptedTextField(_("reason for doubting the identity"), blank=True)
    # Refusal (Art. 12(4),(5), DSR-07).
    refusal_ground = models.CharField(_("refusal ground"), max_length=30, choices=RefusalGround.choices, blank=True)
    refusal_explanation = EncryptedTextField(_("refusal explanation"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(_("overdue escalation sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked(no_db_index=["assignee", "identity_verified_by"])

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        permissions = [("decide_request", _("Can extend or refuse a request"))]
        indexes = [models.Index(fields=["status", "due_date"], name="dsar_request_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_ground=""),
                name="dsar_refusal_has_ground",
                violation_error_message=_("A refusal states its ground."),
            ),
            models.CheckConstraint(
                condition=models.Q(extended_at__isnull=True) | ~models.Q(extension_category=""),
                name="dsar_extension_has_reason",
                violation_error_message=_("An extension states its reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def get_rights_display(self) -> list[str]:
        labels = dict(Right.choices)
        return [str(labels.get(right, right)) for right in self.rights or []]


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Address verified")
    MATCHED = "matched", _("Contact matched")
    UNMATCHED = "unmatched", _("Match removed")
    ASSIGNED = "assigned", _("Assigned")
    IDENTITY_CHECKED = "identity_checked", _("Identity checked")
    INFORMATION_ASKED = "information_asked", _("More information asked")
    INFORMATION_RECEIVED = "information_received", _("Information received")
    EXTENDED = "extended", _("Extended")
    FULFILLED = "fulfilled", _("Fulfilled")
    REFUSED = "refused", _("Refused")
    COMMUNICATED = "communicated", _("Answer communicated")
    REMINDER = "reminder", _("Reminder")
    OVERDUE = "overdue", _("Overdue")
    NOTE = "note", _("Note")


# The only change an event accepts: its free text blanked by the erasure of the person.
REDACTABLE_EVENT_FIELDS = ("text",)


class RequestEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        if kwargs and all(name in REDACTABLE_EVENT_FIELDS and not value for name, value in kwargs.items()):
            return super().update(**kwargs)  # an erasure blanking the text (retention's set-wise purge)
        raise AppendOnlyError("request events are never edited: record a new event instead")


@personal_data(
    subject="request__matches__contact",
    on_erase=ON_ERASE_ANONYMISE,
    legal_basis=CASE_FILE_PURPOSE,
    fields={"text": PersonalField(Category.REQUEST, erase=replace(""))},
    notes="The timeline stays as proof of what was done and when; its free text goes with the person.",
)
class RequestEvent(models.Model):
    """One step of a request's timeline: append-only (DESIGN invariant 1).

    `text` is what was written or sent (a reason, the grounds of a refusal);
    `data` holds only ids, dates and choices. An event is never edited, except
    that erasure blanks its text.
    """

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(_("what"), max_length=24, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_label = models.CharField(_("by"), max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    outbox_message_ref = models.PositiveBigIntegerField(_("message sent"), null=True, blank=True)

    objects = RequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        indexes = [models.Index(fields=["request", "occurred_at"], name="dsar_event_request_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not self._is_redaction():
            raise AppendOnlyError("request events are never edited: record a new event instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("request events are never deleted")

    def _is_redaction(self) -> bool:
        stored = RequestEvent._base_manager.filter(pk=self.pk).first()
        if stored is None:
            return False
        for fld in self._meta.concrete_fields:
            mine, theirs = getattr(self, fld.attname), getattr(stored, fld.attname)
            if mine != theirs and not (fld.name in REDACTABLE_EVENT_FIELDS and not mine):
                return False
        return True


@personal_data(
    subject="request__matches__contact",
    on_erase=ON_ERASE_DELETE,
    fields={"text": PersonalField(Category.REQUEST)},
    notes="Internal notes on a case: staff free text about the person, erased with them.",
)
class RequestNote(models.Model):
    """An internal note on a request, never shown to the requester."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked(no_db_index=["author"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request note")
        verbose_name_plural = _("request notes")

    def __str__(self) -> str:
        return f"note {self.pk} on {self.request_id}"


class MatchMethod(models.TextChoices):
    VERIFIED_ADDRESS = "verified_address", _("Verified e-mail address")
    STAFF = "staff", _("Added by staff")


class RequestMatch(models.Model):
    """A contact the request concerns: found through the verified address, or added by staff.

    Declared in the subject-data map by `declare_match` (from DsarConfig.ready), after every other
    model: the request, its timeline and notes reach their person through this row, so an erasure
    must deal with them before the row goes.
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="matches")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="request_matches")
    method = models.CharField(_("how"), max_length=20, choices=MatchMethod.choices)
    added_by_kind = models.CharField(_("added by (kind)"), max_length=16)
    added_by = models.CharField(_("added by"), max_length=150)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = tracked(no_db_index=["contact"])

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("matched contact")
        verbose_name_plural = _("matched contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "contact"],
                name="dsar_match_unique",
                violation_error_message=_("This contact is already matched to the request."),
            )
        ]
        indexes = [models.Index(fields=["contact"], name="dsar_match_contact_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} ↔ {self.contact_id}"


class PendingSubmission(models.Model):
    """What the public form received, until the requester clicks the verification link.

    Not a request yet: staff never see it. The link turns it into a `Request`
    and deletes it; unverified, it is deleted after DSAR_UNVERIFIED_LAPSE_DAYS
    (`dsar_lapse_unverified`). It reaches no contact, so the subject-data map
    does not list it; erasing a contact deletes the submissions made with one of
    its addresses (dsar.signals).
    """

    token = models.CharField(max_length=43, unique=True, editable=False)
    rights = models.JSONField(default=list)
    requester_name = EncryptedTextField()
    requester_email = EncryptedTextField()
    requester_email_index = models.CharField(max_length=64, db_index=True)
    details = EncryptedTextField(blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="fr")
    submitted_at = models.DateTimeField(db_index=True)
    # The verification message: blanked when the submission lapses, so an address nobody confirmed stays nowhere.
    message_ref = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("unverified submission")
        verbose_name_plural = _("unverified submissions")

    def __str__(self) -> str:
        return f"submission {self.pk}"


def declare_match() -> None:
    """Put `RequestMatch` in the subject-data map, last of all models (see its docstring)."""
    personal_data(
        subject="contact",
        on_erase=ON_ERASE_DELETE,
        fields={},
        notes="The link between a case and a contact; it goes with the contact, the anonymised case file stays.",
    )(RequestMatch)
