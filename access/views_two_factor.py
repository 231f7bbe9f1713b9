"""Staff two-factor pages: enrolment (QR code, then recovery codes shown once) and the code at sign-in."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms_two_factor import TokenForm
from .two_factor import (
    authenticator_for_enrolment,
    has_confirmed_device,
    is_verified,
    safe_next,
    two_factor_enrol,
    two_factor_required,
    two_factor_verify,
)


def _qr_svg(url: str) -> str:
    # Inline SVG made of paths, no style attribute and no script: the CSP allows it as it is.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


@never_cache  # the page holds the authenticator's secret, then the recovery codes
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator. A verified user may replace theirs; one who owes a code must give it first."""
    if has_confirmed_device(request.user) and not is_verified(request.user):
        return redirect("two_factor:verify")
    device = authenticator_for_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor_enrol(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            return render(request, "access/two_factor_codes.html", {"codes": codes, "next": safe_next(request)})
        form.add_error("token", _("This code is not the one your authenticator shows now. Try the next one."))
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(device),
        "required": two_factor_required(request.user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "access/two_factor_setup.html", context)


def _grouped(device: object) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if not has_confirmed_device(request.user):
        return redirect("two_factor:setup")
    if is_verified(request.user):
        return redirect(safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(safe_next(request))
        form.add_error("token", _("This code is not valid. Wait for the next one, or use a recovery code."))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "access/two_factor_verify.html", {"form": form, "next": next_url})
