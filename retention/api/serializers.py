"""Serializers of the retention API: what the staff "Retention" area shows, as JSON."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.models import Contact, Organisation

from ..models import ArchivedContact, LegalHold, PurgeRun, RetentionPolicy
from ..services import POLICY_FIELDS


class RetentionPolicySerializer(serializers.ModelSerializer):
    name_display = serializers.CharField(source="display_name", read_only=True)
    needs_approval = serializers.BooleanField(read_only=True)
    enforced = serializers.BooleanField(read_only=True)

    class Meta:
        model = RetentionPolicy
        fields = [
            "id",
            "key",
            "name",
            "name_display",
            "activity",
            "category",
            "target",
            "period_months",
            "period_days",
            "start_event",
            "archive_months",
            "end_action",
            "repermission_days",
            "enabled",
            "legal_reference",
            "version",
            "approved_version",
            "needs_approval",
            "enforced",
            "updated_at",
        ]
        read_only_fields = ["id", "key", "version", "approved_version", "updated_at"]


assert set(POLICY_FIELDS) <= set(RetentionPolicySerializer.Meta.fields)


class PurgeRunSerializer(serializers.ModelSerializer):
    policy = serializers.SlugRelatedField(slug_field="key", read_only=True)
    operator = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    percent = serializers.IntegerField(read_only=True)
    preview = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        read_only=True,
        help_text=_("Rows per table (and history rows) the run touches, counted at preview time."),
    )
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        read_only=True,
        help_text=_("Rows per table deleted, anonymised or archived so far."),
    )

    class Meta:
        model = PurgeRun
        fields = [
            "id",
            "policy",
            "policy_version",
            "status",
            "cutoff",
            "preview",
            "expected",
            "processed",
            "percent",
            "held",
            "counts",
            "operator",
            "approved_by",
            "outcome",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class LegalHoldSerializer(serializers.ModelSerializer):
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LegalHold
        fields = ["id", "contact", "organisation", "reason", "ends_on", "owner", "lifted_at", "created_at"]
        read_only_fields = ["id", "owner", "lifted_at", "created_at"]
        # The one-target rule is the service's (a field-level message), not the model constraint's.
        validators: list[Any] = []

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("contact")) == bool(data.get("organisation")):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Choose a contact or an organisation, not both.")]}
            )
        return data


class ArchivedContactSerializer(serializers.ModelSerializer):
    policy = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = ArchivedContact
        fields = ["contact", "policy", "archived_at", "purge_on"]
        read_only_fields = fields


class ArchiveOpenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text=_("Why you open this archived record; it is logged."))


class SectionSerializer(serializers.Serializer):
    model = serializers.CharField()
    verbose_name = serializers.CharField()
    categories = serializers.DictField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
    history_rows = serializers.IntegerField()


class ArchiveRecordSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    policy = serializers.CharField()
    purge_on = serializers.DateField()
    sections = SectionSerializer(many=True)
