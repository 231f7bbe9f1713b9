"""The public pages: preference centre, double opt-in confirmation, one-click unsubscribe (CNS-04, CNS-12).

No login: a signed link says who the person is. No cookie is set: the link is
the credential, so the forms need no CSRF cookie (the token in the URL is what
a forger would lack), there is no session and no language cookie; the language
is the browser's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.actors import Actor, acting_as
from core.client import client_address
from crm.models import Contact

from .. import services, tokens
from ..models import ConsentEvent, Method, Purpose, Status
from ..selectors import contact_suppressed, wording_current

FORM_ID = "preference-centre"


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = render(request, template, {**context, "language": language}, status=status)
    response["Content-Language"] = language
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to another site
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _proof(request: HttpRequest, form_id: str = "") -> services.Proof:
    return services.Proof(
        form_id=form_id,
        source_url=request.path[:60] + "…",  # the path without the whole token
        ip_address=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _as_subject(contact_id: int) -> Any:
    """What the person does through a signed link is attributed to them (history, audit, `recorded_by`)."""
    return acting_as(Actor.subject(f"contact #{contact_id} (signed link)"))


def _contact(salt: str, token: str) -> tuple[Contact, dict[str, Any]]:
    try:
        payload = tokens.read(salt, token)
    except tokens.BadToken as exc:
        raise Http404 from exc
    contact = Contact.objects.live().filter(pk=payload.get("c")).first()
    if contact is None:
        raise Http404
    return contact, payload


def _rows(contact: Contact, language: str) -> list[dict[str, Any]]:
    states = {(s.purpose_id, s.channel): (s.status, s.granted_at) for s in contact.consent_states.all()}
    rows = []
    for purpose in Purpose.objects.filter(active=True).order_by("name"):
        wording = wording_current(purpose=purpose, language=language)
        if wording is None:
            continue
        for channel in purpose.channels:
            status, granted_at = states.get((purpose.pk, channel), (None, None))
            if status == Status.GRANTED and _needs_refresh(purpose, granted_at):
                status = None  # CNS-06: the person is asked again, as if they had never consented
            rows.append(
                {
                    "purpose": purpose,
                    "label": purpose.label(language),
                    "channel": channel,
                    "field": f"p-{purpose.pk}-{channel}",
                    "wording": wording,
                    "on": status in (Status.GRANTED, Status.PENDING),
                    "pending": status == Status.PENDING,
                    "objected": status == Status.OBJECTED,
                }
            )
    return rows


def _needs_refresh(purpose: Purpose, granted_at: Any) -> bool:
    return bool(purpose.refresh_required_since and granted_at and granted_at < purpose.refresh_required_since)


def _apply_choices(request: HttpRequest, contact: Contact, rows: list[dict[str, Any]], blocked: bool) -> int:
    changed = 0
    for row in rows:
        wanted = request.POST.get(row["field"]) == "on"
        purpose, channel = row["purpose"], row["channel"]
        if wanted and not row["on"] and not (blocked and purpose.is_marketing):
            services.consent_give(
                contact=contact,
                purpose=purpose,
                channel=channel,
                method=Method.PREFERENCE_CENTRE,
                wording=row["wording"],
                proof=_proof(request, FORM_ID),
            )
            changed += 1
        elif not wanted and row["on"]:
            services.consent_withdraw(
                contact=contact,
                purpose=purpose,
                channels=[channel],
                method=Method.PREFERENCE_CENTRE,
                proof=_proof(request, FORM_ID),
            )
            changed += 1
    return changed


@csrf_exempt
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    contact, _payload = _contact(tokens.PREFERENCES, token)
    language = translation.get_language_from_request(request)
    blocked = contact_suppressed(contact=contact)
    rows = _rows(contact, language)
    saved = error = None
    if request.method == "POST":
        try:
            with _as_subject(contact.pk):
                _save_choices(request, contact, rows, blocked)
            saved = "objected" if request.POST.get("object") == "1" else "saved"
        except ValidationError as exc:
            error = " ".join(exc.messages)
        blocked = contact_suppressed(contact=contact)
        rows = _rows(contact, language)
    services.wordings_mark_shown({row["wording"] for row in rows})
    return _render(
        request,
        "consent/preferences.html",
        {"contact": contact, "rows": rows, "blocked": blocked, "saved": saved, "error": error},
    )


@transaction.atomic
def _save_choices(request: HttpRequest, contact: Contact, rows: list[dict[str, Any]], blocked: bool) -> None:
    """All the person's choices are saved together, or none."""
    if request.POST.get("object") == "1":
        services.objection_record(contact=contact, method=Method.PREFERENCE_CENTRE, proof=_proof(request, FORM_ID))
    else:
        _apply_choices(request, contact, rows, blocked)


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: one click confirms."""
    try:
        contact_id = _confirming_contact(token)
        with _as_subject(contact_id):
            event = services.consent_confirm(token=token, proof=_proof(request, "double-opt-in"))
    except tokens.BadToken:
        return _render(request, "consent/public_message.html", {"outcome": "expired"}, status=400)
    outcome = "confirmed" if event else "nothing"
    context = {
        "outcome": outcome,
        "purpose": event.purpose.label(translation.get_language_from_request(request)) if event else "",
    }
    if event:
        context["preferences_url"] = f"/privacy/preferences/{tokens.preferences_token(event.contact_id)}/"
    return _render(request, "consent/public_message.html", context)


def _confirming_contact(token: str) -> int:
    event = ConsentEvent.objects.filter(pk=tokens.confirm_read(token)["e"]).values_list("contact_id", flat=True)
    return event.first() or 0


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click withdraws (GET from a link, POST from a mail client's List-Unsubscribe-Post, RFC 8058)."""
    contact, payload = _contact(tokens.UNSUBSCRIBE, token)
    purposes = (
        Purpose.objects.filter(pk=payload["p"]) if payload.get("p") else Purpose.objects.filter(is_marketing=True)
    )
    proof = _proof(request, "one-click-unsubscribe")
    with _as_subject(contact.pk):
        for purpose in purposes:
            services.consent_withdraw(contact=contact, purpose=purpose, method=Method.UNSUBSCRIBE_LINK, proof=proof)
    language = translation.get_language_from_request(request)
    return _render(
        request,
        "consent/public_message.html",
        {
            "outcome": "unsubscribed",
            "purpose": purposes[0].label(language) if len(purposes) == 1 else "",
            "preferences_url": f"/privacy/preferences/{tokens.preferences_token(contact.pk)}/",
        },
    )
