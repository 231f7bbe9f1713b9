from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Contact


def contact_count() -> int:
    return Contact.objects.count()


def contact_list(*, user: Any, search: str = "") -> QuerySet[Contact]:
    return Contact.objects.restrict(user, "view").search(search)


def contact_history(*, contact: Contact) -> QuerySet:
    return contact.history.select_related("history_user").order_by("-history_date", "-history_id")
