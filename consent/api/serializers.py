from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictModelSerializer, StrictPrimaryKeyRelatedField, StrictSlugRelatedField
from crm.models import Contact

from ..models import Action, Channel, ConsentEvent, ConsentWording, Method, Purpose

MAX_BULK = 10_000


class PurposeField(StrictSlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="key", queryset=Purpose.objects.all(), **kwargs)


class CheckQuerySerializer(serializers.Serializer):
    contact = serializers.IntegerField(required=False, min_value=1, help_text="The contact's id.")
    email = serializers.CharField(required=False, max_length=254, help_text="An e-mail address (any case, spaces).")
    purpose = PurposeField(help_text="The purpose's key, e.g. `newsletter`.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    at = serializers.DateTimeField(
        required=False,
        help_text="When the person would be contacted (e.g. a planned call, for the call slots); default: now.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("contact" in attrs) == ("email" in attrs):
            raise serializers.ValidationError({"contact": [_("Give either a contact id or an e-mail address.")]})
        return attrs


class IdentifierSerializer(serializers.Serializer):
    contact = serializers.IntegerField(required=False, min_value=1)
    email = serializers.CharField(required=False, max_length=254)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("contact" in attrs) == ("email" in attrs):
            raise serializers.ValidationError(_("Give either a contact id or an e-mail address."))
        return attrs


@extend_schema_field(IdentifierSerializer(many=True))
class IdentifiersField(serializers.Field):
    """Up to 10,000 `{"contact": id}` or `{"email": "…"}` objects, checked without a serializer per item."""

    default_error_messages = {
        "not_a_list": _("Send a list of identifiers."),
        "empty": _("Send at least one identifier."),
        "too_many": _("Send at most 10,000 identifiers at once."),
    }

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        if len(data) > MAX_BULK:
            self.fail("too_many")
        items, errors = [], {}
        for index, item in enumerate(data):
            parsed = _identifier(item)
            if parsed is None:
                errors[index] = [_("Give either a contact id or an e-mail address.")]
            items.append(parsed)
        if errors:
            raise serializers.ValidationError(errors)
        return items

    def to_representation(self, value: Any) -> Any:
        return value


def _identifier(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or len(item) != 1:
        return None
    contact, email = item.get("contact"), item.get("email")
    if isinstance(contact, int) and not isinstance(contact, bool) and contact > 0:
        return {"contact": contact}
    if isinstance(email, str) and 0 < len(email) <= 254:
        return {"email": email.strip()}
    return None


class BulkCheckSerializer(serializers.Serializer):
    purpose = PurposeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    identifiers = IdentifiersField()
    at = serializers.DateTimeField(
        required=False,
        help_text="When the person would be contacted (e.g. a planned call, for the call slots); default: now.",
    )


class AnswerSerializer(serializers.Serializer):
    contact = serializers.IntegerField(required=False, help_text="The contact id asked about, if asked by id.")
    email = serializers.CharField(required=False, help_text="The e-mail asked about, if asked by e-mail.")
    contact_id = serializers.IntegerField(allow_null=True, help_text="Who the identifier is; null when unknown.")
    allowed = serializers.BooleanField()
    reason = serializers.CharField(
        help_text="Why: consent, existing_customer, professional, generic_address, opt_out, current_contract when "
        "allowed; unknown, restricted, suppressed, objected, withdrawn, expired, no_consent, awaiting_confirmation, "
        "not_profession_related, channel_not_used, purpose_inactive, needs_refresh (the purpose changed "
        "materially since the consent), outside_call_hours, bloctel_listed, bloctel_unchecked (calls to consumers, "
        "CNS-09) when denied."
    )
    lawful_basis = serializers.CharField(help_text="The purpose's lawful basis (Art. 6(1)).")


class BulkAnswerSerializer(serializers.Serializer):
    results = AnswerSerializer(many=True)
    denied = serializers.DictField(child=serializers.IntegerField(), help_text="How many were denied, per reason.")


class PurposeSerializer(serializers.ModelSerializer):
    activity = serializers.CharField(source="activity.reference")
    wordings = serializers.SerializerMethodField()

    class Meta:
        model = Purpose
        fields = [
            "key",
            "name",
            "name_fr",
            "activity",
            "lawful_basis",
            "channels",
            "validity_days",
            "double_opt_in",
            "is_marketing",
            "active",
            "wordings",
        ]

    def get_wordings(self, purpose: Purpose) -> list[dict[str, Any]]:
        return [
            {"id": w.pk, "language": w.language, "version": w.version, "text": w.text} for w in purpose.wordings.all()
        ]


class ConsentEventSerializer(StrictModelSerializer):
    contact = StrictPrimaryKeyRelatedField(queryset=Contact.objects.visible())
    purpose = PurposeField()
    wording = StrictPrimaryKeyRelatedField(
        queryset=ConsentWording.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of the wording version the person was shown; required to record a consent.",
    )
    action = serializers.ChoiceField(choices=[Action.GIVEN, Action.WITHDRAWN, Action.OBJECTED])
    method = serializers.ChoiceField(
        choices=[Method.API, Method.WEB_FORM, Method.PHONE, Method.PAPER, Method.IMPORT], default=Method.API
    )

    class Meta:
        model = ConsentEvent
        fields = [
            "id",
            "contact",
            "purpose",
            "channel",
            "action",
            "method",
            "wording",
            "occurred_at",
            "form_id",
            "source_url",
            "ip_address",
            "user_agent",
            "note",
            "recorded_by_kind",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by_kind", "recorded_by", "recorded_at"]
        extra_kwargs = {"occurred_at": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == Action.GIVEN and not attrs.get("wording"):
            raise serializers.ValidationError(
                {"wording": [_("Say which version of the wording the person was shown.")]}
            )
        return attrs
