from __future__ import annotations

from rest_framework import serializers

from ..models import ActivityDataCategory, Breach, BreachNotification, ProcessingActivity, Recipient


class RecipientSerializer(serializers.ModelSerializer):
    third_country = serializers.BooleanField(read_only=True)

    class Meta:
        model = Recipient
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "third_country",
            "data_location",
            "contract_reference",
            "contract_signed_on",
            "transfer_mechanism",
            "transfer_documentation",
        ]


class DataCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityDataCategory
        fields = ["category", "description", "retention", "retention_fr"]


class ProcessingActivitySerializer(serializers.ModelSerializer):
    data_categories = DataCategorySerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    subject_categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    data_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    sensitive_data = serializers.ListField(child=serializers.CharField(), read_only=True)
    security_measures = serializers.ListField(child=serializers.CharField(), read_only=True)
    dpia_criteria = serializers.ListField(child=serializers.CharField(), read_only=True)
    dpia_required = serializers.BooleanField(read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProcessingActivity
        fields = [
            "id",
            "reference",
            "name",
            "name_fr",
            "role",
            "software",
            "business_owner",
            "joint_controller",
            "processor_controllers",
            "main_purpose",
            "main_purpose_fr",
            "sub_purposes",
            "sub_purposes_fr",
            "legal_basis",
            "legal_basis_detail",
            "subject_categories",
            "subject_categories_other",
            "data_categories",
            "data_fields",
            "sensitive_data",
            "art9_condition",
            "data_source",
            "recipients",
            "security_measures",
            "security_description",
            "dpia_criteria",
            "dpia_cnil_list",
            "dpia_required",
            "dpia_status",
            "dpia_reference",
            "dpia_date",
            "notice_url",
            "status",
            "submitted_at",
            "approved_at",
            "approved_by",
            "next_review_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BreachNotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = BreachNotification
        fields = ["phase", "sent_at", "reference", "content"]


class BreachSerializer(serializers.ModelSerializer):
    nature = serializers.ListField(child=serializers.CharField(), read_only=True)
    data_categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    notification_deadline = serializers.DateTimeField(read_only=True)
    notifications = BreachNotificationSerializer(many=True, read_only=True)
    late = serializers.SerializerMethodField()
    affected_contacts = serializers.SerializerMethodField()

    class Meta:
        model = Breach
        fields = [
            "id",
            "reference",
            "title",
            "aware_at",
            "occurred_at",
            "notification_deadline",
            "late",
            "nature",
            "description",
            "data_categories",
            "subjects_approx",
            "records_approx",
            "consequences",
            "measures",
            "dpo_contact",
            "risk_level",
            "authority_decision",
            "not_notified_reason",
            "notified_at",
            "authority_reference",
            "delay_reason",
            "notifications",
            "subjects_informed_at",
            "subjects_communication",
            "art34_exemption",
            "affected_contacts",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_late(self, breach: Breach) -> bool:
        from django.utils import timezone

        return breach.is_late(timezone.now())

    def get_affected_contacts(self, breach: Breach) -> int:
        return breach.affected.count()
