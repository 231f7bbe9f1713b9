from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.crypto import blind_index
from core.deadlines import art14_overdue_cutoff, local_today

from .normalise import normalise_email, normalise_phone


def can_see_all_contacts(user: Any) -> bool:
    """Sales see the contacts they own; every other role (and API keys) sees them all."""
    return user.has_perm("crm.view_all_contacts")


def can_see_notes(user: Any) -> bool:
    """Notes are free text about the person, as sensitive as interactions: they follow crm.view_interaction."""
    return user.has_perm("crm.view_interaction")


def search_kind(text: str) -> str:
    """How `ContactQuerySet.search` reads `text`: "email", "phone", "name" (a prefix), or "" when blank."""
    text = (text or "").strip()
    if not text:
        return ""
    if "@" in text:
        return "email"
    if text.lstrip("+").replace(" ", "").replace(".", "").isdigit():
        return "phone"
    return "name"


# Apps that keep some contacts out of every list, search, export and API register a condition here (the
# retention app's intermediate archive); `restrict` excludes the contacts matching any of them.
_hidden_conditions: list[Callable[[], models.Q]] = []


def register_hidden(condition: Callable[[], models.Q]) -> Callable[[], models.Q]:
    if condition not in _hidden_conditions:
        _hidden_conditions.append(condition)
    return condition


class ContactQuerySet(models.QuerySet):
    def live(self) -> ContactQuerySet:
        return self.filter(deleted_at__isnull=True)

    def visible(self) -> ContactQuerySet:
        """Live contacts that no app hides (the intermediate archive): what jobs and engines may consider."""
        queryset = self.live()
        for condition in _hidden_conditions:
            queryset = queryset.exclude(condition())
        return queryset

    def restrict(self, user: Any, action: str = "view") -> ContactQuerySet:
        """The contacts `user` may `action` (view, change, delete): every view and endpoint starts here.

        - the model permission decides first;
        - soft-deleted contacts are out (the trash has its own query);
        - without `crm.view_all_contacts` (Sales) only the contacts the user owns;
        - restricted contacts (Art. 18) only for roles with `crm.view_restricted_contact`,
          and never for a change (`restrict`, placing or lifting the restriction, is no change).
        """
        queryset = self._reachable(user, action).visible()
        if action not in ("view", "restrict") or user is None or not user.has_perm("crm.view_restricted_contact"):
            queryset = queryset.filter(restricted=False)
        return queryset

    def hidden_by_restriction(self, user: Any) -> ContactQuerySet:
        """Live contacts `user` could see but for their restriction (Art. 18): none for roles that see them."""
        if user is None or user.has_perm("crm.view_restricted_contact"):
            return self.none()
        return self._reachable(user, "view").live().filter(restricted=True)

    def trash(self, user: Any) -> ContactQuerySet:
        """Soft-deleted contacts `user` may restore: the rules of `restrict(user, "delete")`, applied to the trash."""
        # A merged-away record is not in the trash: it comes back by undoing the merge.
        return self._reachable(user, "delete").filter(deleted_at__isnull=False, restricted=False, merged_into=None)

    def _reachable(self, user: Any, action: str) -> ContactQuerySet:
        """The model permission, then ownership (Sales): what `restrict` and `trash` share."""
        if user is None or not user.is_authenticated or not user.has_perm(f"crm.{action}_contact"):
            return self.none()
        if can_see_all_contacts(user):
            return self
        return self.filter(owner_id=user.pk) if user.pk is not None else self.none()

    def art14_pending(self) -> ContactQuerySet:
        """Contacts from an indirect source still owed their Art. 14 notice (CON-12).

        Soft-deleted contacts are out, and so are restricted ones (Art. 18: their data are only stored).
        """
        from .models import INDIRECT_SOURCES

        return self.live().filter(source__in=INDIRECT_SOURCES, art14_notice_sent_at__isnull=True, restricted=False)

    def art14_overdue(self, today: date | None = None) -> ContactQuerySet:
        """Pending contacts whose notice was due before `today` (the organisation's local date)."""
        cutoff = art14_overdue_cutoff(today or local_today())
        collected_before = models.Q(collected_at__lt=cutoff) | models.Q(
            collected_at__isnull=True, created_at__lt=cutoff
        )
        return self.art14_pending().filter(collected_before)

    def with_rows(self, *relations: str) -> ContactQuerySet:
        """Prefetch `relations` (points, tags, external_ids) into plain lists, read by `Contact.related_rows`.

        For pages of many contacts: Django's own prefetch builds a filtered queryset per contact and
        relation (150 of them for a page of 50 with three relations), which costs more than the queries.
        """
        return self.prefetch_related(*(models.Prefetch(name, to_attr=f"{name}_rows") for name in relations))

    def search(self, text: str) -> ContactQuerySet:
        """Exact email or phone through the blind index, else a name prefix (accents and case ignored)."""
        from .models import search_key

        text = (text or "").strip()
        kind = search_kind(text)
        if not kind:
            return self
        if kind == "email":
            return self.with_email(text)
        if kind == "phone":
            return self.with_phone(text)
        key = search_key(text)
        return self.filter(models.Q(last_name_key__startswith=key) | models.Q(first_name_key__startswith=key))

    def with_email(self, email: str) -> ContactQuerySet:
        try:
            index = blind_index(normalise_email(email))
        except ValidationError:  # an invalid address simply matches nobody
            return self.none()
        return self.filter(points__kind="email", points__value_index=index)

    def with_phone(self, phone: str) -> ContactQuerySet:
        try:
            index = blind_index(normalise_phone(phone))
        except ValidationError:
            return self.none()
        return self.filter(points__kind="phone", points__value_index=index)


class OrganisationQuerySet(models.QuerySet):
    def search(self, text: str) -> OrganisationQuerySet:
        """Organisations whose name starts with `text`, accents and case ignored (all of them for a blank text)."""
        from .models import search_key

        key = search_key(text)
        return self.filter(name_key__startswith=key) if key else self
