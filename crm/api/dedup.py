"""REST endpoints for duplicate review: candidate pairs, "not a duplicate", merge, undo (staff only, no API keys)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..dedup.merge import MERGE_FIELDS, MERGED, SURVIVOR, candidate_dismiss, contact_merge_undo, contacts_merge
from ..dedup.reasons import REASON_LABELS
from ..models import CandidateStatus, Contact, ContactMerge, DuplicateCandidate
from .base import ApiCommon, ordering_parameter
from .pagination import keyset_orders_for
from .schema import BAD_REQUEST, OBJECT_ERRORS, READ_ERRORS

MERGERS = ["crm.merge_contact"]
CANDIDATE_ORDERINGS = {"score": ("score", "id"), "id": ("id",)}
MERGE_ORDERINGS = {"merged_at": ("merged_at", "id"), "id": ("id",)}


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    contribution = serializers.FloatField()


class CandidateSerializer(serializers.ModelSerializer):
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = DuplicateCandidate
        fields = ["id", "contact_a", "contact_b", "score", "reasons", "status", "found_at", "decided_at"]
        read_only_fields = fields

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, candidate: DuplicateCandidate) -> list[dict[str, Any]]:
        return [
            {"code": code, "label": str(REASON_LABELS.get(code, code)), "contribution": value}
            for code, value in candidate.reasons
        ]


class MergeInputSerializer(serializers.Serializer):
    survivor = serializers.IntegerField(help_text="The id of the record that survives: one of the pair.")
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=[SURVIVOR, MERGED]),
        required=False,
        default=dict,
        help_text="Per field, whose value the survivor keeps: " + ", ".join(MERGE_FIELDS) + ".",
    )

    def validate_choices(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(MERGE_FIELDS))
        if unknown:
            raise serializers.ValidationError(f"Unknown fields: {', '.join(unknown)}.")
        return value


class MergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactMerge
        fields = ["id", "survivor", "merged", "merged_at", "merged_by", "choices", "undone_at"]
        read_only_fields = fields


def _visible_ids(request: Request) -> QuerySet:
    return Contact.objects.restrict(request.user, "view").values("pk")


@extend_schema_view(
    list=extend_schema(
        summary="List duplicate candidates to review",
        description="Pending pairs of contacts that may be one person, the most likely first, with the reasons.",
        parameters=[ordering_parameter(CANDIDATE_ORDERINGS, "-score")],
        responses={200: CandidateSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a duplicate candidate", responses={200: CandidateSerializer, **OBJECT_ERRORS}),
)
class DuplicateCandidateViewSet(ApiCommon, viewsets.ReadOnlyModelViewSet):
    """Duplicate candidates; for staff with crm.merge_contact, not open to API keys."""

    serializer_class = CandidateSerializer
    queryset = DuplicateCandidate.objects.all()
    ordering_fields = list(CANDIDATE_ORDERINGS)
    keyset_orders = keyset_orders_for(CANDIDATE_ORDERINGS, DuplicateCandidate)
    keyset_default = "-score"
    action_permissions = {
        "list": MERGERS,
        "retrieve": MERGERS,
        "metadata": MERGERS,
        "dismiss": MERGERS,
        "merge": MERGERS,
    }
    filterset_fields: list[str] = []

    def get_queryset(self) -> QuerySet:
        visible = _visible_ids(self.request)
        pending = DuplicateCandidate.objects.filter(contact_a__in=visible, contact_b__in=visible)
        return pending.filter(status=CandidateStatus.PENDING) if self.action == "list" else pending

    @extend_schema(
        summary="Mark a pair as not a duplicate",
        description="Remembered for ever: the pair is never proposed again.",
        request=None,
        responses={200: CandidateSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        candidate = candidate_dismiss(candidate=self.get_object())
        return Response(self.get_serializer(candidate).data)

    @extend_schema(
        summary="Merge the pair",
        description=(
            "`survivor` is one of the two ids; `choices` says per field whose value it keeps (by default the "
            "most complete, then the most recent). Every related row, e-mail, phone, tag and consent event of "
            "both is kept; a withdrawal or objection on either wins over an older consent. Undo within 30 days."
        ),
        request=MergeInputSerializer,
        responses={201: MergeSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        candidate = self.get_object()
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survivor_id = data.validated_data["survivor"]
        pair = (candidate.contact_a_id, candidate.contact_b_id)
        if survivor_id not in pair:
            raise serializers.ValidationError({"survivor": ["Give one of the two ids of the pair."]})
        merged_id = pair[1] if survivor_id == pair[0] else pair[0]
        merge = contacts_merge(
            survivor=Contact.objects.get(pk=survivor_id),
            merged=Contact.objects.get(pk=merged_id),
            choices=data.validated_data["choices"],
        )
        return Response(MergeSerializer(merge).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List merges",
        parameters=[ordering_parameter(MERGE_ORDERINGS, "-merged_at")],
        responses={200: MergeSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a merge", responses={200: MergeSerializer, **OBJECT_ERRORS}),
)
class ContactMergeViewSet(ApiCommon, viewsets.ReadOnlyModelViewSet):
    """Merges of contacts; for staff with crm.merge_contact, not open to API keys."""

    serializer_class = MergeSerializer
    queryset = ContactMerge.objects.all()
    ordering_fields = list(MERGE_ORDERINGS)
    keyset_orders = keyset_orders_for(MERGE_ORDERINGS, ContactMerge)
    keyset_default = "-merged_at"
    action_permissions = {"list": MERGERS, "retrieve": MERGERS, "metadata": MERGERS, "undo": MERGERS}
    filterset_fields: list[str] = []

    def get_queryset(self) -> QuerySet:
        return ContactMerge.objects.filter(survivor__in=_visible_ids(self.request))

    @extend_schema(
        summary="Undo a merge",
        description="Within 30 days: both records exactly as they were. An undone or older merge is a 400.",
        request=None,
        responses={200: MergeSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        merge = contact_merge_undo(merge=self.get_object())
        return Response(self.get_serializer(merge).data)
