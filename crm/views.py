from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.decorators import staff_permission_required

from . import selectors, services
from .forms import ContactForm
from .models import Contact


@staff_permission_required("core.access_contacts", "crm.view_contact")
def contact_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    contacts = selectors.contact_list(user=request.user, search=query)
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "query_string": urlencode({"q": query}) if query else ""}
    # The search box asks htmx for the results table only.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "crm/partials/contact_results.html" if partial else "crm/contact_list.html"
    return render(request, template, context)


@staff_permission_required("core.access_contacts", "crm.view_contact")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "view"), pk=pk)
    history = selectors.contact_history_entries(contact=contact, limit=50)
    return render(request, "crm/contact_detail.html", {"contact": contact, "history": history})


def _can_see_notes(user: object) -> bool:
    return user.has_perm("crm.view_interaction")  # notes are free text, as sensitive as interactions


@staff_permission_required("core.access_contacts", "crm.add_contact")
def contact_create(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None, can_see_notes=_can_see_notes(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(**form.service_arguments(), owner=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Contact created."))
            return redirect("crm:contact_detail", pk=contact.pk)
    return render(request, "crm/contact_form.html", {"form": form})


@staff_permission_required("core.access_contacts", "crm.change_contact")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "change"), pk=pk)
    form = ContactForm(request.POST or None, instance=contact, can_see_notes=_can_see_notes(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("crm:contact_detail", pk=contact.pk)
    return render(request, "crm/contact_form.html", {"form": form, "contact": contact})
