"""Re-encrypt every encrypted field under the current primary key, without downtime.

To rotate: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), restart the processes, then run `manage.py rotate_keys`. New writes already
use the new key; this pass rewrites old tokens in batches of primary keys, each
batch in its own short transaction, so the app keeps serving. When it reports
zero rows left under old keys, the old keys can be removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from .audit import audit_event_record
from .crypto import PREFIX, EncryptedTextField, rotate

BATCH_SIZE = 2000


@dataclass
class RotationCount:
    model: str
    field: str
    rows: int


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every concrete model (history models included) with its encrypted columns."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names and model._meta.managed:
            yield model, names


def _primary_key_version(token: str, primary: Fernet) -> bool:
    """True when the token already decrypts with the primary key alone."""
    try:
        primary.decrypt(token[len(PREFIX) :].encode())
    except Exception:  # noqa: BLE001 - InvalidToken means an older key
        return False
    return True


def rotate_model(model: type[models.Model], names: list[str], batch_size: int = BATCH_SIZE) -> list[RotationCount]:
    counts = dict.fromkeys(names, 0)
    manager = model._base_manager
    primary = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    # Cast to a plain text column skips from_db_value: we handle tokens, never plaintext.
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    last_pk = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.annotate(**raw).values_list("pk", *raw)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1][0]
        with transaction.atomic():
            for pk, *tokens in batch:
                changes = {
                    name: rotate(token)
                    for name, token in zip(names, tokens, strict=True)
                    if token and not _primary_key_version(token, primary)
                }
                if changes:
                    manager.filter(pk=pk).update(**changes)
                    for name in changes:
                        counts[name] += 1
    return [RotationCount(model._meta.label, name, rows) for name, rows in counts.items()]


def keys_rotate(*, batch_size: int = BATCH_SIZE) -> list[RotationCount]:
    """Rotate every encrypted column; writes one `keys.rotated` audit event."""
    results: list[RotationCount] = []
    for model, names in encrypted_fields():
        results.extend(rotate_model(model, names, batch_size))
    audit_event_record(
        action="keys.rotated",
        data={"rewritten": {f"{r.model}.{r.field}": r.rows for r in results if r.rows}},
    )
    return results
