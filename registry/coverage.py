"""The coverage check: the register held against what the CRM really holds and really does.

Built-in rules (this app):
- every personal field of the subject-data map is listed by an approved activity
  that declares the field's category;
- every recipient in the disclosure log (exports, API keys that read contacts)
  is a recipient of an approved activity, and a third-country one has a
  transfer safeguard;
- every recipient of an approved activity outside the EEA has a safeguard.

Later apps add rules without this app importing them: from their AppConfig.ready(),
`coverage.register(rule)`, where `rule()` returns a list of `Gap`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.subject_data import Category, declarations
from crm.models import Disclosure

from .choices import RecipientKind, is_third_country
from .models import ProcessingActivity, Recipient

INTERNAL_PREFIX = "internal:"


@dataclass(frozen=True)
class Gap:
    """One way the register falls short; `link` is where to fix it, `causes` what shows it (e.g. disclosures)."""

    rule: str
    message: str
    link: str
    causes: list[str] = field(default_factory=list)


Rule = Callable[[], list[Gap]]
_rules: list[Rule] = []


def register(rule: Rule) -> Rule:
    if rule not in _rules:
        _rules.append(rule)
    return rule


def field_key(model_label: str, field_name: str) -> str:
    return f"{model_label}.{field_name}"


def personal_fields() -> dict[str, str]:
    """Every personal field of the subject-data map ("app.Model.field") -> its category."""
    return {
        field_key(declaration.label, name): personal.category
        for declaration in declarations()
        for name, personal in declaration.fields.items()
    }


def field_label(key: str) -> str:
    """ "crm.Contact.first_name" as a DPO reads it: "Contact: first name" (the key itself when it is unknown)."""
    app_label, _sep, rest = key.partition(".")
    model_name, _sep, field_name = rest.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return key
    return f"{capfirst(model._meta.verbose_name)}: {field.verbose_name}"


def _covered_fields(activities: list[ProcessingActivity], fields: dict[str, str]) -> set[str]:
    covered = set()
    for activity in activities:
        categories = {row.category for row in activity.data_categories.all()}
        covered |= {key for key in activity.data_fields if fields.get(key) in categories}
    return covered


def _approved() -> list[ProcessingActivity]:
    return list(ProcessingActivity.objects.approved().prefetch_related("data_categories", "recipients"))


def uncovered_fields_gaps() -> list[Gap]:
    fields = personal_fields()
    covered = _covered_fields(_approved(), fields)
    by_category: dict[str, list[str]] = defaultdict(list)
    for key, category in sorted(fields.items()):
        if key not in covered:
            by_category[category].append(key)
    return [
        Gap(
            rule="fields",
            message=_("%(category)s: %(count)d field(s) that no approved activity covers.")
            % {"category": Category(category).label, "count": len(keys)},
            link=reverse("registry:index"),
            causes=[field_label(key) for key in keys],
        )
        for category, keys in by_category.items()
    ]


def _recipient_names(activities: list[ProcessingActivity]) -> tuple[dict[str, Recipient], bool]:
    """Approved recipients by lower-cased name, and whether an internal service is among them."""
    recipients = {r.name.strip().lower(): r for activity in activities for r in activity.recipients.all()}
    internal = any(r.kind == RecipientKind.INTERNAL for r in recipients.values())
    return recipients, internal


def disclosure_gaps() -> list[Gap]:
    """Drift: recipients of actual disclosures that the register does not name, or names without a safeguard."""
    recipients, internal_named = _recipient_names(_approved())
    rows = (
        Disclosure.objects.values("recipient", "country")
        .annotate(count=Count("pk"), last=Max("disclosed_at"), last_id=Max("pk"))
        .order_by("recipient", "country")
    )
    gaps = []
    for row in rows:
        name = row["recipient"].strip()
        if name.lower().startswith(INTERNAL_PREFIX):
            if internal_named:
                continue
            message = _("Internal exports are made, but no approved activity names an internal recipient.")
        elif name.lower() not in recipients:
            message = _("“%(name)s” received contacts' data, but no approved activity names it as a recipient.") % {
                "name": name
            }
        elif is_third_country(row["country"]) and not recipients[name.lower()].transfer_mechanism:
            message = _("“%(name)s” (%(country)s) is outside the EEA and has no transfer safeguard recorded.") % {
                "name": name,
                "country": row["country"],
            }
        else:
            continue
        ids = Disclosure.objects.filter(recipient=row["recipient"], country=row["country"]).order_by("-pk")
        causes = [
            _("Disclosure #%(id)s on %(date)s (%(channel)s, %(count)d contacts)")
            % {"id": d.pk, "date": f"{d.disclosed_at:%Y-%m-%d}", "channel": d.channel, "count": d.contact_count}
            for d in ids[:5]
        ]
        gaps.append(Gap(rule="disclosures", message=message, link=reverse("registry:recipient_list"), causes=causes))
    return gaps


def transfer_gaps() -> list[Gap]:
    gaps = []
    seen = set()
    for activity in _approved():
        for recipient in activity.recipients.all():
            if recipient.transfer_unsafeguarded and recipient.pk not in seen:
                seen.add(recipient.pk)
                gaps.append(
                    Gap(
                        rule="transfers",
                        message=_("%(name)s (%(country)s) is outside the EEA and has no transfer safeguard recorded.")
                        % {"name": recipient.name, "country": recipient.country},
                        link=reverse("registry:recipient_edit", args=[recipient.pk]),
                        causes=[str(activity)],
                    )
                )
    return gaps


register(uncovered_fields_gaps)
register(disclosure_gaps)
register(transfer_gaps)


def coverage_gaps() -> list[Gap]:
    """Every gap every registered rule finds, built-in rules first."""
    return [gap for rule in _rules for gap in rule()]
