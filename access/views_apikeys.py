"""Staff pages where administrators create, list and revoke API keys."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required

from .apikeys import SCOPES, api_key_create, api_key_revoke
from .forms_apikeys import ApiKeyCreateForm, ApiKeyRevokeForm
from .models import ApiKey


@staff_permission_required("access.view_apikey")
def apikey_list(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.select_related("created_by")
    now = timezone.now()
    rows = [(key, key.status_at(now)) for key in keys]
    return render(request, "access/apikey_list.html", {"rows": rows, "scopes": SCOPES})


@never_cache  # the answer to a successful POST holds the plaintext key
@staff_permission_required("access.add_apikey")
def apikey_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, plaintext = api_key_create(**form.service_arguments(), created_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Rendered, not redirected: the plaintext must not travel through the session or a URL.
            return render(request, "access/apikey_form.html", {"created": key, "plaintext": plaintext})
    return render(request, "access/apikey_form.html", {"form": form})


@require_POST
@staff_permission_required("access.revoke_apikey")
def apikey_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    form = ApiKeyRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the key %(key)s is revoked.") % {"key": key})
    elif key.revoked_at is not None:
        messages.info(request, _("The key %(key)s was already revoked.") % {"key": key})
    else:
        api_key_revoke(api_key=key, reason=form.cleaned_data["reason"])
        messages.success(request, _("The key %(key)s is revoked; it no longer opens the API.") % {"key": key})
    return redirect("apikeys:list")
