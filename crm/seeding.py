"""`seed_demo` step of the contact repository: a few disclosures, rectifications and a restriction, so that the
Art. 19 tasks and the restriction banner have something to show in the demo."""

from __future__ import annotations

from typing import Any

from .generation import seed_step
from .models import Contact, Disclosure
from .services import contact_restriction_place, contact_update, disclosure_record


@seed_step(110)
def seed_disclosures_and_restriction(ctx: Any) -> None:
    """Once: three contacts exported to a partner, one of them rectified and one restricted."""
    if Disclosure.objects.filter(recipient="Partner X").exists():
        ctx.out("Disclosures: present, none added.")
        return
    contacts = list(Contact.objects.live().filter(restricted=False, points__kind="email").order_by("pk")[:3])
    if len(contacts) < 3:
        return
    disclosure_record(
        recipient="Partner X",
        country="DE",
        channel="export",
        contact_ids=[contact.pk for contact in contacts],
        fields=["id", "first_name", "last_name", "email", "city"],
        purpose="Trade fair invitations",
    )
    rectified, restricted = contacts[0], contacts[1]
    contact_update(contact=rectified, city="Lyon" if rectified.city != "Lyon" else "Paris", reason="demo: moved")
    contact_restriction_place(contact=restricted, reason="Accuracy contested by the person (demo)")
    ctx.out(f"Disclosures: 3 contacts exported to Partner X; #{rectified.pk} rectified, #{restricted.pk} restricted.")
