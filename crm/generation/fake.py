"""Fake people, organisations and interactions from small Faker pools, combined with a seeded Random.

Everything here is plaintext, shaped like what a form or an import would
submit; `bulk` turns it into encrypted, blind-indexed rows.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.crypto import blind_index

from ..models import PersonKind, search_key
from ..sensitive import sensitive_terms
from .vocabulary import (
    COUNTRY,
    FR_FICTION_PREFIXES,
    FREE_MAIL_DOMAINS,
    INTERACTION_SUBJECTS,
    LANGUAGE,
    LOCALES,
    MONTHS,
    NOTE_TEMPLATES,
    SOURCE_DETAILS,
    SOURCE_WEIGHTS,
    STATUS_WEIGHTS,
    UK_FICTION_PREFIXES,
    YEAR,
)

Row = dict[str, Any]


def ascii_slug(text: str) -> str:
    """'Hélène-Marie O'Neil' -> 'helenemarieoneil' (for e-mail local parts and domains)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class Name:
    text: str
    key: str  # crm.models.search_key(text), what name-prefix search compares
    slug: str  # ascii_slug(text), for e-mail local parts


@dataclass
class LocalePool:
    first_names: list[Name]
    last_names: list[Name]
    domains: list[str]
    notes: list[str]
    addresses: list[tuple[str, str, str]]  # street, postal code, city
    companies: list[str]
    jobs: list[str]
    bodies: list[str]


@dataclass
class Pools:
    locales: dict[str, LocalePool]

    @classmethod
    def build(cls, seed: int = 0, size: int = 2000) -> Pools:
        """Ask Faker once per locale for `size` names (repeats keep its name frequencies)."""
        try:
            from faker import Faker  # imported only when data is generated
        except ImportError as exc:
            raise ImportError("generating demo data needs Faker, from requirements/dev.txt") from exc

        return cls(locales={locale: _locale_pool(Faker(locale), locale, seed, size) for locale in LOCALES})


def _name(text: str) -> Name:
    return Name(text=text, key=search_key(text), slug=ascii_slug(text))


def _locale_pool(fake: Any, locale: str, seed: int, size: int) -> LocalePool:
    fake.seed_instance(seed)
    firsts = [_name(fake.first_name()) for _ in range(size)]
    lasts = [_name(fake.last_name()) for _ in range(size)]
    words = sorted({ascii_slug(fake.domain_word()) for _ in range(size // 10)} - {""})
    notes = [_note(fake, locale) for _ in range(size // 10)]
    addresses = [
        (fake.street_address().replace("\n", ", ")[:200], fake.postcode()[:20], fake.city()[:100])
        for _ in range(size // 2)
    ]
    companies = sorted({fake.company()[:150] for _ in range(size // 2)})
    jobs = sorted({fake.job()[:150] for _ in range(size // 10)})
    bodies = [f"{_note(fake, locale)} {fake.paragraph(nb_sentences=2)}" for _ in range(size // 10)]
    # Demo data goes through the services, whose free-text check refuses sensitive terms without a justification.
    notes = [text for text in notes if not sensitive_terms(text)]
    bodies = [text for text in bodies if not sensitive_terms(text)]
    return LocalePool(
        first_names=firsts,
        last_names=lasts,
        domains=[f"{word}.example.com" for word in words],
        notes=notes,
        addresses=addresses,
        companies=companies,
        jobs=jobs,
        bodies=bodies,
    )


def _note(fake: Any, locale: str) -> str:
    template = fake.random_element(NOTE_TEMPLATES[locale])
    return template.format(
        city=fake.city(),
        company=fake.company(),
        month=fake.random_element(MONTHS[locale]),
        day=fake.random_int(1, 28),
        name=fake.name(),
    )


class FictionPhones:
    """The reserved fictional numbers, each handed out once, in a seeded random order.

    The CRM lets several contacts share a number (a switchboard, a household's
    landline), but generated people each get their own so that a shared number
    is never an accident of generation (the dedup benchmark plants its own
    households). The ranges reserved for fiction hold about 64,000 numbers: when
    they run out, `draw` returns "" (no phone) rather than a number that could
    ring a real person.
    """

    def __init__(self, *, taken: Iterable[str] = (), seed: int = 0) -> None:
        taken = set(taken)  # blind indexes of the numbers already in the database
        self.queues = {
            "fr_FR": self._queue([f"{p}{n:04d}" for p in FR_FICTION_PREFIXES for n in range(10_000)], taken, seed),
            "en_GB": self._queue([f"{p}{n:03d}" for p in UK_FICTION_PREFIXES for n in range(1_000)], taken, seed),
        }

    @staticmethod
    def _queue(numbers: list[str], taken: set[str], seed: int) -> list[str]:
        free = [number for number in numbers if blind_index(number) not in taken] if taken else numbers
        random.Random(seed).shuffle(free)
        return free  # pop() hands them out from the end

    @classmethod
    def from_database(cls, seed: int = 0) -> FictionPhones:
        from ..models import ContactPoint, ContactPointKind

        taken = ContactPoint.objects.filter(kind=ContactPointKind.PHONE).values_list("value_index", flat=True)
        return cls(taken=taken.iterator(chunk_size=20_000), seed=seed)

    def left(self) -> int:
        return sum(len(queue) for queue in self.queues.values())

    def draw(self, locale: str) -> str:
        """A free number, of the contact's country while there are some left, else "" (no phone)."""
        for queue in (self.queues[locale], *(q for loc, q in self.queues.items() if loc != locale)):
            if queue:
                return queue.pop()
        return ""


# --------------------------------------------------------------------------- people


@dataclass
class Organisation:
    """A plaintext organisation (what the bulk writer and the demo store); `domain` serves e-mails."""

    name: str
    locale: str
    domain: str
    fields: Row = field(default_factory=dict)


@dataclass
class Ratios:
    """Shares of generated contacts having each optional attribute."""

    organisation: float = 0.7
    phone: float = 0.6
    tags: float = 0.3
    notes: float = 0.1
    address: float = 0.85
    interactions: float = 0.4  # contacts with 1 to 3 interactions
    interaction_body: float = 0.5  # interactions with a (encrypted) body
    restricted: float = 0.001
    deleted: float = 0.002  # soft-deleted in the last 30 days


class ContactFaker:
    """Combines pool entries into people; `counter` keeps e-mails unique within and across runs."""

    def __init__(
        self,
        pools: Pools,
        rng: random.Random,
        *,
        counter: int = 1,
        ratios: Ratios | None = None,
        phones: FictionPhones | None = None,
        span: timedelta = 5 * YEAR,
    ) -> None:
        self.pools = pools
        self.rng = rng
        self.counter = counter
        self.ratios = ratios or Ratios()
        self.phones = phones or FictionPhones()
        self.span_seconds = span.total_seconds()

    def locale(self) -> str:
        return "fr_FR" if self.rng.random() < 0.55 else "en_GB"

    def organisation(self) -> Organisation:
        rng = self.rng
        locale = self.locale()
        pool = self.pools.locales[locale]
        name = rng.choice(pool.companies)
        if rng.random() < 0.5:  # companies repeat in the pool; a city keeps a large set readable
            name = f"{name} {rng.choice(pool.addresses)[2]}"[:200]
        self.counter += 1
        domain = f"{ascii_slug(name)[:40] or 'org'}{self.counter}.example.com"
        street, postal_code, city = rng.choice(pool.addresses)
        legal_id = f"{rng.randrange(10**8, 10**9)}" if locale == "fr_FR" else f"{rng.randrange(10**7, 10**8)}"
        fields = {
            "name": name,
            "legal_id": legal_id if rng.random() < 0.8 else "",
            "website": f"https://www.{domain}/",
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": COUNTRY[locale],
        }
        return Organisation(name=name, locale=locale, domain=domain, fields=fields)

    def person(self, *, now: datetime, organisations: Sequence[Any] = (), tags: Sequence[Any] = ()) -> Row:
        """Keyword arguments for `crm.services.contact_create`, plus "_locale" and "_first"/"_last" (Name).

        `organisations` holds (id or object, domain) pairs.
        """
        rng, ratios = self.rng, self.ratios
        locale = self.locale()
        pool = self.pools.locales[locale]
        first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
        organisation, domain = (None, "")
        if organisations and rng.random() < ratios.organisation:
            organisation, domain = rng.choice(organisations)
        collected_at = now - timedelta(seconds=rng.random() * self.span_seconds)
        source = _weighted(rng, SOURCE_WEIGHTS)
        person: Row = {
            "_locale": locale,
            "_first": first,
            "_last": last,
            "first_name": first.text,
            "last_name": last.text,
            "kind": PersonKind.PROFESSIONAL if organisation is not None else PersonKind.CONSUMER,
            "status": _weighted(rng, STATUS_WEIGHTS),
            "organisation": organisation,
            "job_title": rng.choice(pool.jobs) if organisation is not None and rng.random() < 0.8 else "",
            "preferred_language": LANGUAGE[locale],
            "street": "",
            "postal_code": "",
            "city": "",
            "country": COUNTRY[locale],
            "notes": rng.choice(pool.notes) if rng.random() < ratios.notes else "",
            "source": source,
            "source_detail": rng.choice(SOURCE_DETAILS[source]),
            "collected_at": collected_at,
            "emails": [self._email(first, last, domain, pool)],
            "phones": [],
            "tags": [],
        }
        if rng.random() < ratios.address:
            person["street"], person["postal_code"], person["city"] = rng.choice(pool.addresses)
        if rng.random() < ratios.phone:
            phone = self.phones.draw(locale)
            person["phones"] = [phone] if phone else []
        if tags and rng.random() < ratios.tags:
            person["tags"] = rng.sample(tags, k=min(len(tags), rng.choice((1, 1, 1, 2, 2, 3))))
        return person

    def _email(self, first: Name, last: Name, domain: str, pool: LocalePool) -> str:
        rng = self.rng
        self.counter += 1
        style = rng.random()
        if style < 0.5:
            local = f"{first.slug}.{last.slug}{self.counter}"
        elif style < 0.8:
            local = f"{first.slug[:1]}{last.slug}{self.counter}"
        else:
            local = f"{last.slug}.{first.slug}{self.counter}"
        if not domain:
            domain = rng.choice(FREE_MAIL_DOMAINS) if rng.random() < 0.6 else rng.choice(pool.domains)
        return f"{local}@{domain}"

    def interactions(self, *, locale: str, since: datetime, now: datetime, authors: Sequence[Any] = ()) -> list[Row]:
        """0 to 3 interactions between `since` and `now`, oldest first (plaintext body, often empty)."""
        rng, ratios = self.rng, self.ratios
        if rng.random() >= ratios.interactions:
            return []
        pool = self.pools.locales[locale]
        subjects = INTERACTION_SUBJECTS[locale]
        window = max((now - since).total_seconds(), 1.0)
        found = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(list(subjects))
            found.append(
                {
                    "kind": kind,
                    "occurred_at": since + timedelta(seconds=rng.random() * window),
                    "subject": rng.choice(subjects[kind]),
                    "body": rng.choice(pool.bodies) if rng.random() < ratios.interaction_body else "",
                    "author": rng.choice(authors) if authors else None,
                }
            )
        found.sort(key=lambda row: row["occurred_at"])
        return found
