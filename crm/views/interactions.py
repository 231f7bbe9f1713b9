"""The interactions timeline of the contact page: shown, added and edited in place with htmx.

Every URL here needs an interaction permission (Marketing has none: 403), and
adding or editing needs a contact the user may change (a restricted one is read-only).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import reswap, retarget

from core.decorators import staff_permission_required

from .. import selectors, services
from ..forms import InteractionForm
from ..models import Contact, Interaction
from .common import is_partial

PANEL = "crm/partials/interaction_panel.html"


def _new_form(data: Any = None) -> InteractionForm:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return InteractionForm(data, initial={"occurred_at": now})


def interaction_panel_context(request: HttpRequest, contact: Contact, form: InteractionForm | None = None) -> dict:
    can_add = request.user.has_perm("crm.add_interaction") and not contact.restricted
    return {
        "contact": contact,
        "interactions": selectors.contact_interactions(contact=contact),
        "interaction_form": (form or _new_form()) if can_add else None,
        "can_edit_interactions": request.user.has_perm("crm.change_interaction") and not contact.restricted,
    }


def _panel(request: HttpRequest, contact: Contact, form: InteractionForm | None = None) -> HttpResponse:
    """The refreshed panel (htmx), or back to the contact page (a plain form post)."""
    if not is_partial(request):
        return redirect(reverse("crm:contact_detail", args=[contact.pk]) + "#interactions")
    contact.refresh_from_db(fields=["last_interaction_at"])
    response = render(request, PANEL, interaction_panel_context(request, contact, form))
    # An edit form targets its own item; the saved result replaces the whole panel.
    return reswap(retarget(response, "#interactions"), "outerHTML")


@staff_permission_required("access.access_contacts", "crm.view_interaction")
def interaction_panel(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "view"), pk=pk)
    return _panel(request, contact)


@staff_permission_required("access.access_contacts", "crm.view_interaction", "crm.add_interaction")
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "change"), pk=pk)
    form = _new_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_create(contact=contact, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _panel(request, contact)
    if is_partial(request):
        return render(request, PANEL, interaction_panel_context(request, contact, form))
    return render(request, "crm/interaction_form.html", {"contact": contact, "form": form})


@staff_permission_required("access.access_contacts", "crm.view_interaction", "crm.change_interaction")
def interaction_edit(request: HttpRequest, pk: int, interaction_pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.restrict(request.user, "change"), pk=pk)
    interaction = get_object_or_404(Interaction.objects.filter(contact=contact), pk=interaction_pk)
    form = InteractionForm(request.POST or None, instance=interaction)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(interaction=interaction, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _panel(request, contact)
    context = {"contact": contact, "interaction": interaction, "form": form}
    if is_partial(request):
        return render(request, "crm/partials/interaction_edit.html", context)
    return render(request, "crm/interaction_form.html", context)
