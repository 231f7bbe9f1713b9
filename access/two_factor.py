"""Two-factor staff sign-in with TOTP (django-otp) and single-use recovery codes (SEC-02).

Who must use it follows from permissions, not role names (`access.roles.TWO_FACTOR_PERMISSIONS`): whoever may
manage API keys, unlock accounts, export in bulk or act on archives and purges, and every superuser. Others
may enrol (it is offered to all); once they have a confirmed device, they are asked for it at each sign-in.

`TwoFactorMiddleware` holds a signed-in user who has not given a second factor in this session:
- with a confirmed device: to the verification page;
- without one, when two-factor is required: to the enrolment page;
- a request to the REST API made with the session: 403 (a request with an API key is not concerned).
Only the pages that need no staff rights stay open: sign-out, the two-factor pages, the language switch,
the public pages for people, health, and the API's documentation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.actors import Actor
from core.audit import audit_event_record

from .roles import TWO_FACTOR_PERMISSIONS

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"
# URL names a user who still owes a second factor may reach.
OPEN_URL_NAMES = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "schema",
    "api-docs",
    "privacy_notice",
    "consent_preferences",
    "consent_confirm",
    "consent_unsubscribe",
    "dsar_request",
    "dsar_verify",
    "dsar_report_download",
    "retention_renew",
    "two_factor:verify",
    "two_factor:setup",
}


def two_factor_required(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_key", None) is not None:
        return False
    return user.is_superuser or any(user.has_perm(perm) for perm in TWO_FACTOR_PERMISSIONS)


def has_confirmed_device(user: Any) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def authenticator_for_enrolment(user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use; its secret shows until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def two_factor_enrol(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a code it generated, replace the recovery codes, verify the session.

    Returns the new recovery codes (shown once), or None when the code is wrong.
    """
    if not device.verify_token(token.strip()):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    codes = recovery_codes_replace(user=user)
    otp_login(request, device)
    audit_event_record(action="auth.two_factor_enrolled", obj=user, actor=Actor.for_user(user))
    return codes


def recovery_codes_replace(*, user: Any) -> list[str]:
    """New single-use recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the authenticator or a recovery code (used up); mark the session verified."""
    user = request.user
    token = token.strip().replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            used = "recovery_code" if isinstance(verified, StaticDevice) else "authenticator"
            audit_event_record(action="auth.two_factor_verified", obj=user, data={"with": used})
            return True
    audit_event_record(action="auth.two_factor_failed", obj=user)
    return False


@transaction.atomic
def two_factor_reset(*, user: Any) -> int:
    """Remove every device of `user` (a lost phone); they enrol again at their next sign-in."""
    count = sum(
        model.objects.filter(user=user).delete()[1].get(model._meta.label, 0) for model in (TOTPDevice, StaticDevice)
    )
    audit_event_record(action="auth.two_factor_reset", obj=user, data={"devices": count})
    return count


def safe_next(request: HttpRequest) -> str:
    """The `next` path of the request when it stays on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else reverse("home")


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: sends a user who owes a second factor to the page that takes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_URL_NAMES:
            return None
        if has_confirmed_device(user):
            target = "two_factor:verify"
        elif settings.TWO_FACTOR_ENFORCED and two_factor_required(user):
            target = "two_factor:setup"
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Give your second factor in the staff pages first.")}, status=403)
        if request.method != "GET":
            return redirect(target)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
