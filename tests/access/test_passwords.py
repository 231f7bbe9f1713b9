"""SEC-02: staff passwords follow the CNIL rule (délibération 2022-100)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    "password",
    [
        "Password1!",  # 10 characters
        "Abcdefgh1234",  # 12 characters from 3 classes
        "Abcdefghijk12",  # 13 characters from 3 classes
        "alllowercaseletters",  # 1 class
        "one two three four five six",  # six words
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "Tr0ub4dor&3xY",  # 13 characters, 4 classes
        "kangaroo-Staple-71a",  # 19 characters, 4 classes
        "Orchard7Lantern9Q",  # 17 characters, 3 classes
        "violet harbour pencil thunder mellow garden rocket",  # 7 words
    ],
)
def test_strong_passwords_are_accepted(password):
    validate_password(password)


def test_the_help_text_says_the_rule():
    from access.passwords import CnilPasswordValidator

    assert "12 characters" in CnilPasswordValidator().get_help_text()
