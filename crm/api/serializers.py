"""Input/output representations of the contact repository's endpoints.

Serializers only shape and type-check data; the services (crm.services) validate
the rest (normalisation, uniqueness, model rules) and write.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from access.models import ApiKey
from core.api import (
    StrictCharField,
    StrictManyRelatedField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSlugRelatedField,
)

from ..models import (
    Contact,
    ExternalId,
    Interaction,
    NotificationStatus,
    Organisation,
    RecipientNotification,
    SourceKind,
    Tag,
)
from ..querysets import can_see_all_contacts, can_see_notes
from ..services.contacts import PROFILE_FIELDS, PROVENANCE_FIELDS
from ..services.restriction import NoticeChannel

MAX_POINTS = 20
EXTERNAL_SYSTEM_MAX = ExternalId._meta.get_field("system").max_length
EXTERNAL_VALUE_MAX = ExternalId._meta.get_field("value").max_length


def is_api_key_request(request: Request | None) -> bool:
    return request is not None and isinstance(request.auth, ApiKey)


class PrefetchedRowsMixin:
    """Reads a relation from the rows a list page prefetched (`ContactQuerySet.with_rows`), else the relation."""

    source: str

    def get_attribute(self, instance: Any) -> Any:
        if isinstance(instance, Contact) and instance.pk is not None:
            return instance.related_rows(self.source)
        return super().get_attribute(instance)  # type: ignore[misc]


class TagNamesField(PrefetchedRowsMixin, StrictManyRelatedField):
    pass


class ExternalIdsField(PrefetchedRowsMixin, serializers.DictField):
    """`{"erp": "C-1042"}`: the contact's id in each other system, read from the contact's ExternalId rows."""

    child = StrictCharField(max_length=EXTERNAL_VALUE_MAX)
    default_error_messages = {
        "bad_system": _("A system name is 1 to %(limit)d printable characters."),
        "too_many": _("At most %(limit)d external ids."),
    }

    def to_representation(self, value: Any) -> dict[str, str]:
        rows = value if isinstance(value, list) else value.all()
        return {external.system: external.value for external in rows}

    def to_internal_value(self, data: Any) -> dict[str, str]:
        values = super().to_internal_value(data)
        if len(values) > MAX_POINTS:
            self.fail("too_many", limit=MAX_POINTS)
        for system in values:
            if not 0 < len(system.strip()) <= EXTERNAL_SYSTEM_MAX or not system.isprintable():
                self.fail("bad_system", limit=EXTERNAL_SYSTEM_MAX)
        return {system.strip(): value for system, value in values.items()}


def justification_field() -> StrictCharField:
    return StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=255,
        help_text=_(
            "Needed when the notes or body contain sensitive or insulting terms: why this wording is necessary. "
            "It is logged; the text is not."
        ),
    )


class ContactSerializer(StrictModelSerializer):
    justification = justification_field()
    emails = serializers.ListField(
        child=StrictCharField(max_length=320),
        max_length=MAX_POINTS,
        required=False,
        help_text=_(
            "Email addresses, the first one primary. Returned normalised (lower case, IDNA domain). "
            "On update, the full list replaces the current one."
        ),
    )
    phones = serializers.ListField(
        child=StrictCharField(max_length=64),
        max_length=MAX_POINTS,
        required=False,
        help_text=_(
            "Phone numbers, the first one primary; national numbers are read as French. Returned in E.164. "
            "On update, the full list replaces the current one."
        ),
    )
    tags = TagNamesField(
        child_relation=StrictSlugRelatedField(slug_field="name", queryset=Tag.objects.all()),
        required=False,
        help_text=_("Tag names; each must exist. On update, the full list replaces the current one."),
    )
    external_ids = ExternalIdsField(
        required=False,
        help_text=_("The contact's id in other systems, by system name. Set at creation; read-only afterwards."),
    )
    owner = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text=_(
            "User id of the owner. Callers who only see their own contacts (Sales) cannot set it: "
            "they own what they create."
        ),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            *PROFILE_FIELDS,
            "emails",
            "phones",
            "tags",
            "external_ids",
            "owner",
            "notes",
            "justification",
            *PROVENANCE_FIELDS,
            "last_interaction_at",
            "restricted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "last_interaction_at", "restricted", "created_at", "updated_at"]
        extra_kwargs = {
            "notes": {
                "help_text": _(
                    "Free-text notes, stored encrypted. Absent (neither read nor written) for callers "
                    "without the crm.view_interaction permission or the interactions:read scope."
                )
            },
            "source": {
                "help_text": _(
                    "Where the data came from (CON-01). Required when a staff user creates a contact; "
                    "an API key's creations default to 'api'."
                )
            },
            "collected_at": {"help_text": _("When the data were collected; defaults to the creation time.")},
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        """Fit the representation to the caller: no notes without crm.view_interaction; no owner choice for Sales."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or getattr(self.context.get("view"), "swagger_fake_view", False):
            return fields  # the schema documents every field
        if not can_see_notes(request.user):
            del fields["notes"]
        if not can_see_all_contacts(request.user):
            fields["owner"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context.get("request")
        if self.instance is None and "source" not in attrs:
            if not is_api_key_request(request):
                raise serializers.ValidationError({"source": [_("Say where this contact's data came from.")]})
            attrs["source"] = SourceKind.API
        if self.instance is not None and "external_ids" in attrs:
            current = ExternalIdsField().to_representation(self.instance.external_ids)
            if attrs.pop("external_ids") != current:
                raise serializers.ValidationError(
                    {"external_ids": [_("External ids are set when the contact is created and cannot be changed.")]}
                )
        return attrs


class OrganisationSerializer(StrictModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "legal_id",
            "website",
            "street",
            "postal_code",
            "city",
            "country",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class InteractionContactField(StrictPrimaryKeyRelatedField):
    """A contact the caller may see and that is not restricted (Art. 18 allows no new processing)."""

    default_error_messages = {
        "does_not_exist": _("There is no contact with id {pk_value} that you may see."),
        "restricted": _("This contact is restricted (Art. 18): no interaction may be recorded on it."),
    }

    def get_queryset(self) -> Any:
        return Contact.objects.restrict(self.context["request"].user, "view")

    def to_internal_value(self, data: Any) -> Contact:
        contact = super().to_internal_value(data)
        if contact.restricted and self.parent.instance is None:  # an update of a restricted one is a 423
            self.fail("restricted")
        return contact


class InteractionSerializer(StrictModelSerializer):
    contact = InteractionContactField(
        queryset=Contact.objects.all(),
        help_text=_("The contact's id; set at creation: an update may repeat it, not change it."),
    )
    justification = justification_field()

    class Meta:
        model = Interaction
        fields = ["id", "contact", "kind", "occurred_at", "subject", "body", "justification", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {
            "author": {"help_text": _("The staff user who recorded it; empty when an API key did.")},
            "body": {"help_text": _("Stored encrypted.")},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The contact is set at creation: an update may repeat it (PUT sends every field), not change it.
        if self.instance is not None and "contact" in attrs and attrs.pop("contact").pk != self.instance.contact_id:
            raise serializers.ValidationError({"contact": [_("An interaction cannot move to another contact.")]})
        return attrs


class RestrictionPlaceSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=255, help_text=_("Why processing is restricted (Art. 18(1))."))


class RestrictionNoticeSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=NoticeChannel.choices, help_text=_("`email` sends the notice now; the others record one given.")
    )
    note = StrictCharField(
        max_length=500, required=False, default="", allow_blank=True, help_text=_("Required unless by email.")
    )


class RestrictionLiftSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=255, required=False, default="", allow_blank=True)


class RestrictionSerializer(StrictModelSerializer):
    """A contact's restriction state (Art. 18)."""

    class Meta:
        model = Contact
        fields = ["id", "restricted", "restricted_at", "restriction_reason", "restriction_lift_notified_at"]
        read_only_fields = fields


class RecipientNotificationSerializer(StrictModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True, allow_null=True)
    contact_ref = serializers.IntegerField(read_only=True)

    class Meta:
        model = RecipientNotification
        fields = [
            "id",
            "contact",
            "contact_ref",
            "recipient",
            "country",
            "cause",
            "fields",
            "status",
            "justification",
            "created_at",
            "resolved_at",
            "resolved_by",
        ]
        read_only_fields = fields


class RecipientNotificationCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in NotificationStatus.choices if value != NotificationStatus.OPEN]
    )
    justification = StrictCharField(
        required=False, default="", allow_blank=True, max_length=2000, help_text=_("Required unless `sent`.")
    )
