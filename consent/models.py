"""Purposes, versioned consent wording, append-only consent events, the derived state and the suppression list.

The evidence is the event log (CNS-01): `ConsentEvent` rows are only ever
inserted. `ConsentState` is a cache of the log, one row per contact, purpose
and channel, kept by the services and recomputable with `rebuild_consent_state`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.models import AppendOnlyError
from core.subject_data import ON_ERASE_ANONYMISE, ON_ERASE_DELETE, Category, PersonalField, keep, personal_data
from crm.models import Contact
from registry.choices import LegalBasis
from registry.models import ProcessingActivity

SUPPRESSION_OBLIGATION = (
    "Art. 21(3) and 17(3)(b) GDPR, CPCE L.34-5: an objection to direct marketing must be honoured "
    "whatever the source of later data (CNIL, liste repoussoir); only keyed hashes are kept, at least 3 years."
)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")


class Action(models.TextChoices):
    GIVEN = "given", _("Given")
    CONFIRMATION_SENT = "confirmation_sent", _("Confirmation e-mail sent")
    CONFIRMED = "confirmed", _("Confirmed (double opt-in)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    OBJECTED = "objected", _("Objected (Art. 21)")


class Method(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in link")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("One-click unsubscribe link")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper")
    STAFF = "staff", _("Staff entry")
    REPERMISSION = "repermission", _("Answer to a re-permission request")
    SYSTEM = "system", _("System")


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    OBJECTED = "objected", _("Objected")


class Purpose(models.Model):
    """Why the organisation contacts people, under one activity of the register; nobody consents by default."""

    key = models.SlugField(_("key"), max_length=50, unique=True, help_text=_("Short name used by the API."))
    name = models.CharField(_("name"), max_length=150)
    name_fr = models.CharField(_("name (French)"), max_length=150, blank=True)
    activity = models.ForeignKey(
        ProcessingActivity, verbose_name=_("processing activity"), on_delete=models.PROTECT, related_name="purposes"
    )
    lawful_basis = models.CharField(_("lawful basis"), max_length=24, choices=LegalBasis.choices)
    channels = models.JSONField(_("channels"), default=list)
    validity_days = models.PositiveIntegerField(
        _("validity (days)"), null=True, blank=True, help_text=_("After this, consent must be renewed.")
    )
    double_opt_in = models.BooleanField(_("double opt-in"), default=False)
    is_marketing = models.BooleanField(_("direct marketing"), default=True)
    customer_offer = models.BooleanField(
        _("analogous offers to existing customers"),
        default=False,
        help_text=_("Products or services like those the customer bought, with a direct link to their contract."),
    )
    profession_related = models.BooleanField(_("related to the recipient's profession"), default=False)
    active = models.BooleanField(_("active"), default=True)
    refresh_required_since = models.DateTimeField(
        _("consents to renew since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The activity changed materially: consents given before this date no longer count."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["name"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        permissions = [("export_audience", _("Can export a compliant audience"))]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_fr if language == "fr" and self.name_fr else self.name

    def clean(self) -> None:
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown or not self.channels:
            raise ValidationError({"channels": [_("Choose at least one channel among e-mail, SMS, phone and post.")]})


class ConsentWording(models.Model):
    """One version of the text a person reads before consenting; once shown, it is never edited (CNS-02)."""

    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="wordings")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    valid_from = models.DateTimeField(_("valid from"))
    first_shown_at = models.DateTimeField(_("first shown at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["purpose", "language", "-version"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "version"],
                name="consent_wording_unique_version",
                violation_error_message=_("This version already exists for this purpose and language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version} ({self.language})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and ConsentWording.objects.filter(pk=self.pk, first_shown_at__isnull=False).exists():
            raise ValidationError(WORDING_FROZEN)
        super().save(*args, **kwargs)


WORDING_FROZEN = _(
    "This wording has already been shown to people, so it cannot be edited. Create a new version instead."
)


class ConsentEventQuerySet(models.QuerySet):
    """No bulk update; a bulk delete stays possible for erasure and the retention purge only."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("consent events are never edited: record a new event instead")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={
        "channel": PersonalField(Category.CONSENT_PROOF),
        "action": PersonalField(Category.CONSENT_PROOF, portable=True),
        "occurred_at": PersonalField(Category.CONSENT_PROOF, portable=True),
        "method": PersonalField(Category.CONSENT_PROOF),
        "wording": PersonalField(Category.CONSENT_PROOF, portable=True),
        "form_id": PersonalField(Category.CONSENT_PROOF),
        "source_url": PersonalField(Category.CONSENT_PROOF),
        "ip_address": PersonalField(Category.CONNECTION),
        "user_agent": PersonalField(Category.CONNECTION),
        "import_file": PersonalField(Category.CONSENT_PROOF),
        "note": PersonalField(Category.CONSENT_PROOF),
        "attachment": PersonalField(Category.CONSENT_PROOF),
    },
    notes="Proof of consent (Art. 7(1)); removed with the contact on erasure and by the retention policy after.",
)
class ConsentEvent(models.Model):
    """One thing that happened to a person's consent: append-only (CNS-01, DESIGN invariant 1).

    The database refuses UPDATE (trigger from migration 0002); the model refuses
    saving an existing row and deleting one. Rows go only with their contact
    (erasure through the subject-data map) or by the retention purge.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_events", db_index=False)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="events")
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    occurred_at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    wording = models.ForeignKey(
        ConsentWording, verbose_name=_("wording"), null=True, blank=True, on_delete=models.PROTECT
    )
    awaits_confirmation = models.BooleanField(_("awaits confirmation"), default=False)
    # Proof (EDPB 05/2020 para 108).
    form_id = models.CharField(_("form"), max_length=100, blank=True)
    source_url = models.CharField(_("page"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), null=True, blank=True, on_delete=models.PROTECT
    )
    api_key = models.ForeignKey(
        "access.ApiKey", verbose_name=_("API key"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Plain references, not foreign keys: deleting an import or a message must not touch the evidence.
    import_job_ref = models.PositiveBigIntegerField(_("import"), null=True, blank=True)
    import_file = models.CharField(_("import file"), max_length=255, blank=True)
    outbox_message_ref = models.PositiveBigIntegerField(_("message"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="consent_proof/%Y/%m/", blank=True)
    recorded_by_kind = models.CharField(_("recorded by (kind)"), max_length=16)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = tracked(no_db_index=["purpose", "wording", "staff_user", "api_key"])
    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["contact", "purpose", "channel", "occurred_at"], name="consent_event_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="given") | models.Q(wording__isnull=False),
                name="consent_given_has_wording",
                violation_error_message=_("A consent records the wording the person was shown."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.purpose} · {self.get_channel_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("consent events are never edited: record a new event instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("consent events are never deleted one by one")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={
        "status": PersonalField(Category.CONSENT_PROOF, portable=True),
        "since": PersonalField(Category.CONSENT_PROOF, portable=True),
        "granted_at": PersonalField(Category.CONSENT_PROOF),
    },
    notes="Derived from the consent events, for fast reads.",
)
class ConsentState(models.Model):
    """The current answer for one contact, purpose and channel, derived from the events."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_states", db_index=False)
    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="states", db_index=False)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    since = models.DateTimeField(_("since"))
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    wording = models.ForeignKey(ConsentWording, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    last_event = models.ForeignKey(
        ConsentEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    history = tracked(no_db_index=["contact", "purpose", "wording", "last_event"])

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "purpose", "channel"],
                name="consent_state_unique",
                violation_error_message=_("One state per contact, purpose and channel."),
            )
        ]
        indexes = [models.Index(fields=["purpose", "channel", "status"], name="consent_state_rate_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.get_channel_display()} · {self.get_status_display()}"


class SuppressionKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class SuppressionReason(models.TextChoices):
    OBJECTION = "objection", _("Objection to direct marketing (Art. 21(2))")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribed from everything")
    COMPLAINT = "complaint", _("Spam complaint")
    STAFF = "staff", _("Recorded by staff")
    ERASURE = "erasure", _("Erased at the person's request (Art. 17)")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_ANONYMISE,
    fields={"value_hash": PersonalField(Category.CONTACT_DETAILS, erase=keep(SUPPRESSION_OBLIGATION))},
    legal_basis=SUPPRESSION_OBLIGATION,
    notes="Outlives erasure: the link to the contact is cut, the keyed hash stays so that no later import, "
    "API call or form adds the person to marketing again (CNS-10, CON-11).",
)
class Suppression(models.Model):
    """An identifier that must never receive marketing again: a keyed hash only, never the value (CNS-10)."""

    kind = models.CharField(_("kind"), max_length=5, choices=SuppressionKind.choices)
    value_hash = models.CharField(_("keyed hash"), max_length=64)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    history = tracked(no_db_index=["contact"])

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value_hash"],
                name="suppression_unique",
                violation_error_message=_("This identifier is already on the suppression list."),
            )
        ]
        indexes = [models.Index(fields=["contact"], name="suppression_contact_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value_hash[:12]}…"


class BloctelCheck(models.Model):
    """The last Bloctel answer for one phone number, kept as its keyed hash only (CNS-09).

    No contact link: the answer belongs to the number. Each import replaces the
    older answers and drops those past `CONSENT_BLOCTEL_VALIDITY_DAYS`, so an
    answer lives at most that long.
    """

    value_hash = models.CharField(_("keyed hash"), max_length=64, unique=True)
    listed = models.BooleanField(_("on the Bloctel list"))
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("Bloctel check")
        verbose_name_plural = _("Bloctel checks")

    def __str__(self) -> str:
        return f"{self.value_hash[:12]}… {'listed' if self.listed else 'clear'}"
