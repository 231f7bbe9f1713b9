from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, viewsets
from rest_framework.pagination import CursorPagination

from .. import services
from ..models import Contact
from .serializers import ContactSerializer


class ContactPagination(CursorPagination):
    ordering = ("-id",)


class ContactPermission(permissions.DjangoModelPermissions):
    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


class ContactViewSet(viewsets.ModelViewSet):
    """Contacts. Writes are attributed to the caller in the contact's history."""

    serializer_class = ContactSerializer
    pagination_class = ContactPagination
    permission_classes = [permissions.IsAuthenticated, ContactPermission]
    queryset = Contact.objects.none()

    def get_queryset(self) -> QuerySet[Contact]:
        action = {"list": "view", "retrieve": "view", "destroy": "delete"}.get(self.action or "", "change")
        return Contact.objects.restrict(self.request.user, action).order_by("-id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.contact_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.contact_update(contact=serializer.instance, **serializer.validated_data)
