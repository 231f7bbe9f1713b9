"""Tags on many contacts at once (the list's bulk actions).

Tag links are a many-to-many table without history of its own, so each contact
whose tags change gets an AuditEvent ("contacts.tagged" / "contacts.untagged"):
the subject's record shows when a segment was applied and by whom. The tag is
named in the event's detail, not the event: a tag tied to a contact id says
something about the person, so it goes with them on erasure (docs/erasure.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core.audit import audit_event_record

from ..models import Contact, Tag
from ..selectors import tag_by_name


@transaction.atomic
def tag_get_or_create(*, name: str) -> Tag:
    """The tag called `name` (surrounding spaces ignored), created when it does not exist yet."""
    tag = tag_by_name(name)
    if tag is None:
        tag = Tag(name=" ".join(name.split()))
        tag.full_clean()
        tag.save()
    return tag


@transaction.atomic
def contacts_tag_add(*, contacts: Iterable[Contact], tag: Tag) -> int:
    """Put `tag` on each contact that lacks it; returns how many contacts changed."""
    ids = {contact.pk for contact in contacts}
    tagged = set(Contact.tags.through.objects.filter(tag=tag, contact_id__in=ids).values_list("contact_id", flat=True))
    new = sorted(ids - tagged)
    Contact.tags.through.objects.bulk_create([Contact.tags.through(contact_id=pk, tag=tag) for pk in new])
    for pk in new:
        audit_event_record(action="contacts.tagged", subject_id=pk, details=_tag_details(tag))
    return len(new)


@transaction.atomic
def contacts_tag_remove(*, contacts: Iterable[Contact], tag: Tag) -> int:
    """Take `tag` off each contact that has it; returns how many contacts changed."""
    ids = {contact.pk for contact in contacts}
    links = Contact.tags.through.objects.filter(tag=tag, contact_id__in=ids)
    removed = sorted(links.values_list("contact_id", flat=True))
    links.delete()
    for pk in removed:
        audit_event_record(action="contacts.untagged", subject_id=pk, details=_tag_details(tag))
    return len(removed)


def _tag_details(tag: Tag) -> dict[str, object]:
    return {"tag": tag.name, "tag_id": tag.pk}
