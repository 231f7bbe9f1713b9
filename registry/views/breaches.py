from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import audit_event_record
from core.decorators import staff_permission_required

from .. import selectors, services
from ..breach_exports import breach_register_csv
from ..forms import BreachForm, ContactLinkForm, NotificationForm
from ..models import Breach
from ..services.breaches import closure_errors
from ..tasks import inform_breach_contacts
from .common import AREA, add_service_errors

VIEW = (AREA, "registry.view_breach")
CHANGE = (AREA, "registry.change_breach")


@staff_permission_required(*VIEW)
@require_GET
def breach_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [(breach, selectors.time_left_text(breach, now), breach.is_late(now)) for breach in Breach.objects.all()]
    return render(request, "registry/breach_list.html", {"rows": rows})


def _breach_detail_context(request: HttpRequest, breach: Breach, **forms: object) -> dict[str, object]:
    now = timezone.now()
    return {
        "breach": breach,
        "time_left": selectors.time_left_text(breach, now),
        "late": breach.is_late(now),
        "deadline": breach.notification_deadline,
        "notifications": breach.notifications.all(),
        "affected": breach.affected.select_related("contact").order_by("pk")[:200],
        "affected_count": breach.affected.count(),
        "informed_count": breach.affected.filter(informed_at__isnull=False).count(),
        "closure_errors": closure_errors(breach),
        "notification_form": forms.get("notification_form") or NotificationForm(initial={"sent_at": now}),
        "link_form": forms.get("link_form") or ContactLinkForm(),
        "can_change": request.user.has_perm("registry.change_breach"),
    }


@staff_permission_required(*VIEW)
@require_GET
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    return render(request, "registry/breach_detail.html", _breach_detail_context(request, breach))


def _breach_form(request: HttpRequest, breach: Breach | None) -> HttpResponse:
    form = BreachForm(request.POST or None, instance=breach)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in BreachForm.Meta.fields}
        try:
            saved = services.breach_update(breach=breach, data=data) if breach else services.breach_record(data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Breach saved."))
            return redirect("registry:breach_detail", pk=saved.pk)
    context = {"form": form, "breach": breach}
    return render(request, "registry/breach_form.html", context, status=400 if form.errors else 200)


@staff_permission_required(AREA, "registry.add_breach")
@require_http_methods(["GET", "POST"])
def breach_create(request: HttpRequest) -> HttpResponse:
    return _breach_form(request, None)


@staff_permission_required(*CHANGE)
@require_http_methods(["GET", "POST"])
def breach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _breach_form(request, get_object_or_404(Breach, pk=pk))


@staff_permission_required(*CHANGE, "registry.add_breachnotification")
@require_POST
def breach_notify(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    form = NotificationForm(request.POST)
    if form.is_valid():
        try:
            services.breach_notification_record(breach=breach, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notification to the authority recorded."))
            return redirect("registry:breach_detail", pk=pk)
    context = _breach_detail_context(request, breach, notification_form=form)
    return render(request, "registry/breach_detail.html", context, status=400)


@staff_permission_required(*CHANGE)
@require_POST
def breach_link_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    form = ContactLinkForm(request.POST)
    if not form.is_valid():
        context = _breach_detail_context(request, breach, link_form=form)
        return render(request, "registry/breach_detail.html", context, status=400)
    added = services.breach_contacts_link(breach=breach, contact_ids=form.cleaned_data["contact_ids"])
    messages.success(request, ngettext("%(n)d contact linked.", "%(n)d contacts linked.", added) % {"n": added})
    return redirect("registry:breach_detail", pk=pk)


@staff_permission_required(*CHANGE)
@require_POST
def breach_inform(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the e-mail to every linked contact not yet told (Art. 34), sent through the outbox by a worker."""
    breach = get_object_or_404(Breach, pk=pk)
    transaction.on_commit(lambda: inform_breach_contacts.delay(breach.pk))
    messages.success(request, _("The people concerned are being told; the outbox shows each message."))
    return redirect("registry:breach_detail", pk=pk)


@staff_permission_required(*CHANGE)
@require_POST
def breach_close(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    try:
        services.breach_close(breach=breach)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Breach closed."))
    return redirect("registry:breach_detail", pk=pk)


@staff_permission_required(*VIEW)
@require_GET
def breach_export(request: HttpRequest) -> HttpResponse:
    """The whole breach register as CSV: every Art. 33(3) and 33(5) item (SEC-09)."""
    audit_event_record(action="breach.register_exported", data={"format": "csv"})
    response = HttpResponse(breach_register_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="breaches-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response
