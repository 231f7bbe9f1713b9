from __future__ import annotations

from typing import Any

from django.db import models


class ContactQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> ContactQuerySet:
        """Only the contacts `user` may `action` (view, change, delete).

        Roles refine this in the contacts issue (Sales owns its contacts); for now
        the model permission decides.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if not user.has_perm(f"crm.{action}_contact"):
            return self.none()
        return self

    def search(self, text: str) -> ContactQuerySet:
        text = text.strip()
        if not text:
            return self
        if "@" in text:
            return self.filter(email__iexact=text)
        return self.filter(models.Q(last_name__istartswith=text) | models.Q(first_name__istartswith=text))
