"""The staff password rule of the CNIL (délibération 2022-100), as a Django password validator.

A password alone must carry about 80 bits of entropy, which the CNIL spells out as: at least 12 characters
from the 4 classes (lower case, upper case, digits, other characters), or at least 14 characters from 3
of them, or a passphrase of at least 7 words. Django's other validators (similarity to the user's name,
common passwords, all digits) still apply beside this one.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9\s]")
PASSPHRASE_WORDS = 7
PASSPHRASE_MIN_LENGTH = 25  # seven words of three letters and their separators would not be a passphrase


def character_classes(password: str) -> int:
    return sum(1 for pattern in CLASSES if re.search(pattern, password))


def meets_cnil_rule(password: str) -> bool:
    classes, length = character_classes(password), len(password)
    words = [word for word in re.split(r"[\s\-_.,;:]+", password) if word]
    passphrase = len(words) >= PASSPHRASE_WORDS and length >= PASSPHRASE_MIN_LENGTH
    return (length >= 12 and classes >= 4) or (length >= 14 and classes >= 3) or passphrase


class CnilPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not meets_cnil_rule(password):
            raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self) -> str:
        return _(
            "Your password must have at least 12 characters mixing lower case, upper case, digits and other "
            "characters; or at least 14 characters from three of these kinds; or be a passphrase of at least "
            "7 words."
        )
