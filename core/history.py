"""History with attribution: every tracked model records who made each change.

`tracked()` returns the `HistoricalRecords` every personal-data and compliance
model uses. Each history row carries the acting user (when there is one) and
the actor's kind and label, so writes by API keys and jobs are attributed too.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .actors import current_actor


class ActorStamp(models.Model):
    history_actor_kind = models.CharField(_("actor kind"), max_length=16, default="anonymous")
    history_actor_label = models.CharField(_("actor"), max_length=150, blank=True)

    class Meta:
        abstract = True


def _current_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    from django.contrib.auth import get_user_model

    actor = current_actor()
    if actor.user_id is None:
        return None
    return get_user_model()(pk=actor.user_id, username=actor.label)


def tracked(**kwargs: Any) -> HistoricalRecords:
    kwargs.setdefault("bases", [ActorStamp])
    kwargs.setdefault("get_user", _current_user)
    return HistoricalRecords(**kwargs)


@receiver(pre_create_historical_record)
def _stamp_actor(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if isinstance(history_instance, ActorStamp):
        actor = current_actor()
        history_instance.history_actor_kind = actor.kind
        history_instance.history_actor_label = actor.label[:150]
    # A generated reason ("changed name, period_months, ...") may outgrow its column: shortened, never a database error.
    reason = history_instance.history_change_reason
    limit = history_instance._meta.get_field("history_change_reason").max_length
    if reason and limit and len(reason) > limit:
        history_instance.history_change_reason = reason[: limit - 1] + "…"
