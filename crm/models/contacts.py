from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.subject_data import (
    ON_ERASE_DELETE,
    Category,
    PersonalField,
    personal_data,
)

from ..normalise import check_entry
from ..querysets import ContactQuerySet, OrganisationQuerySet


def search_key(text: str) -> str:
    """Lower-case, accents stripped: what name-prefix search compares ("Élise" -> "elise")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


class ContactStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    MEMBER = "member", _("Member")
    DONOR = "donor", _("Donor")
    PARTNER = "partner", _("Partner")


class PersonKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    PROFESSIONAL = "professional", _("Professional")


class SourceKind(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    EVENT = "event", _("Event")


# Sources where the data were not obtained from the person: each contact from one of them is owed an
# Art. 14 notice within a month (CON-12). Enrichment and partner sources join this tuple when they exist.
INDIRECT_SOURCES: tuple[str, ...] = (SourceKind.IMPORT,)


class Tag(models.Model):
    """A label or segment ("newsletter", "salon 2026"); holds no personal data."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A company, association or public body contacts belong to (a legal person, not a data subject)."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    legal_id = models.CharField(
        _("registration number"), max_length=40, blank=True, help_text=_("SIREN, VAT or company number")
    )
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. FR"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = search_key(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        check_entry(texts={name: getattr(self, name) for name in ORGANISATION_LINE_FIELDS}, country=self.country)


# One-line text fields: no invisible or control characters (crm.normalise.check_visible_text).
ORGANISATION_LINE_FIELDS = ("name", "legal_id", "website", "street", "postal_code", "city")
CONTACT_LINE_FIELDS = ("first_name", "last_name", "job_title", "street", "postal_code", "city", "source_detail")


@personal_data(
    subject="",
    on_erase=ON_ERASE_DELETE,
    fields={
        "first_name": PersonalField(Category.IDENTITY, portable=True),
        "last_name": PersonalField(Category.IDENTITY, portable=True),
        "birth_date": PersonalField(Category.IDENTITY, portable=True),
        "preferred_language": PersonalField(Category.IDENTITY, portable=True),
        "job_title": PersonalField(Category.PROFESSIONAL, portable=True),
        "organisation": PersonalField(Category.PROFESSIONAL, portable=True),
        "street": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "postal_code": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "city": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "country": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "status": PersonalField(Category.ECONOMIC),
        "kind": PersonalField(Category.PROFESSIONAL),
        "source": PersonalField(Category.CONNECTION),
        "source_detail": PersonalField(Category.CONNECTION),
        "collected_at": PersonalField(Category.CONNECTION),
        "notes": PersonalField(Category.INTERACTION),
        "last_interaction_at": PersonalField(Category.INTERACTION),
        "restricted": PersonalField(Category.REQUEST),
        "restriction_reason": PersonalField(Category.REQUEST),
        "restriction_lift_notified_at": PersonalField(Category.REQUEST),
        "art14_notice_sent_at": PersonalField(Category.CONSENT_PROOF),
    },
)
class Contact(models.Model):
    """A person the organisation holds data about: the data subject."""

    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    # Accent-free lower-case copies, indexed for name-prefix search.
    first_name_key = models.CharField(max_length=150, editable=False)
    last_name_key = models.CharField(max_length=150, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=PersonKind.choices, default=PersonKind.CONSUMER)
    status = models.CharField(_("status"), max_length=10, choices=ContactStatus.choices, default=ContactStatus.PROSPECT)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,  # contact_org_idx leads with it
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. FR"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        db_index=False,  # contact_owner_order_idx (migration 0008) leads with it
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="contacts")
    notes = EncryptedTextField(_("notes"), blank=True)
    # Provenance (CON-01): where the data came from and when.
    source = models.CharField(_("source"), max_length=10, choices=SourceKind.choices, default=SourceKind.MANUAL)
    source_detail = models.CharField(
        _("source detail"), max_length=200, blank=True, help_text=_("File and supplier, form or event name")
    )
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    # CON-12: when the Art. 14 notice went to a contact from an indirect source (the outbox keeps the text).
    art14_notice_sent_at = models.DateTimeField(_("Art. 14 notice sent at"), null=True, blank=True, editable=False)
    # Indexed for the list's order by migration 0003 (PostgreSQL).
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)
    # Art. 18 restriction: the data are kept but not processed.
    restricted = models.BooleanField(_("restricted"), default=False)
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True)
    restriction_reason = models.CharField(_("restriction reason"), max_length=255, blank=True)
    # CON-10, Art. 18(3): the person is told before the restriction is lifted.
    restriction_lift_notified_at = models.DateTimeField(
        _("told of the lifting at"), null=True, blank=True, editable=False
    )
    # A merged-away record: kept (hidden, as deleted) for the undo period, its detail page redirects here.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        editable=False,
    )
    # A staff delete is soft, restorable for 30 days; GDPR erasure is a separate path.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # History is read per contact (by id): the live table's other indexes would only slow writes there.
    history = tracked(
        excluded_fields=["first_name_key", "last_name_key"],
        no_db_index=["owner", "organisation", "created_at", "deleted_at", "last_interaction_at", "merged_into"],
    )
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["last_name_key", "first_name_key", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [
            ("view_all_contacts", _("Can see contacts owned by others")),
            ("view_restricted_contact", _("Can see contacts under restriction (Art. 18)")),
            ("restrict_contact", _("Can place and lift a restriction (Art. 18)")),
            ("export_contact", _("Can export contacts")),
            ("import_contact", _("Can import contacts")),
        ]
        indexes = [
            models.Index(
                fields=["last_name_key", "first_name_key", "id"],
                name="contact_name_key_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(fields=["first_name_key"], name="contact_first_key_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["organisation", "last_name_key"], name="contact_org_idx"),
            # Small: only contacts still owed an Art. 14 notice (the dashboard counts them on every view).
            models.Index(
                fields=["collected_at"],
                name="contact_art14_pending_idx",
                condition=models.Q(source__in=INDIRECT_SOURCES, art14_notice_sent_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(restricted=False) | models.Q(restricted_at__isnull=False),
                name="contact_restricted_has_date",
                violation_error_message=_("A restricted contact records when the restriction started."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs) -> None:
        self.first_name_key = search_key(self.first_name)
        self.last_name_key = search_key(self.last_name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        check_entry(
            texts={name: getattr(self, name) for name in CONTACT_LINE_FIELDS},
            country=self.country,
            birth_date=self.birth_date,
        )

    def get_status_display(self) -> str:
        # Django's version hashes every choice's (lazy) label on each call: one translation per row, not five.
        try:
            return str(ContactStatus(self.status).label)
        except ValueError:
            return self.status

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def is_indirect(self) -> bool:
        """The data were not obtained from the person, who is owed an Art. 14 notice (CON-12)."""
        return self.source in INDIRECT_SOURCES

    def related_rows(self, relation: str) -> list[Any]:
        """The rows of `relation` (points, tags, external_ids): those a page read with `with_rows`, else
        through the relation (and its prefetch cache, when the caller used prefetch_related)."""
        rows = self.__dict__.get(f"{relation}_rows")
        return rows if rows is not None else list(getattr(self, relation).all())

    @property
    def tag_list(self) -> list[Tag]:
        return self.related_rows("tags")

    def _point_values(self, kind: str) -> list[str]:
        return [point.value for point in self.related_rows("points") if point.kind == kind]

    @property
    def emails(self) -> list[str]:
        return self._point_values("email")

    @property
    def phones(self) -> list[str]:
        return self._point_values("phone")

    @property
    def primary_email(self) -> str:
        return next(iter(self.emails), "")

    @property
    def primary_phone(self) -> str:
        return next(iter(self.phones), "")


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={
        "value": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "label": PersonalField(Category.CONTACT_DETAILS, portable=True),
    },
)
class ContactPoint(models.Model):
    """One email address or phone number of a contact, normalised, encrypted, blind-indexed.

    `value` is encrypted at rest; `value_index` is the HMAC of the normalised
    value, used for exact lookup, for e-mail uniqueness (one address, one
    contact; phone numbers may be shared) and for duplicate detection.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("kind"), max_length=5, choices=ContactPointKind.choices)
    value = EncryptedTextField(_("value"))
    value_index = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("label"), max_length=40, blank=True, help_text=_("work, home, mobile…"))
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        # Lookup by blind index (phones, which are not unique, and duplicate detection).
        indexes = [models.Index(fields=["kind", "value_index"], name="contact_point_lookup_idx")]
        constraints = [
            # An e-mail is the key requests, consents and the suppression list rely on: one address, one
            # contact. A phone may be shared (a switchboard, a household's landline): a matching signal only.
            models.UniqueConstraint(
                fields=["kind", "value_index"],
                condition=models.Q(kind="email"),
                name="contact_point_unique_email",
                violation_error_message=_("This address already belongs to a contact."),
            ),
            models.UniqueConstraint(
                fields=["contact", "kind", "value_index"],
                name="contact_point_once_per_contact",
                violation_error_message=_("The contact already has this address or number."),
            ),
            models.UniqueConstraint(
                fields=["contact", "kind"],
                condition=models.Q(is_primary=True),
                name="contact_point_one_primary",
                violation_error_message=_("A contact has one primary email and one primary phone."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}".strip()


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={"system": PersonalField(Category.CONNECTION), "value": PersonalField(Category.CONNECTION)},
)
class ExternalId(models.Model):
    """The contact's id in another system (ERP, newsletter tool, import supplier)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(_("system"), max_length=40)
    value = models.CharField(_("external id"), max_length=120)

    history = tracked()

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "value"],
                name="external_id_unique",
                violation_error_message=_("This external id already belongs to a contact."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.value}"
