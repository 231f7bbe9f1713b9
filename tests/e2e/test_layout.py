"""Every staff page, as every role, at 1280 px and 390 px: nothing wider than the window, no word about how the
product is built. Pages come from the URL configuration, so a new page is visited without editing this file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as BrowserError

from access import roles
from core.actors import Actor, acting_as
from core.models import OutboxMessage
from crm.imports.services import import_job_create
from crm.models import Organisation, RecipientNotification
from crm.services import contact_restriction_place, interaction_create

from ..factories import ContactFactory
from ..test_authorisation import SPEC, accepted_methods, concrete_url, parameters, registry_objects, url_patterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
# Not pages to look at: sign-in and out, machine endpoints, files, and the fragments htmx puts into a page.
NOT_PAGES = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "schema",
    "api-docs",
    "privacy_notice",
    "consent_preferences",
    "consent_confirm",
    "consent_unsubscribe",
    "retention_renew",
    "access_review:export",
    "crm:import_report",
    "crm:interaction_panel",
    "crm:organisation_options",
    "crm:import_progress",
}
BUILDING_WORDS = re.compile(r"\bissues?\b|being built|arrives with", re.IGNORECASE)
REFUSALS = re.compile(r"status of 40[345]|ERR_HTTP_RESPONSE_CODE_FAILURE")


def _world(cast: dict[str, Any]) -> dict[str, Any]:
    """One object of each kind, owned by Sales, with long values that test the layout."""
    sales, dpo = cast[roles.SALES], cast[roles.DPO]
    organisation = Organisation.objects.create(name="Société Coopérative d'Intérêt Collectif des Longs Noms")
    contact = ContactFactory(
        owner=sales,
        organisation=organisation,
        emails=["marie-josephine.de-la-fontaine-saint-exupery@tres-longue-association-regionale.example.org"],
        notes="Met at the fair",
    )
    restricted = ContactFactory(owner=sales)
    with acting_as(Actor.for_user(dpo)):
        contact_restriction_place(contact=restricted, reason="Accuracy contested")
    interaction = interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body="Body", author=sales
    )
    message = OutboxMessage.objects.create(recipient="a@example.org", template="t", subject="s", body="b")
    upload = SimpleUploadedFile("people.csv", b"first_name,last_name\nAnna,Martin\n", content_type="text/csv")
    job = import_job_create(upload=upload, user=sales)
    task = RecipientNotification.objects.create(
        contact=contact, contact_ref=contact.pk, recipient="Partner X", cause="erasure"
    )
    return {
        "contact": contact,
        "interaction": interaction,
        "organisation": organisation,
        "message": message,
        "job": job,
        "task": task,
        "restricted": restricted,
        **registry_objects(),
    }


def _urls(world: dict[str, Any]) -> list[str]:
    """Every staff page (the authorisation spec's walk of the URL configuration), then the restricted contact."""
    pages = []
    for pattern in url_patterns():
        name = pattern.entry.name
        if not name or pattern.namespace in ("admin:", "api:") or pattern.key in NOT_PAGES:
            continue
        if "GET" not in accepted_methods(pattern.entry):
            continue
        target = SPEC[pattern.spec_key].target
        if target and target not in world:
            continue
        pages.append(concrete_url(pattern, parameters({"object": world[target]} if target else None, pattern.route)))
    # the restricted contact: its record for the roles that see it, the refusal for its owner
    return [*pages, reverse("crm:contact_detail", args=[world["restricted"].pk])]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", roles.ROLES)
def test_every_staff_page_fits_the_window_and_speaks_of_the_product_only(
    cast, login, page, console_errors, tmp_path, settings, role, width
):
    settings.MEDIA_ROOT = tmp_path
    urls = _urls(_world(cast))
    page.set_viewport_size({"width": width, "height": 900})
    login(cast[role])

    problems, shown = [], 0
    for url in urls:
        try:
            response = page.goto(url)
        except BrowserError:  # an empty answer (405 to a GET on a POST-only address) is no page
            continue
        if response is None or response.status not in (200, 403):
            continue
        shown += 1
        scroll_width, window = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll_width > window:
            problems.append(f"{url}: {scroll_width} px wide in {window} px")
        words = BUILDING_WORDS.findall(page.inner_text("body"))
        if words:
            problems.append(f"{url}: says {words}")

    assert shown >= 3, "the role should open some pages"
    assert problems == [], f"{role} at {width} px"
    console_errors[:] = [error for error in console_errors if not REFUSALS.search(error)]
