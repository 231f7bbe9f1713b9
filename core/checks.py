from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS entry {position + 1} is not a valid Fernet key.",
                    hint="Generate one with `python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`.",
                    id="core.E001",
                )
            )
    if len(settings.BLIND_INDEX_KEY) < 32:
        errors.append(Error("BLIND_INDEX_KEY must be at least 32 characters.", id="core.E002"))
    return errors
