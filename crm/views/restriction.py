"""Art. 18 restriction of a contact, and the Art. 19 tasks of telling recipients (CON-05, CON-09, CON-10)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.decorators import staff_permission_required

from ..forms import RecipientNotificationCloseForm, RestrictionLiftForm, RestrictionNoticeForm, RestrictionPlaceForm
from ..keyset import KeysetOrder, keyset_page
from ..models import Contact, NotificationStatus, RecipientNotification
from ..services.recipients import recipient_notification_close
from ..services.restriction import contact_restriction_lift, contact_restriction_place, restriction_lift_notify

TASK_ORDER = KeysetOrder("-created", ("created_at", "id"), descending=True)
RESTRICTION_FORMS = {"place": RestrictionPlaceForm, "notify": RestrictionNoticeForm, "lift": RestrictionLiftForm}


@staff_permission_required("access.access_contacts", "crm.restrict_contact")
def contact_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """Place a restriction, tell the person it will be lifted, lift it: one page, one form per step."""
    contact = get_object_or_404(Contact.objects.restrict(request.user, "restrict").prefetch_related("points"), pk=pk)
    step = request.POST.get("step", "")
    forms = {name: form_class(prefix=name) for name, form_class in RESTRICTION_FORMS.items()}
    if request.method == "POST" and step in RESTRICTION_FORMS:
        form = forms[step] = RESTRICTION_FORMS[step](request.POST, prefix=step)
        if form.is_valid():
            try:
                _apply(step, contact, form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _STEP_MESSAGES[step] % {"name": contact})
                return redirect("crm:contact_detail", pk=contact.pk)
    context = {
        "contact": contact,
        "forms": forms,
        "can_lift": contact.restricted and contact.restriction_lift_notified_at is not None,
        "has_email": bool(contact.primary_email),
    }
    return render(request, "crm/contact_restriction.html", context)


_STEP_MESSAGES = {
    "place": gettext_lazy("Processing of the data of %(name)s is now restricted."),
    "notify": gettext_lazy("Recorded: %(name)s was told that the restriction will be lifted."),
    "lift": gettext_lazy("The restriction on the data of %(name)s is lifted."),
}


def _apply(step: str, contact: Contact, data: dict[str, Any]) -> None:
    if step == "place":
        contact_restriction_place(contact=contact, reason=data["reason"])
    elif step == "notify":
        restriction_lift_notify(contact=contact, channel=data["channel"], note=data["note"])
    else:
        contact_restriction_lift(contact=contact, reason=data["reason"])


@staff_permission_required("access.access_contacts", "crm.view_recipientnotification")
def recipient_notification_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", NotificationStatus.OPEN)
    if status not in (*NotificationStatus.values, "all"):
        status = NotificationStatus.OPEN
    # The contact's name only: loading the whole row would decrypt its notes for nothing.
    tasks = RecipientNotification.objects.select_related("contact").defer("contact__notes")
    if status != "all":
        tasks = tasks.filter(status=status)
    page = keyset_page(tasks, TASK_ORDER, cursor=request.GET.get("cursor", ""))
    context = {
        "page": page,
        "status": status,
        "statuses": [*NotificationStatus.choices, ("all", _("All"))],
    }
    return render(request, "crm/recipient_notification_list.html", context)


@staff_permission_required("access.access_contacts", "crm.view_recipientnotification")
def recipient_notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(RecipientNotification, pk=pk)
    can_close = task.is_open and request.user.has_perm("crm.change_recipientnotification")
    form = RecipientNotificationCloseForm(request.POST or None) if can_close else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            recipient_notification_close(notification=task, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The task is closed."))
            return redirect("crm:recipient_notification_list")
    contact = Contact.objects.restrict(request.user, "view").filter(pk=task.contact_id).first()
    deliveries = (
        task.deliveries.order_by("attempted_at", "id") if request.user.has_perm("crm.view_webhookdelivery") else []
    )
    context = {"task": task, "form": form, "contact": contact, "deliveries": deliveries}
    return render(request, "crm/recipient_notification_detail.html", context)
