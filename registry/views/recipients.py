from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.decorators import staff_permission_required

from .. import selectors, services
from ..forms import ProfileForm, RecipientForm
from ..models import Recipient
from .common import AREA, add_service_errors


@staff_permission_required(AREA, "registry.view_recipient")
@require_GET
def recipient_list(request: HttpRequest) -> HttpResponse:
    recipients = Recipient.objects.prefetch_related("activities").order_by("name")
    return render(request, "registry/recipient_list.html", {"recipients": recipients})


def _recipient_form(request: HttpRequest, recipient: Recipient | None) -> HttpResponse:
    form = RecipientForm(request.POST or None, instance=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_save(data=form.cleaned_data, recipient=recipient)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recipient saved."))
            return redirect("registry:recipient_list")
    context = {
        "form": form,
        "title": recipient.name if recipient else _("New recipient"),
        "parent_url": reverse("registry:recipient_list"),
        "parent_label": _("Recipients"),
        "cancel_url": reverse("registry:recipient_list"),
        "form_id": "recipient-form",
        "intro": _("A processor needs its Art. 28 contract; a recipient outside the EEA needs its transfer safeguard."),
    }
    return render(request, "registry/simple_form.html", context, status=400 if form.errors else 200)


@staff_permission_required(AREA, "registry.add_recipient")
@require_http_methods(["GET", "POST"])
def recipient_create(request: HttpRequest) -> HttpResponse:
    return _recipient_form(request, None)


@staff_permission_required(AREA, "registry.change_recipient")
@require_http_methods(["GET", "POST"])
def recipient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _recipient_form(request, get_object_or_404(Recipient, pk=pk))


@staff_permission_required(AREA, "registry.change_organisationprofile")
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """The register's header: controller, joint controllers, representative, DPO, authority, review period."""
    form = ProfileForm(request.POST or None, instance=selectors.organisation_profile())
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_profile_save(data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Organisation details saved."))
            return redirect("registry:index")
    context = {
        "form": form,
        "title": _("The organisation's details"),
        "cancel_url": reverse("registry:index"),
        "form_id": "profile-form",
        "intro": _("The register's first page (Art. 30(1)(a)) and the privacy notice show them."),
    }
    return render(request, "registry/simple_form.html", context, status=400 if form.errors else 200)
