"""Encryption at rest for personal fields.

Values are encrypted with MultiFernet over FIELD_ENCRYPTION_KEYS: the first key
encrypts, every listed key decrypts, so a key is rotated by putting a new one
first and re-encrypting (`manage.py rotate_keys`). Exact lookups use a keyed
blind index (HMAC-SHA256 of the normalised value under BLIND_INDEX_KEY), never
the ciphertext, which is randomised.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("value is not an encrypted token")
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("no configured key decrypts this value") from exc


def rotate(token: str) -> Ciphertext:
    """Re-encrypt a token under the current primary key."""
    return Ciphertext(PREFIX + fernet().rotate(token[len(PREFIX) :].encode()).decode())


def blind_index(normalised: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class Ciphertext(str):
    """A token that is already encrypted and must be stored as it is."""


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; Python code only sees plaintext.

    It cannot be filtered or ordered on (the ciphertext is randomised): pair it
    with a blind index where exact lookup is needed.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, Ciphertext):
            return str(value)  # already encrypted (key rotation writes tokens as they are)
        return encrypt(str(value))
