from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register()
def check_subject_data_map(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The app refuses to start while a model holding a contact's data is undeclared."""
    from .subject_data import coverage_problems

    return [
        Error(f"{problem.model} {problem.message}.", id="crm.E001", obj=problem.model)
        for problem in coverage_problems()
    ]
