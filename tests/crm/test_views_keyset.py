"""The keyset pagination behind the staff lists (crm.keyset.keyset_page) and the indexes it relies on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from crm import keyset, selectors
from crm.keyset import KeysetOrder, keyset_page
from crm.models import Contact
from crm.selectors import CONTACT_ORDERS

pytestmark = pytest.mark.django_db


def _contact(first: str, last: str, **fields) -> Contact:
    contact = Contact(first_name=first, last_name=last, **fields)
    contact.save()
    return contact


@pytest.fixture
def people() -> list[Contact]:
    """Ties on the last name, accents, and half of them without any interaction (NULL)."""
    now = timezone.now()
    rows = []
    for index, (first, last) in enumerate(
        [("Zoé", "Martin"), ("Anne", "Martin"), ("Élise", "Durand"), ("Paul", "Dupont-Aignan"), ("Léa", "Dupont")] * 3
    ):
        when = now - timedelta(hours=index % 4) if index % 2 else None  # repeated dates: ties broken by id
        rows.append(_contact(first, last, last_interaction_at=when))
    return rows


def _walk_forwards(queryset, order: KeysetOrder, size: int) -> list[list[int]]:
    pages, cursor = [], ""
    while True:
        page = keyset_page(queryset, order, cursor=cursor, size=size)
        pages.append([row.pk for row in page.rows])
        if not page.has_next:
            return pages
        cursor = page.next_cursor


def _expected(order: KeysetOrder) -> list[int]:
    """The order written out in Python: byte order on the keys, NULLs last, ties by id."""
    rows = list(Contact.objects.all())

    def key(row: Contact) -> tuple:
        values = [getattr(row, column) for column in order.columns]
        if order.nullable_first:  # descending, NULLs after every date
            missing = values[0] is None
            stamp = 0.0 if missing else values[0].timestamp()
            return (missing, -stamp, *(-value for value in values[1:]))
        return tuple(values)

    ordered = sorted(rows, key=key, reverse=order.descending and not order.nullable_first)
    return [row.pk for row in ordered]


@pytest.mark.parametrize("name", list(CONTACT_ORDERS))
def test_walking_forwards_visits_every_row_once_in_order(people, name):
    order = CONTACT_ORDERS[name]
    pages = _walk_forwards(Contact.objects.all(), order, size=4)
    assert [pk for page in pages for pk in page] == _expected(order)
    assert all(len(page) == 4 for page in pages[:-1])


@pytest.mark.parametrize("name", list(CONTACT_ORDERS))
def test_previous_pages_mirror_the_next_pages(people, name):
    order = CONTACT_ORDERS[name]
    forwards = _walk_forwards(Contact.objects.all(), order, size=4)
    page = keyset_page(Contact.objects.all(), order, size=4)
    for _ in forwards[1:]:
        page = keyset_page(Contact.objects.all(), order, cursor=page.next_cursor, size=4)
    backwards = [[row.pk for row in page.rows]]
    while page.has_previous:
        page = keyset_page(Contact.objects.all(), order, cursor=page.previous_cursor, size=4)
        backwards.insert(0, [row.pk for row in page.rows])
    assert backwards == forwards


def test_a_cursor_survives_the_deletion_of_its_row(people):
    order = CONTACT_ORDERS["name"]
    first = keyset_page(Contact.objects.all(), order, size=4)
    expected = [row.pk for row in keyset_page(Contact.objects.all(), order, cursor=first.next_cursor, size=4).rows]
    first.rows[-1].delete()
    after = keyset_page(Contact.objects.all(), order, cursor=first.next_cursor, size=4)
    assert [row.pk for row in after.rows] == expected


def test_foreign_or_forged_cursors_start_again_from_the_top(people):
    by_name, by_date = CONTACT_ORDERS["name"], CONTACT_ORDERS["-created"]
    date_cursor = keyset_page(Contact.objects.all(), by_date, size=2).next_cursor
    top = [row.pk for row in keyset_page(Contact.objects.all(), by_name, size=2).rows]
    for cursor in (date_cursor, "garbage", date_cursor[:-3]):
        page = keyset_page(Contact.objects.all(), by_name, cursor=cursor, size=2)
        assert [row.pk for row in page.rows] == top
        assert not page.has_previous


def test_the_cursor_is_opaque(people):
    cursor = keyset_page(Contact.objects.all(), CONTACT_ORDERS["name"], size=2).next_cursor
    assert "martin" not in cursor.lower() and "durand" not in cursor.lower()


def test_branches_give_the_same_pages_as_the_plain_search(people, dpo_user):
    contacts = Contact.objects.all()
    searched = contacts.search("du")
    branches = selectors.contact_search_branches(contacts, "du")
    assert len(branches) == 2
    order = CONTACT_ORDERS["name"]
    plain = _walk_forwards(searched, order, size=2)

    pages, cursor = [], ""
    while True:
        page = keyset_page(searched, order, cursor=cursor, size=2, branches=branches)
        pages.append([row.pk for row in page.rows])
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert pages == plain
    assert selectors.contact_search_branches(contacts, "a@b.example") == []  # exact lookups need no split


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes of crm 0003 are PostgreSQL's")
@pytest.mark.parametrize(
    ("name", "index"),
    [("name", "contact_name_order_idx"), ("-last_interaction", "contact_interaction_order_idx")],
)
def test_the_list_query_matches_its_index(people, name, index):
    """The ORDER BY and the seek condition must be the index's expressions exactly, or PostgreSQL sorts the table."""
    order = CONTACT_ORDERS[name]
    cursor = keyset_page(Contact.objects.all(), order, size=2).next_cursor
    queryset = Contact.objects.all()
    position, _backwards = keyset._cursor_decode(order, Contact, cursor)
    walked = (
        order.prepare(queryset)
        .order_by(*order.order_by())
        .filter(keyset._seek(order.terms, position, greater=not order.descending))[:3]
    )
    sql, params = walked.query.sql_with_params()
    with connection.cursor() as cursor_:
        cursor_.execute("SET LOCAL enable_seqscan = off")
        cursor_.execute("SET LOCAL enable_sort = off")
        cursor_.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor_.fetchall())
    assert index in plan and "Sort" not in plan, plan
