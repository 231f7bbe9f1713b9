"""`{% fulfilment_actions case %}`: the fulfilment actions on the request page, for those who may fulfil."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def fulfilment_actions(context: template.Context, case: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("dsar.fulfil_request"):
        return ""
    from dsar.fulfilment.views import fulfilment_context

    values = {**fulfilment_context(case), "perms": context.get("perms"), "csrf_token": context.get("csrf_token")}
    return render_to_string("dsar/fulfilment/_actions_body.html", values, request=request)
