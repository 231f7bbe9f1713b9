"""Serializers of the requests API: nested output, strict input per workflow action."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from core.api import StrictCharField, StrictPrimaryKeyRelatedField, UtcDateTimeField

from ..forms import handlers
from ..models import (
    ExtensionCategory,
    IdentityMethod,
    RefusalGround,
    Request,
    RequestChannel,
    RequestEvent,
    RequestMatch,
    RequestStatus,
    Right,
)


class RequestEventSerializer(serializers.ModelSerializer):
    occurred_at = UtcDateTimeField(read_only=True)
    outbox_message_ref = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RequestEvent
        fields = ["id", "kind", "occurred_at", "actor_kind", "actor_label", "text", "data", "outbox_message_ref"]


class RequestMatchSerializer(serializers.ModelSerializer):
    added_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = RequestMatch
        fields = ["id", "contact", "method", "added_by_kind", "added_by", "added_at"]


class RequestSerializer(serializers.ModelSerializer):
    received_at = UtcDateTimeField(read_only=True)
    verified_at = UtcDateTimeField(read_only=True, allow_null=True)
    extended_at = UtcDateTimeField(read_only=True, allow_null=True)
    extension_notified_at = UtcDateTimeField(read_only=True, allow_null=True)
    identity_verified_at = UtcDateTimeField(read_only=True, allow_null=True)
    closed_at = UtcDateTimeField(read_only=True, allow_null=True)
    extension_category = serializers.ChoiceField(ExtensionCategory.choices, allow_blank=True, read_only=True)
    identity_method = serializers.ChoiceField(IdentityMethod.choices, allow_blank=True, read_only=True)
    refusal_ground = serializers.ChoiceField(RefusalGround.choices, allow_blank=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Running and past its due date (DSR-14).")
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Request
        fields = [
            "id",
            "reference",
            "rights",
            "requester_name",
            "requester_email",
            "details",
            "language",
            "channel",
            "status",
            "received_at",
            "verified_at",
            "paused_days",
            "original_due_date",
            "due_date",
            "overdue",
            "extended_at",
            "extension_category",
            "extension_reason",
            "extension_notified_at",
            "identity_method",
            "identity_verified_at",
            "refusal_ground",
            "refusal_explanation",
            "assignee",
            "closed_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Request) -> bool:
        from ..selectors import OVERDUE, request_risk

        return request_risk(obj) == OVERDUE


class RequestCreateSerializer(serializers.Serializer):
    rights = serializers.ListField(
        child=serializers.ChoiceField(choices=Right.choices), allow_empty=False, max_length=len(Right.choices)
    )
    name = StrictCharField(max_length=150)
    email = StrictCharField(max_length=254, required=False, allow_blank=True, default="")
    details = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.WEB])
    received_at = serializers.DateTimeField(help_text="The actual date of receipt: the deadline runs from it.")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="fr")
    assignee = StrictPrimaryKeyRelatedField(
        queryset=handlers(), required=False, help_text="A staff member who may handle requests."
    )


class MatchAddSerializer(serializers.Serializer):
    contact = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ExtendSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ExtensionCategory.choices)
    reason = StrictCharField(max_length=2000)


class RefuseSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=RefusalGround.choices)
    explanation = StrictCharField(max_length=5000)


class RequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("active", "active"), *RequestStatus.choices], required=False)
    right = serializers.ChoiceField(choices=Right.choices, required=False)
    assignee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    days_left = serializers.IntegerField(required=False, min_value=0, max_value=3660)
    overdue = serializers.BooleanField(required=False, default=False)
    at_risk = serializers.BooleanField(
        required=False, default=False, help_text="Running and amber: from day 22, not yet overdue (DSR-14)."
    )

    def filters(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        return {key: value for key, value in data.items() if value not in (None, "")}
