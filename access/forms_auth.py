"""The staff sign-in form: Django's, saying so when the name or the address is locked (access.login_guard)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.client import client_address

from .login_guard import account_locked_until, address_blocked


class StaffAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        # The same answer whether or not an account has this name: the lock reveals nothing.
        if username and (account_locked_until(username) or address_blocked(client_address(self.request))):
            raise ValidationError(
                _(
                    "Too many failed sign-ins: signing in is locked for %(minutes)d minutes. "
                    "An administrator can unlock your account sooner."
                ),
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        return super().clean()
