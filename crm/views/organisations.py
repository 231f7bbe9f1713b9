from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.decorators import staff_permission_required
from core.text import is_id_text

from .. import selectors
from ..forms import OrganisationForm
from ..models import Organisation, search_key
from ..services.organisations import organisation_create, organisation_update
from .common import is_partial, query_without

OPTIONS_LIMIT = 20


@staff_permission_required("access.access_contacts", "crm.view_organisation")
def organisation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = selectors.organisation_list_page(search=query, cursor=request.GET.get("cursor", ""))
    context = {"page": page, "q": query, "list_query": query_without(request.GET, "cursor")}
    template = "crm/partials/organisation_results.html" if is_partial(request) else "crm/organisation_list.html"
    return render(request, template, context)


@staff_permission_required("access.access_contacts", "crm.view_organisation")
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    contacts, _filters = selectors.contact_list_page(
        user=request.user, filters={"organisation": str(organisation.pk)}, cursor=request.GET.get("cursor", "")
    )
    context = {"organisation": organisation, "page": contacts, "list_query": query_without(request.GET, "cursor")}
    return render(request, "crm/organisation_detail.html", context)


def _save(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                organisation = organisation_create(**form.cleaned_data)
            else:
                organisation = organisation_update(organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("crm:organisation_detail", pk=organisation.pk)
    return render(request, "crm/organisation_form.html", {"form": form, "organisation": organisation})


@staff_permission_required("access.access_contacts", "crm.add_organisation")
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@staff_permission_required("access.access_contacts", "crm.change_organisation")
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, get_object_or_404(Organisation, pk=pk))


@staff_permission_required("access.access_contacts", "crm.view_organisation")
def organisation_options(request: HttpRequest) -> HttpResponse:
    """<option>s for an organisation select: the chosen one, then names starting with `organisation_q`."""
    key = search_key(request.GET.get("organisation_q", ""))
    chosen = request.GET.get("organisation", "")
    current = Organisation.objects.filter(pk=chosen).first() if is_id_text(chosen) else None
    matches = Organisation.objects.search(key) if key else Organisation.objects.none()
    if current is not None:
        matches = matches.exclude(pk=current.pk)
    context = {
        "current": current,
        "matches": matches.order_by("name_key", "id")[:OPTIONS_LIMIT],
        "empty_label": _("Any organisation") if request.GET.get("context") == "filter" else "—",
    }
    return render(request, "crm/partials/organisation_options.html", context)
