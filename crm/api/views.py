"""REST endpoints of the contact repository: contacts, organisations, interactions.

Every queryset starts from `Contact.objects.restrict(user, action)`; every write
goes through crm.services (which attribute it to the caller, user or API key, in
the history). Reads of a contact's full record are logged; what an API key reads
is a disclosure to a third party and goes to the disclosure log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.text import is_id_text

from .. import selectors, services
from ..filters import ContactFilter
from ..models import AccessChannel, Contact, Interaction, InteractionKind, Organisation, RecipientNotification
from ..querysets import can_see_all_contacts
from ..services.contacts import RESTORE_DAYS
from ..services.organisations import organisation_create, organisation_delete, organisation_update
from ..services.recipients import recipient_notification_close
from .base import (
    ApiCommon,
    ApiViewSet,
    Locked,
    WriteAnswerMixin,
    disclose_to_key,
    ordering_parameter,
    readable_fields,
)
from .filters import InteractionFilter, OrganisationFilter, RecipientNotificationFilter
from .pagination import keyset_orders_for
from .schema import (
    BAD_REQUEST,
    CONTACT_WRITE_ANSWER,
    INTERACTION_WRITE_ANSWER,
    LOCKED,
    OBJECT_ERRORS,
    OBJECT_WRITE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
)
from .serializers import (
    ContactSerializer,
    InteractionSerializer,
    OrganisationSerializer,
    RecipientNotificationCloseSerializer,
    RecipientNotificationSerializer,
    RestrictionLiftSerializer,
    RestrictionNoticeSerializer,
    RestrictionPlaceSerializer,
    RestrictionSerializer,
)

RESTRICTION_ACTIONS = ("restriction_place", "restriction_notice", "restriction_lift")
# What a write answers to a caller who may write but not read: nothing about the person.
CONTACT_RECEIPT_FIELDS = ("id", "created_at", "updated_at")
INTERACTION_RECEIPT_FIELDS = ("id", "contact", "created_at")
CONTACT_SCOPES = {"read": ["contacts:read"], "write": ["contacts:write"]}
# Interactions hang off contacts: a key reaches them only for the contacts it may read.
INTERACTION_SCOPES = {"read": ["contacts:read", "interactions:read"], "write": ["contacts:read", "interactions:write"]}


CONTACT_ORDERINGS = {
    "last_name_key": ("last_name_key", "first_name_key", "id"),
    "created_at": ("created_at", "id"),
    "last_interaction_at": ("last_interaction_at", "id"),
    "id": ("id",),
}
ORGANISATION_ORDERINGS = {"name": ("name_key", "id"), "created_at": ("created_at", "id"), "id": ("id",)}
INTERACTION_ORDERINGS = {"occurred_at": ("occurred_at", "id"), "id": ("id",)}


@extend_schema_view(
    list=extend_schema(
        summary="List contacts",
        description=(
            "Contacts the caller may see (Sales: the ones they own; restricted contacts only for roles allowed "
            "to see them; never soft-deleted ones). `q` searches a name prefix (accents and case ignored) or an "
            "exact email or phone. Sort with `ordering` (`last_name_key`, `created_at`, `last_interaction_at`, "
            "`id`, `-` for descending; default `-id`); follow `next`/`previous` to page. Reads by an API key "
            "are recorded in the disclosure log."
        ),
        parameters=[ordering_parameter(CONTACT_ORDERINGS, "-id")],
        responses={200: ContactSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a contact",
        description="Each read is recorded in the contact's access log (and, for an API key, the disclosure log).",
        responses={200: ContactSerializer, **OBJECT_ERRORS},
    ),
    create=extend_schema(
        summary="Create a contact",
        description="Emails and phones are normalised and must belong to no other contact.",
        responses={201: CONTACT_WRITE_ANSWER, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a contact's fields",
        responses={200: CONTACT_WRITE_ANSWER, **OBJECT_WRITE_ERRORS, 423: LOCKED},
    ),
    partial_update=extend_schema(
        summary="Change some of a contact's fields",
        responses={200: CONTACT_WRITE_ANSWER, **OBJECT_WRITE_ERRORS, 423: LOCKED},
    ),
    destroy=extend_schema(
        summary=f"Delete a contact (restorable for {RESTORE_DAYS} days)",
        description=(
            f"A soft delete: the contact leaves every list and can be restored for {RESTORE_DAYS} days, after "
            "which it is erased. GDPR erasure of a person's data is a separate path (data-subject requests)."
        ),
        responses={204: OpenApiResponse(description="Deleted."), **OBJECT_ERRORS, 423: LOCKED},
    ),
)
class ContactViewSet(WriteAnswerMixin, ApiViewSet):
    """People the organisation holds data about. Writes are attributed to the caller (user or API key) in the
    contact's history; API keys need the contacts:read / contacts:write scopes."""

    read_permission = "crm.view_contact"
    receipt_fields = CONTACT_RECEIPT_FIELDS

    serializer_class = ContactSerializer
    queryset = Contact.objects.none()  # the model, for permissions and the schema; rows come from get_queryset
    required_scopes = CONTACT_SCOPES
    action_permissions = {
        "restore": ["crm.delete_contact"],
        **{name: ["crm.restrict_contact"] for name in RESTRICTION_ACTIONS},
    }
    filterset_class = ContactFilter
    ordering_fields = list(CONTACT_ORDERINGS)
    # The name order walks the same byte-wise index as the staff list (crm.selectors.CONTACT_ORDERS).
    keyset_orders = keyset_orders_for(CONTACT_ORDERINGS, Contact, bytewise=("last_name_key", "first_name_key"))
    keyset_default = "-id"
    restrict_actions = {"list": "view", "retrieve": "view", "destroy": "delete"}

    def get_queryset(self) -> QuerySet[Contact]:
        user = self.request.user
        if self.action == "restore":
            contacts = selectors.contact_trash(user=user)
        elif self.action in RESTRICTION_ACTIONS:
            contacts = Contact.objects.restrict(user, "restrict")
        else:
            contacts = Contact.objects.restrict(user, self.restrict_actions.get(self.action or "", "change"))
        if self.action == "list":  # a page of rows read once, never written back
            return contacts.with_rows("points", "tags", "external_ids")
        return contacts.prefetch_related("points", "tags", "external_ids")

    def get_object(self) -> Contact:
        try:
            return super().get_object()
        except Http404:
            if self.action in ("update", "partial_update", "destroy") and self._is_visible_restricted():
                raise Locked() from None
            raise

    def _is_visible_restricted(self) -> bool:
        """A restricted contact the caller may see but not change: say so (423) rather than 404."""
        pk = str(self.kwargs.get(self.lookup_field, ""))
        if not is_id_text(pk) or len(pk) > 18:
            return False
        return Contact.objects.restrict(self.request.user, "view").filter(pk=int(pk), restricted=True).exists()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        rows = response.data["results"]
        # The fields disclosed are the keys of the rows (not another serializer built just to list them).
        disclose_to_key(request, [row["id"] for row in rows], list(rows[0]) if rows else [])
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(self.get_object()).data
        self._log_answer(data)
        return Response(data)

    def _log_answer(self, data: dict[str, Any]) -> None:
        """A contact's full record went out: the access log, and for an API key the disclosure log."""
        services.contact_access_record(contact_ids=[data["id"]], channel=AccessChannel.API)
        disclose_to_key(self.request, [data["id"]], list(data))

    def perform_create(self, serializer: ContactSerializer) -> None:
        data = dict(serializer.validated_data)
        user = self.request.user
        if not can_see_all_contacts(user) or ("owner" not in data and user.pk is not None):
            data["owner"] = user  # Sales own what they create; staff own it unless they name another owner
        serializer.instance = services.contact_create(**data)

    def perform_update(self, serializer: ContactSerializer) -> None:
        serializer.instance = services.contact_update(contact=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Contact) -> None:
        services.contact_delete(contact=instance, reason="deleted through the API")

    @extend_schema(
        summary="Restrict a contact's processing (Art. 18)",
        description=(
            "The contact becomes read-only and leaves every list, export and API listing; an Art. 19 task is "
            "opened for each recipient in the disclosure log. Needs crm.restrict_contact (not open to API keys)."
        ),
        request=RestrictionPlaceSerializer,
        responses={200: RestrictionSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="restriction")
    def restriction_place(self, request: Request, pk: str | None = None) -> Response:
        return self._restriction_step(request, RestrictionPlaceSerializer, services.contact_restriction_place)

    @extend_schema(
        summary="Tell the person a restriction will be lifted (Art. 18(3))",
        description=(
            "`email` sends the notice now to the primary address, in the person's language; `post`, `phone` and "
            "`in_person` record a notice already given, with a `note`. Required before the restriction is lifted."
        ),
        request=RestrictionNoticeSerializer,
        responses={200: RestrictionSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="restriction/notice")
    def restriction_notice(self, request: Request, pk: str | None = None) -> Response:
        return self._restriction_step(request, RestrictionNoticeSerializer, services.restriction_lift_notify)

    @extend_schema(
        summary="Lift a restriction (Art. 18(3))",
        description="Refused (400) until the person has been told (`restriction/notice`).",
        request=RestrictionLiftSerializer,
        responses={200: RestrictionSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="restriction/lift")
    def restriction_lift(self, request: Request, pk: str | None = None) -> Response:
        return self._restriction_step(request, RestrictionLiftSerializer, services.contact_restriction_lift)

    def _restriction_step(self, request: Request, serializer_class: type, step: Any) -> Response:
        contact = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = step(contact=contact, **serializer.validated_data)
        return Response(RestrictionSerializer(contact).data)

    @extend_schema(
        summary="Restore a deleted contact",
        description=(
            f"Brings back a contact deleted less than {RESTORE_DAYS} days ago. Later it can no longer be restored "
            "(400); a contact that is not deleted is not found here (404)."
        ),
        request=None,
        responses={200: CONTACT_WRITE_ANSWER, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        contact = services.contact_restore(contact=self.get_object())
        return self._write_answer(Response(self.get_serializer(contact).data))


@extend_schema_view(
    list=extend_schema(
        summary="List organisations",
        parameters=[ordering_parameter(ORGANISATION_ORDERINGS, "name")],
        responses={200: OrganisationSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Read an organisation", responses={200: OrganisationSerializer, **OBJECT_ERRORS}),
    create=extend_schema(summary="Create an organisation", responses={201: OrganisationSerializer, **WRITE_ERRORS}),
    update=extend_schema(
        summary="Replace an organisation's fields", responses={200: OrganisationSerializer, **OBJECT_WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change some of an organisation's fields",
        responses={200: OrganisationSerializer, **OBJECT_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an organisation",
        description="Refused (400) while contacts still belong to it.",
        responses={204: OpenApiResponse(description="Deleted."), 400: BAD_REQUEST, **OBJECT_ERRORS},
    ),
)
class OrganisationViewSet(ApiViewSet):
    """Companies, associations and public bodies contacts belong to. API keys need contacts:read / contacts:write."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.all()
    required_scopes = CONTACT_SCOPES
    filterset_class = OrganisationFilter
    ordering_fields = list(ORGANISATION_ORDERINGS)
    keyset_orders = keyset_orders_for(ORGANISATION_ORDERINGS, Organisation)
    keyset_default = "name"

    def perform_create(self, serializer: OrganisationSerializer) -> None:
        serializer.instance = organisation_create(**serializer.validated_data)

    def perform_update(self, serializer: OrganisationSerializer) -> None:
        serializer.instance = organisation_update(organisation=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Organisation) -> None:
        organisation_delete(organisation=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List interactions",
        description="Interactions with the contacts the caller may see, newest first. Needs crm.view_interaction.",
        parameters=[ordering_parameter(INTERACTION_ORDERINGS, "-occurred_at")],
        responses={200: InteractionSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Read an interaction", responses={200: InteractionSerializer, **OBJECT_ERRORS}),
    create=extend_schema(
        summary="Record an interaction",
        description="The contact must be one the caller may see and not restricted (Art. 18).",
        responses={201: INTERACTION_WRITE_ANSWER, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an interaction's fields",
        responses={200: INTERACTION_WRITE_ANSWER, **OBJECT_WRITE_ERRORS, 423: LOCKED},
    ),
    partial_update=extend_schema(
        summary="Change some of an interaction's fields",
        responses={200: INTERACTION_WRITE_ANSWER, **OBJECT_WRITE_ERRORS, 423: LOCKED},
    ),
    destroy=extend_schema(
        summary="Delete an interaction",
        responses={204: OpenApiResponse(description="Deleted."), **OBJECT_ERRORS, 423: LOCKED},
    ),
)
class InteractionViewSet(WriteAnswerMixin, ApiViewSet):
    """Calls, emails, meetings, notes and events with contacts; bodies are stored encrypted. Only for roles with
    crm.view_interaction, and API keys with contacts:read plus interactions:read (or interactions:write)."""

    read_permission = "crm.view_interaction"
    receipt_fields = INTERACTION_RECEIPT_FIELDS

    serializer_class = InteractionSerializer
    queryset = Interaction.objects.none()
    required_scopes = INTERACTION_SCOPES
    filterset_class = InteractionFilter
    ordering_fields = list(INTERACTION_ORDERINGS)
    keyset_orders = keyset_orders_for(INTERACTION_ORDERINGS, Interaction)
    keyset_default = "-occurred_at"

    def get_queryset(self) -> QuerySet[Interaction]:
        visible = Contact.objects.restrict(self.request.user, "view")
        # No select_related("contact"): reads show only its id, and joining would decrypt each contact's notes.
        return Interaction.objects.filter(contact__in=visible)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        ids = [row["contact"] for row in response.data["results"]]
        disclose_to_key(request, ids, [f"interaction.{name}" for name in readable_fields(self)])
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        self._log_answer(response.data)
        return response

    def _log_answer(self, data: dict[str, Any]) -> None:
        """An interaction went out: for an API key, a disclosure of its contact's interaction fields."""
        disclose_to_key(self.request, [data["contact"]], [f"interaction.{name}" for name in data])

    def perform_create(self, serializer: InteractionSerializer) -> None:
        data = {"kind": InteractionKind.NOTE, **serializer.validated_data}
        user = self.request.user
        serializer.instance = services.interaction_create(author=user if user.pk is not None else None, **data)

    def perform_update(self, serializer: InteractionSerializer) -> None:
        self._refuse_if_restricted(serializer.instance)
        serializer.instance = services.interaction_update(interaction=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Interaction) -> None:
        self._refuse_if_restricted(instance)
        services.interaction_delete(interaction=instance)

    @staticmethod
    def _refuse_if_restricted(interaction: Interaction) -> None:
        if interaction.contact.restricted:
            raise Locked()


RECIPIENT_NOTIFICATION_ORDERINGS = {"created_at": ("created_at", "id"), "id": ("id",)}


@extend_schema_view(
    list=extend_schema(
        summary="List Art. 19 tasks",
        description=(
            "One task per recipient of a contact's data (from the disclosure log) to tell of a rectification, "
            "erasure or restriction. Filter by `status`, `cause`, `contact` or `recipient`. The tasks outlive "
            "an erasure: `contact` is then null and `contact_ref` keeps the former id."
        ),
        parameters=[ordering_parameter(RECIPIENT_NOTIFICATION_ORDERINGS, "-created_at")],
        responses={200: RecipientNotificationSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an Art. 19 task", responses={200: RecipientNotificationSerializer, **OBJECT_ERRORS}
    ),
)
class RecipientNotificationViewSet(ApiCommon, viewsets.ReadOnlyModelViewSet):
    """Art. 19 tasks: telling each recipient of a contact's data about its rectification, erasure or restriction.
    For staff with crm.view_recipientnotification; not open to API keys."""

    serializer_class = RecipientNotificationSerializer
    queryset = RecipientNotification.objects.all()
    filterset_class = RecipientNotificationFilter
    ordering_fields = list(RECIPIENT_NOTIFICATION_ORDERINGS)
    keyset_orders = keyset_orders_for(RECIPIENT_NOTIFICATION_ORDERINGS, RecipientNotification)
    keyset_default = "-created_at"
    action_permissions = {"close": ["crm.change_recipientnotification"]}

    @extend_schema(
        summary="Close an Art. 19 task",
        description=(
            "`sent`: the recipient was told. `impossible` or `disproportionate` need a `justification`. "
            "A closed task cannot be closed again (400)."
        ),
        request=RecipientNotificationCloseSerializer,
        responses={200: RecipientNotificationSerializer, 400: BAD_REQUEST, **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = RecipientNotificationCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = recipient_notification_close(notification=task, **serializer.validated_data)
        return Response(self.get_serializer(task).data)
