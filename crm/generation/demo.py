"""crm's `seed_demo` step: organisations, tags, contacts, interactions, through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone

from access import roles

from ..models import Contact, ContactPoint, Interaction, Organisation
from ..services import contact_create, contact_delete, interaction_create
from .bulk import tags_ensure
from .fake import ContactFaker, FictionPhones, Ratios, Row

ORGANISATIONS_PER_CONTACT = 1 / 10
SOFT_DELETED = 2  # a couple of contacts in the trash, when the demo has room for them
# Owners of demo contacts: the Sales user owns about a third, the rest is spread.
OWNER_ROLES = [roles.SALES, roles.SALES, roles.SALES, roles.MARKETING, roles.SUPPORT, roles.DPO, None, None, None]
AUTHOR_ROLES = [roles.SUPPORT, roles.SALES]
# Demo contacts arrive over the last 24 months, more of them recently, so the dashboard's monthly
# chart and each contact's history look like a CRM in use rather than one filled this morning.
DEMO_SPAN = timedelta(days=730)
RECENT_BIAS = 0.7  # < 1 draws more creation dates near today


def service_arguments(person: Row) -> dict[str, Any]:
    """What `contact_create` takes, from a `ContactFaker.person()`."""
    return {name: value for name, value in person.items() if not name.startswith("_")}


def _domain(organisation: Organisation) -> str:
    host = urlsplit(organisation.website).hostname or ""
    return host.removeprefix("www.")


def organisations_seed(faker: ContactFaker, wanted: int) -> list[tuple[Organisation, str]]:
    """Top the organisations up to `wanted`; returns every organisation with its e-mail domain."""
    for _ in range(wanted - Organisation.objects.count()):
        Organisation.objects.create(**faker.organisation().fields)
    return [(organisation, _domain(organisation)) for organisation in Organisation.objects.order_by("pk")]


def demo_contacts_add(ctx: Any, faker: ContactFaker, missing: int) -> list[Contact]:
    """`missing` contacts through `contact_create`, each with its interactions (about 40%)."""
    organisations = organisations_seed(faker, round(ctx.contacts * ORGANISATIONS_PER_CONTACT))
    tags = tags_ensure()
    owners = [ctx.users.get(role) if role else None for role in OWNER_ROLES]
    authors = [ctx.users[role] for role in AUTHOR_ROLES if role in ctx.users]
    now = timezone.now()
    created: list[Contact] = []
    attempts = 0
    while len(created) < missing and attempts < missing * 2:
        attempts += 1
        person = faker.person(now=now, organisations=organisations, tags=tags)
        born = now - DEMO_SPAN * (1 - faker.rng.random() ** RECENT_BIAS)
        person["collected_at"] = min(person["collected_at"], born)
        try:
            contact = contact_create(**service_arguments(person), owner=faker.rng.choice(owners))
        except ValidationError:  # an address or number someone already has: draw another person
            continue
        interactions = faker.interactions(locale=person["_locale"], since=born, now=now, authors=authors)
        for interaction in interactions:
            interaction_create(contact=contact, **interaction)
        demo_contact_backdate(contact=contact, born=born)
        created.append(contact)
    return created


def demo_contact_backdate(*, contact: Contact, born: datetime) -> None:
    """Date a demo contact as if it had been created at `born` and worked on since.

    Demo seeding only: the contact, its points and their "+" history rows move to
    `born`; each interaction and its history row to the interaction's date; the
    contact's later history rows (written as interactions were logged) to those
    dates, in order. Audit events keep the real time: evidence is never edited.
    """
    moments = sorted(Interaction.objects.filter(contact=contact).values_list("occurred_at", flat=True))
    Contact.objects.filter(pk=contact.pk).update(created_at=born, updated_at=moments[-1] if moments else born)
    points = ContactPoint.objects.filter(contact=contact)
    points.update(created_at=born)
    ContactPoint.history.filter(id__in=points.values("id")).update(history_date=born)
    for interaction_id, occurred_at in Interaction.objects.filter(contact=contact).values_list("id", "occurred_at"):
        Interaction.objects.filter(pk=interaction_id).update(created_at=occurred_at)
        Interaction.history.filter(id=interaction_id).update(history_date=occurred_at)
    dates = [born, *moments]
    rows = Contact.history.filter(id=contact.pk).order_by("history_id").values_list("history_id", flat=True)
    for index, history_id in enumerate(rows):
        Contact.history.filter(history_id=history_id).update(history_date=dates[min(index, len(dates) - 1)])


def seed_contacts(ctx: Any) -> None:
    """Top the demo up to `ctx.contacts` contacts (soft-deleted ones count), so a rerun adds none."""
    from django.db import models

    existing = Contact.objects.count()
    missing = ctx.contacts - existing
    if missing <= 0:
        ctx.out(f"Contacts: {existing} present, none added.")
        return
    start = (Contact.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    faker = ContactFaker(
        ctx.pools, ctx.rng, counter=start, ratios=Ratios(notes=0.3), phones=FictionPhones.from_database()
    )
    created = demo_contacts_add(ctx, faker, missing)
    trashed = created[-SOFT_DELETED:] if len(created) >= 50 * SOFT_DELETED else []
    for contact in trashed:
        contact_delete(contact=contact, reason="demo: deleted by staff")
    ctx.out(
        f"Contacts: {len(created)} added ({existing + len(created)} in total, "
        f"{Organisation.objects.count()} organisations, {len(trashed)} in the trash)."
    )
