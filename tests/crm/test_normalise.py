from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.normalise import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Anna.Martin@Example.ORG ", "anna.martin@example.org"),
        ("élise@exämple.fr", "élise@xn--exmple-cua.fr"),
        ("ELISE@XN--EXMPLE-CUA.FR", "elise@xn--exmple-cua.fr"),
    ],
)
def test_emails_are_lower_cased_and_idna_encoded(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "anna", "anna@", "@example.org", "an na@example.org", "a@b..c", 'a"b@c.org'])
def test_invalid_emails_are_rejected(raw):
    with pytest.raises(ValidationError):
        normalise_email(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_become_e164(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12", "not a number", "+33 1"])
def test_invalid_phones_are_rejected(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)
