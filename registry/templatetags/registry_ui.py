from __future__ import annotations

from typing import Any

from django import template

from core.subject_data import Category

from ..choices import BreachNature, DpiaCriterion, ReviewItem, SecurityMeasure, SensitiveData, SubjectCategory
from ..coverage import field_label
from ..selectors import choice_labels

register = template.Library()

LISTS = {
    "subjects": SubjectCategory.choices,
    "sensitive": SensitiveData.choices,
    "security": SecurityMeasure.choices,
    "dpia": DpiaCriterion.choices,
    "review": ReviewItem.choices,
    "nature": BreachNature.choices,
    "categories": Category.choices,
}


@register.filter
def labels(values: Any, kind: str) -> str:
    """A JSON list of choice values, as their labels joined by commas ("—" when empty)."""
    return ", ".join(choice_labels(list(values or []), LISTS[kind])) or "—"


@register.filter
def field_labels(keys: Any) -> str:
    """Fields of the subject-data map as a DPO reads them ("Contact: first name, …")."""
    return ", ".join(field_label(key) for key in keys or []) or "—"
