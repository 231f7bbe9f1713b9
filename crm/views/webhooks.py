"""Staff pages of the recipients' webhooks (Art. 19 notices by machine) and their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required

from ..forms import RecipientEndpointForm
from ..models import RecipientEndpoint
from ..services.webhooks import recipient_endpoint_delete, recipient_endpoint_save

DELIVERIES_SHOWN = 50


@staff_permission_required("access.access_contacts", "crm.view_recipientendpoint")
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = RecipientEndpoint.objects.order_by("recipient")
    return render(request, "crm/recipient_endpoint_list.html", {"endpoints": endpoints})


def _initial(endpoint: RecipientEndpoint) -> dict[str, object]:
    return {
        "recipient": endpoint.recipient,
        "url": endpoint.url,
        "reference_system": endpoint.reference_system,
        "active": endpoint.active,
    }


def _form_page(request: HttpRequest, endpoint: RecipientEndpoint | None) -> HttpResponse:
    form = RecipientEndpointForm(request.POST or None, initial=_initial(endpoint) if endpoint else {"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = recipient_endpoint_save(data=form.cleaned_data, endpoint=endpoint)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The webhook is saved."))
            return redirect("crm:recipient_endpoint_detail", endpoint.pk)
    return render(request, "crm/recipient_endpoint_form.html", {"form": form, "endpoint": endpoint})


@staff_permission_required("access.access_contacts", "crm.add_recipientendpoint")
def endpoint_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@staff_permission_required("access.access_contacts", "crm.change_recipientendpoint")
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, get_object_or_404(RecipientEndpoint, pk=pk))


@staff_permission_required("access.access_contacts", "crm.view_recipientendpoint")
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(RecipientEndpoint, pk=pk)
    deliveries = endpoint.deliveries.select_related("notification")[:DELIVERIES_SHOWN]
    return render(request, "crm/recipient_endpoint_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@require_POST
@staff_permission_required("access.access_contacts", "crm.delete_recipientendpoint")
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    recipient_endpoint_delete(endpoint=get_object_or_404(RecipientEndpoint, pk=pk))
    messages.success(request, _("The webhook is removed."))
    return redirect("crm:recipient_endpoint_list")
