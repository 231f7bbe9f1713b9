from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.deadlines import art14_notice_due, local_today

from .filters import ContactFilter
from .keyset import KeysetOrder, KeysetPage, bytewise, keyset_page  # crm.views call selectors.keyset_page too
from .models import (
    Contact,
    ContactAccess,
    DeliveryOutcome,
    Disclosure,
    Interaction,
    NotificationStatus,
    Organisation,
    RecipientNotification,
    Tag,
    search_key,
)
from .querysets import search_kind


def contact_count() -> int:
    return Contact.objects.count()


CONTACT_ORDERS = {
    order.name: order
    for order in (
        KeysetOrder("name", ("last_name_key", "first_name_key", "id"), bytewise=("last_name_key", "first_name_key")),
        KeysetOrder("-created", ("created_at", "id"), descending=True),
        KeysetOrder("created", ("created_at", "id")),
        KeysetOrder("-last_interaction", ("last_interaction_at", "id"), descending=True, nullable_first=True),
    )
}
CONTACT_ORDER_LABELS = {
    "name": _("Name"),
    "-created": _("Newest first"),
    "created": _("Oldest first"),
    "-last_interaction": _("Last interaction"),
}
CONTACT_PAGE_SIZE = 50
CONTACT_ORDER_COLUMNS = sorted({column for order in CONTACT_ORDERS.values() for column in order.columns})


def contact_search_branches(queryset: QuerySet[Contact], text: str) -> list[QuerySet[Contact]]:
    """Index-friendly parts of `queryset.search(text)` for keyset_page (empty: no split needed).

    A name prefix matches a last name OR a first name; no index serves that OR in
    name order, and last names sharing a prefix sit together, so PostgreSQL would
    read far down the name index. Each branch is one index range instead. The
    page itself is still read through `search()`, so a branch can only propose rows.
    """
    if search_kind(text) != "name":
        return []  # nothing to search, or an exact email or phone: one blind-index lookup already
    key = search_key(text)
    return [
        queryset.alias(last_name_bytes=bytewise("last_name_key"))
        .filter(last_name_bytes__startswith=key)
        .only(*CONTACT_ORDER_COLUMNS),
        queryset.filter(first_name_key__startswith=key).only(*CONTACT_ORDER_COLUMNS),
    ]


def contact_list_page(
    *,
    user: Any,
    filters: Mapping[str, Any] | None = None,
    sort: str = "name",
    cursor: str = "",
    size: int = CONTACT_PAGE_SIZE,
) -> tuple[KeysetPage, ContactFilter]:
    """One page of the contacts `user` may see, filtered by ContactFilter and sorted by `sort`.

    Returns the page and the bound filter set (its form holds the filters and their errors).
    """
    contacts = Contact.objects.restrict(user, "view")
    filterset = ContactFilter(filters or {}, queryset=contacts)
    if not filterset.is_valid():
        return KeysetPage(rows=[]), filterset
    queryset = contacts
    for name, value in filterset.form.cleaned_data.items():
        if name != "q":  # applied below, split into branches
            queryset = filterset.filters[name].filter(queryset, value)
    search = filterset.form.cleaned_data.get("q") or ""
    branches = contact_search_branches(queryset, search)
    # The list shows no notes: leave them encrypted.
    queryset = queryset.search(search).select_related("organisation").with_rows("points", "tags").defer("notes")
    order = CONTACT_ORDERS.get(sort, CONTACT_ORDERS["name"])
    return keyset_page(queryset, order, cursor=cursor, size=size, branches=branches), filterset


TRASH_ORDER = KeysetOrder("-deleted", ("deleted_at", "id"), descending=True)
ORGANISATION_ORDER = KeysetOrder("name", ("name_key", "id"))


def organisation_list_page(*, search: str = "", cursor: str = "", size: int = CONTACT_PAGE_SIZE) -> KeysetPage:
    """Organisations by name, those whose name starts with `search` (accents and case ignored)."""
    return keyset_page(Organisation.objects.search(search), ORGANISATION_ORDER, cursor=cursor, size=size)


def tag_by_name(name: str) -> Tag | None:
    """The tag called `name`, case and extra spaces ignored."""
    return Tag.objects.filter(name__iexact=" ".join(name.split())).first()


def contact_accesses(*, contact: Contact, limit: int = 20) -> list[ContactAccess]:
    """The latest displays of the contact's full record: who, when, through which channel."""
    return list(ContactAccess.objects.filter(contact=contact).select_related("user")[:limit])


def contact_interactions(*, contact: Contact, limit: int = 50) -> list[Interaction]:
    """The contact's timeline, newest first (bodies decrypted: callers check crm.view_interaction)."""
    return list(Interaction.objects.filter(contact=contact).select_related("author")[:limit])


def contact_history(*, contact: Contact) -> QuerySet:
    return contact.history.select_related("history_user").order_by("-history_date", "-history_id")


def contacts_created_per_month(*, months: int = 12, today: date | None = None) -> list[tuple[date, int]]:
    """Contacts created in each of the last `months` calendar months (local time), oldest first, zeros included."""
    today = today or timezone.localdate()
    month_index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(month_index // 12, month_index % 12 + 1, 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Contact.objects.filter(created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("id"))
    )
    counts = {timezone.localtime(month).date().replace(day=1): n for month, n in rows}
    result = []
    for offset in range(months):
        index = month_index + offset
        month = date(index // 12, index % 12 + 1, 1)
        result.append((month, counts.get(month, 0)))
    return result


HISTORY_TYPE_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
# Timestamps change on every save; listing them would hide the real change. The last interaction date is
# derived (written without history when an interaction is saved): the next editor did not change it.
_HISTORY_DIFF_EXCLUDED = ["created_at", "updated_at", "last_interaction_at"]


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a contact's change history, ready to display."""

    date: datetime
    type: str  # "+", "~" or "-" (simple-history's history_type)
    type_label: str
    actor: str
    changed_fields: list[str]
    reason: str
    hidden_fields: int = 0  # changed fields the viewer's role may not read, counted but not named


def _history_actor(record: Any) -> str:
    if record.history_user_id and record.history_user is not None:
        return record.history_user.get_username()
    return f"{record.history_actor_kind}:{record.history_actor_label}"


def contact_history_entries(*, contact: Contact, limit: int = 50, hidden: Collection[str] = ()) -> list[HistoryEntry]:
    """The latest `limit` history rows, newest first, each with the fields it changed (by verbose name).

    Fields named in `hidden` (those the viewer's role may not read, e.g. notes) are
    counted in `hidden_fields` but never named: even a field's name says something.
    """
    records = list(contact_history(contact=contact)[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changed: list[str] = []
        hidden_count = 0
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=_HISTORY_DIFF_EXCLUDED)
            names = delta.changed_fields
            changed = [str(Contact._meta.get_field(name).verbose_name) for name in names if name not in hidden]
            hidden_count = len(names) - len(changed)
        entries.append(
            HistoryEntry(
                date=record.history_date,
                type=record.history_type,
                type_label=str(HISTORY_TYPE_LABELS.get(record.history_type, record.history_type)),
                actor=_history_actor(record),
                changed_fields=changed,
                reason=record.history_change_reason or "",
                hidden_fields=hidden_count,
            )
        )
    return entries


def art14_overdue(user: Any) -> QuerySet[Contact]:
    """The contacts `user` may see that are past the one month to receive their Art. 14 notice (CON-12)."""
    return Contact.objects.restrict(user, "view").art14_overdue()


@dataclass(frozen=True)
class Art14Status:
    """Where a contact from an indirect source stands with its Art. 14 notice."""

    sent_at: datetime | None
    due: date
    overdue: bool


def art14_status(*, contact: Contact, today: date | None = None) -> Art14Status | None:
    """None for a contact whose data the person gave us (no notice owed)."""
    if not contact.is_indirect:
        return None
    due = art14_notice_due(contact.collected_at or contact.created_at)
    sent_at = contact.art14_notice_sent_at
    pending = sent_at is None and not contact.restricted  # as in ContactQuerySet.art14_pending
    return Art14Status(sent_at=sent_at, due=due, overdue=pending and due < (today or local_today()))


def contact_trash(*, user: Any) -> QuerySet[Contact]:
    """Soft-deleted contacts `user` may restore (`ContactQuerySet.trash`).

    (`restrict` leaves deleted contacts out; restoring needs to find them.) The
    restore window itself is checked by `services.contact_restore`.
    """
    return Contact.objects.trash(user)


# Disclosure logs name a contact's points either way ("email" is the primary one in exports).
_FIELD_ALIASES = {"email": "emails", "phone": "phones"}


def disclosed_field_key(name: str) -> str:
    """The field a disclosure log entry names, as a contact's change names it ("email" is one of "emails")."""
    return _FIELD_ALIASES.get(name, name)


def contact_recipients(*, contact_id: int) -> dict[tuple[str, str], set[str] | None]:
    """Who received this contact's data, and which fields: {(recipient, country): {field, ...}}.

    None instead of a set means a disclosure did not say which fields (every field counts).
    """
    recipients: dict[tuple[str, str], set[str] | None] = {}
    disclosures = Disclosure.objects.filter(entries__contact_id=contact_id)
    for recipient, country, fields in disclosures.values_list("recipient", "country", "fields").distinct():
        key = (recipient, country)
        received = recipients.setdefault(key, set())
        if not fields:
            recipients[key] = None
        elif received is not None:
            received.update(disclosed_field_key(name) for name in fields)
    return recipients


def contact_recipient_rows(*, contact: Contact) -> list[dict[str, Any]]:
    """The contact page's recipients panel: each recipient from the disclosure log with its Art. 19 tasks."""
    tasks: dict[tuple[str, str], list[RecipientNotification]] = {}
    for task in RecipientNotification.objects.filter(contact=contact).order_by("-created_at")[:100]:
        tasks.setdefault((task.recipient, task.country), []).append(task)
    keys = sorted(set(contact_recipients(contact_id=contact.pk)) | set(tasks))
    return [
        {
            "name": name,
            "country": country,
            "tasks": tasks.get((name, country), []),
            "internal": Disclosure.is_internal(name),
        }
        for name, country in keys
    ]


def restriction_handlers(*, limit: int = 5) -> list[str]:
    """Who a user may ask about a restricted contact: active users who may place and lift restrictions."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    holders = Q(groups__permissions__codename="restrict_contact", groups__permissions__content_type__app_label="crm")
    holders |= Q(user_permissions__codename="restrict_contact", user_permissions__content_type__app_label="crm")
    users = get_user_model().objects.filter(holders, is_active=True).distinct().order_by("username")[:limit]
    return [_person_label(user) for user in users]


def _person_label(user: Any) -> str:
    full_name, username = user.get_full_name(), user.get_username()
    return f"{full_name} ({username})" if full_name else username


def owned_restricted_count(*, user: Any) -> int:
    """How many of the contacts `user` owns are hidden from them by a restriction (their list says so)."""
    if user.pk is None:
        return 0
    return Contact.objects.hidden_by_restriction(user).filter(owner_id=user.pk).count()


@dataclass(frozen=True)
class NotifiedRecipient:
    recipient: str
    country: str
    cause: str
    notified_at: datetime
    by_webhook: bool


def recipients_notified(*, contact_id: int) -> list[NotifiedRecipient]:
    """Art. 19, second sentence: the recipients told of a rectification, erasure or restriction of this contact
    (tasks closed as sent, by hand or by a delivered webhook), oldest first. Reads the former id too, so it
    still answers after an erasure, for the requester's reply."""
    tasks = (
        RecipientNotification.objects.filter(contact_ref=contact_id, status=NotificationStatus.SENT)
        .annotate(delivered=Count("deliveries", filter=Q(deliveries__outcome=DeliveryOutcome.DELIVERED)))
        .order_by("resolved_at", "id")
    )
    return [
        NotifiedRecipient(task.recipient, task.country, task.cause, task.resolved_at, task.delivered > 0)
        for task in tasks
    ]
