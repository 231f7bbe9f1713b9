"""The retention API: what the staff "Retention" area offers, through the same services.

Policies (read; the DPO changes them), purge runs (read, preview a policy, approve
or start a run), legal holds (read, place, lift) and the intermediate archive
(list; open one record with a reason, each opening logged, RET-05). API keys
with the `retention:read` scope read policies, runs and holds; every write and
the archive need a person with the role's permissions.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from access.permissions import HasScope
from core.api_pagination import ByIdPagination
from crm.api.permissions import ModelPermissions
from crm.api.schema import BAD_REQUEST, OBJECT_ERRORS, OBJECT_WRITE_ERRORS, READ_ERRORS
from crm.subject_data import subject_data_collect

from .. import services
from ..models import ArchivedContact, LegalHold, PurgeRun, RetentionPolicy, RunStatus
from .serializers import (
    ArchivedContactSerializer,
    ArchiveOpenSerializer,
    ArchiveRecordSerializer,
    LegalHoldSerializer,
    PurgeRunSerializer,
    RetentionPolicySerializer,
)

# Keys read; writes need a person (a DPO approval or a legal hold is never a machine's decision).
RETENTION_SCOPES: dict[str, list[str] | None] = {"read": ["retention:read"], "write": None}
LIST_ERRORS = {400: BAD_REQUEST, **READ_ERRORS}


class RetentionApi(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    pagination_class = ByIdPagination
    required_scopes = RETENTION_SCOPES
    lookup_value_regex = r"\d+"


@extend_schema_view(
    list=extend_schema(
        summary="List retention policies",
        description="Every policy with its period, start event, end action and legal reference (RET-01, RET-02).",
        responses={200: RetentionPolicySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a retention policy", responses={200: RetentionPolicySerializer, **OBJECT_ERRORS}
    ),
    update=extend_schema(
        summary="Change a retention policy (DPO)",
        description="A change to the rules raises the policy's version: its next run waits for approval again.",
        responses={200: RetentionPolicySerializer, **OBJECT_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a retention policy (DPO)",
        responses={200: RetentionPolicySerializer, **OBJECT_WRITE_ERRORS},
    ),
    preview=extend_schema(
        summary="Preview a purge of this policy",
        description="Counts what a purge would remove today, per table, and creates a run that waits for the DPO's "
        "approval when the policy was never approved at its current version.",
        request=None,
        responses={201: PurgeRunSerializer, **OBJECT_WRITE_ERRORS},
    ),
)
class RetentionPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, RetentionApi):
    serializer_class = RetentionPolicySerializer
    queryset = RetentionPolicy.objects.order_by("id")
    action_permissions = {"preview": ["retention.add_purgerun"]}

    def perform_update(self, serializer: RetentionPolicySerializer) -> None:
        serializer.instance = services.policy_update(policy=serializer.instance, **serializer.validated_data)

    @action(detail=True, methods=["post"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        policy = get_object_or_404(RetentionPolicy.objects.exclude(target="none"), pk=self.get_object().pk)
        run = services.purge_run_preview(policy=policy, operator=request.user)
        return Response(PurgeRunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List purge runs",
        description="Each run with its status, progress, counts per table and outcome; no purged personal data.",
        responses={200: PurgeRunSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a purge run", responses={200: PurgeRunSerializer, **OBJECT_ERRORS}),
    approve=extend_schema(
        summary="Approve (DPO) or start a previewed run",
        description="A run awaiting approval is approved (the policy's version counts as approved) and queued; a "
        "previewed run of an approved policy is queued.",
        request=None,
        responses={200: PurgeRunSerializer, **OBJECT_WRITE_ERRORS},
    ),
)
class PurgeRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RetentionApi):
    serializer_class = PurgeRunSerializer
    queryset = PurgeRun.objects.select_related("policy", "operator", "approved_by").order_by("id")
    action_permissions = {"approve": ["retention.approve_purgerun"]}

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        if run.status == RunStatus.AWAITING_APPROVAL:
            run = services.purge_run_approve(run=run, user=request.user)
        else:
            run = services.purge_run_start(run=run)
        return Response(PurgeRunSerializer(run).data)


@extend_schema_view(
    list=extend_schema(
        summary="List legal holds",
        description="Holds still in force (not lifted, not ended); held records are skipped by purges and erasure.",
        responses={200: LegalHoldSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a legal hold", responses={200: LegalHoldSerializer, **OBJECT_ERRORS}),
    create=extend_schema(
        summary="Place a legal hold",
        description="On one contact or one organisation, with a reason and an end date; the caller is its owner.",
        responses={201: LegalHoldSerializer, **OBJECT_WRITE_ERRORS},
    ),
    lift=extend_schema(
        summary="Lift a legal hold", request=None, responses={200: LegalHoldSerializer, **OBJECT_WRITE_ERRORS}
    ),
)
class LegalHoldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RetentionApi):
    serializer_class = LegalHoldSerializer
    queryset = LegalHold.objects.select_related("owner").order_by("id")
    action_permissions = {"lift": ["retention.change_legalhold"]}

    def get_queryset(self) -> Any:
        if self.action == "list":
            from ..selectors import active_holds

            return active_holds().select_related("owner").order_by("id")
        return super().get_queryset()

    def perform_create(self, serializer: LegalHoldSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.legal_hold_place(
            owner=self.request.user,
            reason=data["reason"],
            ends_on=data["ends_on"],
            contact=data.get("contact"),
            organisation=data.get("organisation"),
        )

    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str | None = None) -> Response:
        hold = services.legal_hold_lift(hold=self.get_object())
        return Response(LegalHoldSerializer(hold).data)


class ArchivePermission(BasePermission):
    """The archive, its list included, is only for the role holding `retention.open_archive` (RET-05)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("retention.open_archive"))


@extend_schema_view(
    list=extend_schema(
        summary="List archived contacts",
        description="Contacts in intermediate archive (RET-05): ids, policy and purge date only.",
        responses={200: ArchivedContactSerializer(many=True), **LIST_ERRORS},
    ),
    open=extend_schema(
        summary="Open an archived record, giving a reason",
        description="Everything held about the archived contact. The reason is required and each opening is "
        "logged (RET-05).",
        request=ArchiveOpenSerializer,
        responses={200: ArchiveRecordSerializer, **OBJECT_WRITE_ERRORS},
    ),
)
class ArchiveViewSet(mixins.ListModelMixin, RetentionApi):
    permission_classes = [IsAuthenticated, HasScope, ArchivePermission]
    required_scopes = {"read": None, "write": None}
    serializer_class = ArchivedContactSerializer
    queryset = ArchivedContact.objects.select_related("policy").order_by("id")
    lookup_field = "contact"

    @action(detail=True, methods=["post"])
    def open(self, request: Request, contact: str | None = None) -> Response:
        archived = self.get_object()
        body = ArchiveOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        archive = services.archive_open(
            contact_id=archived.contact_id, user=request.user, reason=body.validated_data["reason"]
        )
        sections = subject_data_collect(contact=archive.contact)
        record = {
            "contact": archive.contact_id,
            "policy": archive.policy.key,
            "purge_on": archive.purge_on,
            "sections": [vars(section) for section in sections],
        }
        return Response(ArchiveRecordSerializer(record).data)
