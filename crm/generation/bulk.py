"""`generate_contacts`: a million contacts with their points, interactions and history, by COPY.

Rows are built in Python from `fake` people, encrypted and blind-indexed the
way the services do it, then written one table at a time per batch (one
transaction per batch). Every inserted row of a tracked model gets its "+"
history row holding the same ciphertext, attributed to the job.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from access import roles
from core.actors import Actor, acting_as
from core.crypto import Ciphertext, blind_index, encrypt

from ..models import Contact, ContactPoint, ContactPointKind, Interaction, Organisation, Tag, search_key
from .fake import ContactFaker, FictionPhones, Pools, Ratios, Row
from .vocabulary import TAG_NAMES
from .writers import BulkWriter, analyze, bulk_writer, column_default

ORGANISATIONS_PER_CONTACT = 1 / 20


def history_stamp(actor: Actor, *, reason: str = "") -> Row:
    """The django-simple-history columns of a "+" (created) row attributed to `actor` (all but the date)."""
    return {
        "history_type": "+",
        "history_user_id": actor.user_id,
        "history_change_reason": reason or None,
        "history_actor_kind": actor.kind,
        "history_actor_label": actor.label[:150],
    }


def history_rows(
    model: type[models.Model], rows: Iterable[Row], *, actor: Actor, date_field: str, reason: str = ""
) -> list[Row]:
    """One "+" (created) django-simple-history row per inserted row, attributed to `actor`.

    The history row holds the very values of the row (ciphertext included); a
    column the row lacks takes the value the writer gives it.
    """
    history_model = model.history.model  # type: ignore[attr-defined]
    copied = [f.attname for f in history_model._meta.concrete_fields if not f.attname.startswith("history_")]
    stamp = history_stamp(actor, reason=reason)
    now = timezone.now()
    rows = list(rows)
    if not rows:
        return []
    known = rows[0].keys()
    defaults = {name: column_default(history_model._meta.get_field(name), now) for name in copied if name not in known}
    return [
        {**defaults, **{name: row[name] for name in copied if name in known}, **stamp, "history_date": row[date_field]}
        for row in rows
    ]


@dataclass
class BatchContext:
    """What a `@batch_step` receives, inside the batch's transaction.

    Insert with `writer.insert(Model, rows, assign_ids=True)` (rows are
    attname -> value dicts) and give tracked models their history with
    `writer.insert(Model.history.model, history_rows(Model, rows, actor=ctx.actor, date_field=...))`.
    `people[i]` is the plaintext person behind `contacts[i]` (e-mails, phones, locale).
    """

    writer: BulkWriter
    contacts: list[Row]  # with "id"
    people: list[Row]
    rng: random.Random
    pools: Pools
    now: datetime
    actor: Actor


@dataclass
class GenerationResult:
    created: int
    seconds: float
    batch_seconds: list[float]
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows inserted (history excluded)

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def _staff_ids(*role_names: str) -> list[int]:
    users = get_user_model().objects.filter(is_active=True, groups__name__in=role_names).distinct()
    return list(users.order_by("pk").values_list("pk", flat=True))


def tags_ensure() -> list[Tag]:
    """The demo tags, created when missing (through save(), so with their history rows)."""
    return [Tag.objects.get_or_create(name=name)[0] for name in TAG_NAMES]


@dataclass
class Generator:
    """One `contacts_generate` run: the shared state its batches draw from."""

    faker: ContactFaker
    writer: BulkWriter
    actor: Actor
    now: datetime
    owners: list[int | None]
    authors: list[int]
    tags: list[int] = field(default_factory=list)
    organisations: list[tuple[int, str]] = field(default_factory=list)  # (id, e-mail domain)
    rows: dict[str, int] = field(default_factory=dict)

    def insert(self, model: type[models.Model], rows: list[Row], *, date_field: str | None = None) -> None:
        """COPY the rows (ids assigned); with `date_field`, also their "+" history rows."""
        self.writer.insert(model, rows, assign_ids=True)
        if date_field:
            self.writer.insert(
                model.history.model,  # type: ignore[attr-defined]
                history_rows(model, rows, actor=self.actor, date_field=date_field),
            )
        self.rows[model._meta.label] = self.rows.get(model._meta.label, 0) + len(rows)

    def organisations_add(self, count: int) -> None:
        rows, domains = [], []
        span = self.faker.span_seconds
        for _ in range(count):
            organisation = self.faker.organisation()
            created = self.now - timedelta(seconds=self.faker.rng.random() * span)
            rows.append(
                {
                    **organisation.fields,
                    "name_key": search_key(organisation.name),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            domains.append(organisation.domain)
        self.insert(Organisation, rows, date_field="created_at")
        self.organisations += [(row["id"], domain) for row, domain in zip(rows, domains, strict=True)]

    def batch(self, size: int) -> tuple[list[Row], list[Row]]:
        people = [
            self.faker.person(now=self.now, organisations=self.organisations, tags=self.tags) for _ in range(size)
        ]
        contacts, interactions = [], []
        for person in people:
            contact, planned = self._contact_row(person)
            contacts.append(contact)
            interactions.append(planned)
        self.insert(Contact, contacts, date_field="created_at")
        points, tag_links, interaction_rows = [], [], []
        for contact, person, planned in zip(contacts, people, interactions, strict=True):
            points += _point_rows(contact, person)
            tag_links += [{"contact_id": contact["id"], "tag_id": tag} for tag in person["tags"]]
            interaction_rows += [{**row, "contact_id": contact["id"]} for row in planned]
        self.insert(ContactPoint, points, date_field="created_at")
        self.writer.insert(Contact.tags.through, tag_links)
        self.rows["crm.Contact_tags"] = self.rows.get("crm.Contact_tags", 0) + len(tag_links)
        self.insert(Interaction, interaction_rows, date_field="created_at")
        return contacts, people

    def _contact_row(self, person: Row) -> tuple[Row, list[Row]]:
        rng, ratios, now = self.faker.rng, self.faker.ratios, self.now
        created = min(person["collected_at"] + timedelta(seconds=rng.random() * 172_800), now)
        planned = self.faker.interactions(locale=person["_locale"], since=created, now=now, authors=self.authors)
        interaction_rows = [
            {
                "kind": row["kind"],
                "occurred_at": row["occurred_at"],
                "author_id": row["author"],
                "subject": row["subject"],
                "body": Ciphertext(encrypt(row["body"])) if row["body"] else "",
                "created_at": row["occurred_at"],
            }
            for row in planned
        ]
        restricted = rng.random() < ratios.restricted
        deleted = rng.random() < ratios.deleted
        row = {
            name: person[name]
            for name in ("first_name", "last_name", "kind", "status", "job_title", "preferred_language", "street")
        }
        row.update(
            first_name_key=person["_first"].key,
            last_name_key=person["_last"].key,
            organisation_id=person["organisation"],
            birth_date=None,
            postal_code=person["postal_code"],
            city=person["city"],
            country=person["country"],
            owner_id=rng.choice(self.owners),
            notes=Ciphertext(encrypt(person["notes"])) if person["notes"] else "",
            source=person["source"],
            source_detail=person["source_detail"],
            collected_at=person["collected_at"],
            last_interaction_at=planned[-1]["occurred_at"] if planned else None,
            restricted=restricted,
            restricted_at=created if restricted else None,
            restriction_reason="Art. 18: accuracy contested" if restricted else "",
            deleted_at=max(created, now - timedelta(days=30 * rng.random())) if deleted else None,
            created_at=created,
            updated_at=created,
        )
        return row, interaction_rows


def _point_rows(contact: Row, person: Row) -> list[Row]:
    """The primary e-mail and phone, encrypted, with the blind index of the (already normalised) value."""
    rows = []
    for kind, values in ((ContactPointKind.EMAIL, person["emails"]), (ContactPointKind.PHONE, person["phones"])):
        for position, value in enumerate(values):
            rows.append(
                {
                    "contact_id": contact["id"],
                    "kind": kind,
                    "value": Ciphertext(encrypt(value)),
                    "value_index": blind_index(value),
                    "label": "",
                    "is_primary": position == 0,
                    "created_at": contact["created_at"],
                }
            )
    return rows


BatchStep = Callable[[BatchContext], None]


def contacts_generate(
    count: int,
    *,
    batch_size: int = 50_000,
    seed: int | None = None,
    ratios: Ratios | None = None,
    pools: Pools | None = None,
    steps: Sequence[BatchStep] | None = None,
    writer: BulkWriter | None = None,
    progress: Callable[[int, float], None] | None = None,
    analyze_after: bool = True,
) -> GenerationResult:
    """Insert `count` fake contacts, one transaction per batch, with everything that hangs off them.

    First `count / 20` organisations (their own transaction); then, per batch:
    contacts, their primary e-mail (and a phone for about 60%, as long as the
    fictional ranges last), tags, 1 to 3 interactions for about 40%, and a "+"
    history row for every row of a tracked model. Owners are drawn from the
    active Sales users, interaction authors from Sales and Support (none when
    there are no such users). `writer` defaults to COPY on PostgreSQL. A killed run keeps its finished batches; running
    again adds more contacts (it does not top up to a total).
    """
    from . import batch_steps

    actor = Actor.job("generate_contacts")
    start_id = (Contact.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    rng = random.Random(start_id if seed is None else seed)
    phones = FictionPhones.from_database()
    ratios = ratios or Ratios()
    ratios = replace(ratios, phone=min(ratios.phone, phones.left() / count)) if count else ratios
    owners: list[int | None] = [*_staff_ids(roles.SALES), None]
    faker = ContactFaker(pools or Pools.build(seed=0), rng, counter=start_id, ratios=ratios, phones=phones)
    generator = Generator(
        faker, writer or bulk_writer(), actor, timezone.now(), owners, _staff_ids(roles.SALES, roles.SUPPORT)
    )
    steps = batch_steps() if steps is None else steps
    started = time.perf_counter()
    with acting_as(actor), transaction.atomic():
        generator.tags = [tag.pk for tag in tags_ensure()]
        generator.organisations_add(max(1, round(count * ORGANISATIONS_PER_CONTACT)) if count else 0)
    done, timings = 0, []
    while done < count:
        batch_started = time.perf_counter()
        size = min(batch_size, count - done)
        with acting_as(actor), transaction.atomic():
            contacts, people = generator.batch(size)
            context = BatchContext(generator.writer, contacts, people, rng, faker.pools, generator.now, actor)
            for step in steps:
                step(context)
        done += size
        timings.append(time.perf_counter() - batch_started)
        if progress:
            progress(done, time.perf_counter() - started)
    if analyze_after:
        tracked = [Contact, ContactPoint, Interaction, Organisation]
        analyze(*tracked, *(m.history.model for m in tracked), Contact.tags.through)  # type: ignore[attr-defined]
    return GenerationResult(done, time.perf_counter() - started, timings, dict(generator.rows))
