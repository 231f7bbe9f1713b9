"""REST endpoints of fulfilment: one workflow action per right, under /api/v1/requests/{id}/… (staff sessions).

Fulfilment is staff work: the endpoints are not open to API keys (no `required_scopes`).
Each calls the same service as the staff page; a refused action is a 400 with field messages.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from access.permissions import HasScope
from core.api import StrictCharField, ThrottleFirstMixin, UtcDateTimeField
from crm.api.schema import OBJECT_ERRORS, OBJECT_WRITE_ERRORS
from crm.models import Contact
from dsar.models import ErasureProof, ErasureRun, Request, ResponseFile
from dsar.models.fulfilment import ObjectionDecision

from . import erasure, files, rights
from .common import matched_contacts


def _needs(*perms: str) -> type[BasePermission]:
    class Needs(BasePermission):
        message = "Your role does not allow this request."

        def has_permission(self, request: ApiRequest, view: Any) -> bool:
            return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))

    return Needs


FULFIL = _needs("access.access_requests", "dsar.fulfil_request")
ERASE = _needs("access.access_requests", "dsar.erase_request")
READ = _needs("access.access_requests")


class ResponseFileSerializer(serializers.ModelSerializer):
    created_at = UtcDateTimeField(read_only=True)
    expires_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = ResponseFile
        fields = ["id", "kind", "filename", "content_type", "size", "created_at", "expires_at", "downloads"]


class ErasureProofSerializer(serializers.ModelSerializer):
    erased_at = UtcDateTimeField(read_only=True)
    request_received_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = ErasureProof
        fields = [
            "id",
            "request_reference",
            "contact_ref",
            "request_received_at",
            "erased_at",
            "counts",
            "kept",
            "operator_label",
        ]


class ErasureRunSerializer(serializers.ModelSerializer):
    proofs = ErasureProofSerializer(many=True, read_only=True)
    total = serializers.IntegerField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    finished_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ErasureRun
        fields = [
            "id",
            "request",
            "status",
            "total",
            "processed",
            "held",
            "operator_label",
            "created_at",
            "finished_at",
            "proofs",
        ]


class ErasureStepSerializer(serializers.Serializer):
    model = serializers.CharField()
    action = serializers.ChoiceField(choices=["delete", "anonymise"])
    rows = serializers.IntegerField()
    history_rows = serializers.IntegerField()
    replaced = serializers.ListField(child=serializers.CharField())
    kept = serializers.DictField(child=serializers.CharField(), help_text="field -> the obligation it is kept under")


class ErasurePreviewSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    held = serializers.CharField(help_text="Why the contact cannot be erased now (legal hold), or empty.")
    suppressed_identifiers = serializers.IntegerField()
    steps = ErasureStepSerializer(many=True)


class RectificationInput(serializers.Serializer):
    contact = serializers.IntegerField(help_text="The id of a contact matched to the request.")
    changes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        default=dict,
        help_text="field -> requested value, among: " + ", ".join(rights.RECTIFIABLE_FIELDS),
    )
    emails = serializers.ListField(child=StrictCharField(max_length=254), required=False, max_length=20)
    phones = serializers.ListField(child=StrictCharField(max_length=40), required=False, max_length=20)


class RestrictionInput(serializers.Serializer):
    contact = serializers.IntegerField(help_text="The id of a contact matched to the request.")
    reason = StrictCharField(max_length=255)


class ObjectionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["marketing", "other"])
    contact = serializers.IntegerField(required=False, help_text="The id of a contact matched to the request.")
    decision = serializers.ChoiceField(choices=ObjectionDecision.choices, required=False)
    grounds = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    processing = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["kind"] == "other":
            errors = {
                name: ["This field is required for another objection."]
                for name in ("contact", "decision")
                if name not in data
            }
            if errors:
                raise serializers.ValidationError(errors)
        return data


class FulfilmentView(ThrottleFirstMixin, APIView):
    permission_classes = [IsAuthenticated, HasScope, FULFIL]

    def case(self, pk: int) -> Request:
        return get_object_or_404(Request, pk=pk)

    def contact(self, case: Request, contact_id: int) -> Contact:
        for contact in matched_contacts(case):
            if contact.pk == contact_id:
                return contact
        raise serializers.ValidationError({"contact": ["This contact is not matched to the request."]})

    def valid(self, serializer_class: type[serializers.Serializer], request: ApiRequest) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AccessReportView(FulfilmentView):
    @extend_schema(
        summary="Make the access report (Art. 15)",
        description="Builds the report of every matched contact (HTML and JSON), stores it encrypted and sends the "
        "requester a signed download link through the outbox.",
        request=None,
        responses={201: ResponseFileSerializer(many=True), **OBJECT_WRITE_ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        made = files.access_report_create(request=self.case(pk))
        return Response(ResponseFileSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class PortabilityView(FulfilmentView):
    @extend_schema(
        summary="Make the portability export (Art. 20)",
        description="The data the person provided, JSON and CSV in a zip with its JSON Schema; the link is sent.",
        request=None,
        responses={201: ResponseFileSerializer, **OBJECT_WRITE_ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        made = files.portability_export_create(request=self.case(pk))
        return Response(ResponseFileSerializer(made).data, status=status.HTTP_201_CREATED)


class ErasureView(FulfilmentView):
    permission_classes = [IsAuthenticated, HasScope, ERASE]

    @extend_schema(
        summary="Preview the erasure (Art. 17)",
        description="Per matched contact: what will be deleted, anonymised and kept with its reason. Touches nothing.",
        responses={200: ErasurePreviewSerializer(many=True), **OBJECT_ERRORS},
    )
    def get(self, request: ApiRequest, pk: int) -> Response:
        previews = erasure.erasure_preview(request=self.case(pk))
        data = [
            {
                "contact_id": p.contact_id,
                "held": p.held,
                "suppressed_identifiers": p.suppressed_identifiers,
                "steps": [vars(step) for step in p.steps],
            }
            for p in previews
        ]
        return Response(ErasurePreviewSerializer(data, many=True).data)

    @extend_schema(
        summary="Erase the matched contacts (Art. 17)",
        description="Queues the erasure job (one transaction per contact, a proof each); poll the run.",
        request=None,
        responses={202: ErasureRunSerializer, **OBJECT_WRITE_ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        run = erasure.erasure_start(request=self.case(pk))
        return Response(ErasureRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ErasureRunView(FulfilmentView):
    permission_classes = [IsAuthenticated, HasScope, READ]

    @extend_schema(summary="Read an erasure run", responses={200: ErasureRunSerializer, **OBJECT_ERRORS})
    def get(self, request: ApiRequest, pk: int) -> Response:
        run = get_object_or_404(ErasureRun.objects.prefetch_related("proofs"), pk=pk)
        return Response(ErasureRunSerializer(run).data)


class RectificationView(FulfilmentView):
    @extend_schema(
        summary="Apply a rectification (Art. 16)",
        description="Applies the requested values to a matched contact through the contact services (Art. 19 tasks "
        "open for its recipients); the requester is told which fields changed.",
        request=RectificationInput,
        responses={
            200: OpenApiResponse(
                {"type": "object", "properties": {"changed": {"type": "array", "items": {"type": "string"}}}}
            ),
            **OBJECT_WRITE_ERRORS,
        },
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        case = self.case(pk)
        data = self.valid(RectificationInput, request)
        changed = rights.rectification_apply(
            request=case,
            contact=self.contact(case, data["contact"]),
            changes=data["changes"],
            emails=data.get("emails"),
            phones=data.get("phones"),
        )
        return Response({"changed": changed})


class RestrictionView(FulfilmentView):
    permission_classes = [
        IsAuthenticated,
        HasScope,
        _needs("access.access_requests", "dsar.fulfil_request", "crm.restrict_contact"),
    ]

    @extend_schema(
        summary="Restrict a matched contact (Art. 18)",
        description="Places the contact's restriction, linked to the request; lifting it goes through the contact "
        "(notice first), and the case file records when.",
        request=RestrictionInput,
        responses={201: OpenApiResponse({"type": "object"}), **OBJECT_WRITE_ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        case = self.case(pk)
        data = self.valid(RestrictionInput, request)
        link = rights.restriction_place(
            request=case, contact=self.contact(case, data["contact"]), reason=data["reason"]
        )
        return Response(
            {"id": link.pk, "contact": link.contact_id, "placed_at": link.placed_at.isoformat()},
            status=status.HTTP_201_CREATED,
        )


class ObjectionView(FulfilmentView):
    @extend_schema(
        summary="Answer an objection (Art. 21)",
        description="`marketing`: applied at once to every matched contact (consent events, suppression list). "
        "`other`: records staff's decision on a contact; continuing needs the compelling grounds.",
        request=ObjectionInput,
        responses={200: OpenApiResponse({"type": "object"}), **OBJECT_WRITE_ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        case = self.case(pk)
        data = self.valid(ObjectionInput, request)
        if data["kind"] == "marketing":
            return Response({"consent_events": rights.objection_marketing(request=case)})
        outcome = rights.objection_decide(
            request=case,
            contact=self.contact(case, data["contact"]),
            decision=data["decision"],
            grounds=data["grounds"],
            processing=data["processing"],
        )
        return Response({"id": outcome.pk, "decision": outcome.decision})
