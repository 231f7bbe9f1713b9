"""The staff "Consents" area and the consent panel of the contact page."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required
from crm.models import Contact

from .. import services
from ..audience import COLUMNS, audience_build, audience_export
from ..forms import AudienceForm, PurposeForm, RecordConsentForm, WordingEditForm, WordingForm
from ..models import Action, ConsentWording, Method, Purpose, Suppression
from ..selectors import (
    contact_events,
    contact_states,
    contact_suppressed,
    contacts_needing_refresh,
    monthly_rates,
    purposes_with_counts,
)

AREA = "access.access_consents"


@staff_permission_required(AREA, "consent.view_purpose")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consent/purpose_list.html",
        {"purposes": purposes_with_counts().order_by("name"), "suppressed": Suppression.objects.count()},
    )


def _purpose_form_page(request: HttpRequest, purpose: Purpose | None) -> HttpResponse:
    form = PurposeForm(request.POST or None, instance=purpose)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.purpose_save(data=data, purpose=purpose)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Purpose “%(name)s” saved.") % {"name": saved})
            return redirect("consent:purpose_detail", pk=saved.pk)
    title = _("Edit purpose") if purpose else _("New purpose")
    return render(request, "consent/simple_form.html", {"form": form, "title": title, "form_id": "purpose-form"})


@staff_permission_required(AREA, "consent.add_purpose")
def purpose_create(request: HttpRequest) -> HttpResponse:
    return _purpose_form_page(request, None)


@staff_permission_required(AREA, "consent.change_purpose")
def purpose_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _purpose_form_page(request, get_object_or_404(Purpose, pk=pk))


@staff_permission_required(AREA, "consent.view_purpose")
def purpose_detail(request: HttpRequest, pk: int) -> HttpResponse:
    purpose = get_object_or_404(Purpose.objects.select_related("activity"), pk=pk)
    rates = monthly_rates(purpose=purpose)
    chart = {
        "type": "bar",
        "labels": [row["month"] for row in rates],
        "datasets": [
            {"label": _("Consents given"), "values": [row["given"] for row in rates]},
            {"label": _("Withdrawals and objections"), "values": [row["withdrawn"] for row in rates]},
        ],
    }
    return render(
        request,
        "consent/purpose_detail.html",
        {
            "purpose": purpose,
            "wordings": purpose.wordings.order_by("language", "-version"),
            "chart": chart,
            "rates": rates,
            "wording_form": WordingForm(),
            "needing_refresh": contacts_needing_refresh(purpose=purpose),
        },
    )


@require_POST
@staff_permission_required(AREA, "consent.change_purpose")
def material_change(request: HttpRequest, pk: int) -> HttpResponse:
    """CNS-06: the DPO flags a material change of the purpose's activity; older consents must be renewed."""
    purpose = get_object_or_404(Purpose.objects.select_related("activity"), pk=pk)
    count = services.material_change_flag(activity=purpose.activity, note=request.POST.get("note", "")[:200])
    messages.success(
        request,
        _("%(count)d purpose(s) of “%(activity)s” flagged: consents given before now must be renewed.")
        % {"count": count, "activity": purpose.activity},
    )
    return redirect("consent:purpose_detail", pk=purpose.pk)


@staff_permission_required(AREA, "consent.add_consentwording")
def wording_create(request: HttpRequest, pk: int) -> HttpResponse:
    purpose = get_object_or_404(Purpose, pk=pk)
    form = WordingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            wording = services.wording_publish(purpose=purpose, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Version %(version)s published.") % {"version": wording.version})
            return redirect("consent:purpose_detail", pk=purpose.pk)
    return render(
        request,
        "consent/simple_form.html",
        {"form": form, "title": _("New wording version"), "form_id": "wording-form"},
    )


@staff_permission_required(AREA, "consent.change_consentwording")
def wording_edit(request: HttpRequest, pk: int) -> HttpResponse:
    wording = get_object_or_404(ConsentWording, pk=pk)
    form = WordingEditForm(request.POST or None, initial={"text": wording.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.wording_update(wording=wording, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Wording corrected."))
            return redirect("consent:purpose_detail", pk=wording.purpose_id)
    title = _("Edit version %(version)s (%(language)s)") % {"version": wording.version, "language": wording.language}
    return render(request, "consent/simple_form.html", {"form": form, "title": title, "form_id": "wording-edit-form"})


# ----------------------------------------------------------------- contact


def _contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.restrict(request.user, "view"), pk=pk)


@staff_permission_required("consent.view_consentevent")
def contact_panel(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    return render(
        request,
        "consent/contact_panel.html",
        {
            "contact": contact,
            "states": contact_states(contact=contact),
            "events": contact_events(contact=contact),
            "suppressed": contact_suppressed(contact=contact),
            "can_record": request.user.has_perm("consent.add_consentevent") and not contact.restricted,
        },
    )


def _record(contact: Contact, data: dict[str, Any], user: Any) -> None:
    proof = services.Proof(staff_user=user, note=data.get("note", ""), attachment=data.get("attachment"))
    if data["action"] == Action.WITHDRAWN:
        services.consent_event_record(
            contact=contact,
            purpose=data["purpose"],
            channel=data["channel"],
            action=Action.WITHDRAWN,
            method=data["method"],
            proof=proof,
            occurred_at=data.get("occurred_at"),
        )
        return
    services.consent_give(
        contact=contact,
        purpose=data["purpose"],
        channel=data["channel"],
        method=data["method"],
        wording=data["wording"],
        proof=proof,
        occurred_at=data.get("occurred_at"),
    )


@staff_permission_required("consent.add_consentevent")
def contact_record(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    form = RecordConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("occurred_at") and form.cleaned_data["occurred_at"] > timezone.now():
            form.add_error("occurred_at", _("This date is in the future."))
        else:
            try:
                _record(contact, form.cleaned_data, request.user)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Recorded for %(name)s.") % {"name": contact})
                return redirect("crm:contact_detail", pk=contact.pk)
    return render(
        request,
        "consent/record_form.html",
        {"form": form, "contact": contact, "title": _("Record a consent or a withdrawal")},
    )


@require_POST
@staff_permission_required("consent.add_consentevent")
def contact_object(request: HttpRequest, pk: int) -> HttpResponse:
    """The person objects to direct marketing (said on the phone, by letter...): absolute, no assessment."""
    contact = _contact(request, pk)
    services.objection_record(contact=contact, method=Method.STAFF, proof=services.Proof(staff_user=request.user))
    messages.success(request, _("Objection recorded: %(name)s gets no more marketing.") % {"name": contact})
    return redirect("crm:contact_detail", pk=contact.pk)


def _event_proof(event: Any) -> dict[str, Any]:
    return {
        "id": event.pk,
        "purpose": event.purpose.key,
        "channel": event.channel,
        "action": event.action,
        "occurred_at": event.occurred_at,
        "method": event.method,
        "wording": {"version": event.wording.version, "language": event.wording.language, "text": event.wording.text}
        if event.wording
        else None,
        "form_id": event.form_id,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "staff_user": event.staff_user.get_username() if event.staff_user else None,
        "api_key": str(event.api_key) if event.api_key else None,
        "import_file": event.import_file,
        "outbox_message": event.outbox_message_ref,
        "attachment": event.attachment.name if event.attachment else None,
        "note": event.note,
        "recorded_by": f"{event.recorded_by_kind}:{event.recorded_by}",
        "recorded_at": event.recorded_at,
    }


@staff_permission_required("consent.view_consentevent")
def contact_proof(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One contact's consent proof, as JSON or as a printable page."""
    contact = _contact(request, pk)
    events = list(contact_events(contact=contact).order_by("occurred_at", "id"))
    if fmt == "json":
        body = {
            "contact": contact.pk,
            "generated_at": timezone.now(),
            "events": [_event_proof(event) for event in events],
        }
        response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="consent-proof-{contact.pk}.json"'
        return response
    if fmt != "html":
        raise Http404
    return render(
        request, "consent/contact_proof.html", {"contact": contact, "events": events, "generated_at": timezone.now()}
    )


@staff_permission_required(AREA, "consent.export_audience")
def audience(request: HttpRequest) -> HttpResponse:
    form = AudienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("download") == "csv":
            result = audience_export(
                purpose=data["purpose"], channel=data["channel"], tag=data["tag"], recipient=data["recipient"]
            )
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="audience-{result.purpose.key}-{result.channel}.csv"'
            )
            writer = csv.writer(response)
            writer.writerow(COLUMNS)
            writer.writerows(result.rows)
            return response
        result = audience_build(purpose=data["purpose"], channel=data["channel"], tag=data["tag"])
        return render(request, "consent/audience.html", {"form": form, "result": result})
    return render(request, "consent/audience.html", {"form": form, "result": None})
