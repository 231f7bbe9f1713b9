"""The entry rules every path shares (crm.normalise): ISO 3166-1 countries, plausible birth dates, no invisible
or control characters in one-line text. Form, API and service give the same field errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from crm.models import Contact, Organisation
from crm.normalise import check_birth_date, check_country, check_entry, invisible_characters
from crm.services import contact_create
from crm.services.organisations import organisation_create

from .api_clients import key_api
from .test_views import new_contact_data

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize("code", ["FR", "DE", "GB", "AX", "BQ"])
def test_assigned_iso_3166_codes_pass(code):
    check_country(code)


@pytest.mark.parametrize("code", ["ZZ", "XK", "UK", "EU", "AA", "QM", "fr", "F1"])
def test_user_assigned_reserved_or_malformed_codes_are_refused(code):
    with pytest.raises(ValidationError) as error:
        check_country(code)
    assert list(error.value.message_dict) == ["country"]


@pytest.mark.parametrize("born", [date(2026, 12, 2), date(1980, 5, 17), date(1896, 1, 1)])
def test_plausible_birth_dates_pass(born):
    check_birth_date(born, today=TODAY)


@pytest.mark.parametrize("born", [date(2026, 12, 3), date(2999, 1, 1), date(1895, 12, 31), date(1, 1, 1)])
def test_future_and_absurdly_old_birth_dates_are_refused(born):
    with pytest.raises(ValidationError) as error:
        check_birth_date(born, today=TODAY)
    assert list(error.value.message_dict) == ["birth_date"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ada\u200b", ["U+200B"]),  # zero-width space
        ("\ufeffAda", ["U+FEFF"]),  # byte-order mark
        ("Ada\u202eecalevoL", ["U+202E"]),  # right-to-left override
        ("Ada\x07", ["U+0007"]),  # control character
        ("Ada\nLovelace", ["U+000A"]),  # a line break in a one-line field
        ("Ada\u00ad", ["U+00AD"]),  # soft hyphen
        ("\u200cAda", ["U+200C"]),  # a joiner that joins nothing
    ],
)
def test_invisible_and_control_characters_are_found_and_named(text, found):
    assert invisible_characters(text) == found


PERSIAN_WITH_ZWNJ = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
HINDI_WITH_ZWJ = "\u0915\u094d\u200d\u0937"


@pytest.mark.parametrize("text", ["Élise", "O'Brien-Smith", "José María", PERSIAN_WITH_ZWNJ, HINDI_WITH_ZWJ, "李小龙"])
def test_real_names_in_any_script_pass_joiners_between_letters_included(text):
    assert invisible_characters(text) == []


def test_check_entry_reports_every_field_at_once():
    with pytest.raises(ValidationError) as error:
        check_entry(texts={"first_name": "A\u200b", "city": "Paris"}, country="ZZ", birth_date=date(2999, 1, 1))
    assert set(error.value.message_dict) == {"first_name", "country", "birth_date"}
    assert "U+200B" in error.value.message_dict["first_name"][0]


@pytest.mark.django_db
def test_the_service_refuses_them_for_contacts_and_organisations():
    with pytest.raises(ValidationError) as contact_error:
        contact_create(first_name="Ada\u200b", last_name="L", country="ZZ", birth_date=date(2999, 1, 1))
    with pytest.raises(ValidationError) as organisation_error:
        organisation_create(name="Acme\u200b", country="ZZ")

    assert {"first_name", "country", "birth_date"} <= set(contact_error.value.message_dict)
    assert {"name", "country"} <= set(organisation_error.value.message_dict)
    assert not Contact.objects.exists() and not Organisation.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_field_errors():
    _key, client = key_api("contacts:read", "contacts:write")

    response = client.post(
        "/api/v1/contacts/",
        {"first_name": "Ada\u200b", "last_name": "L", "country": "zz", "birth_date": "2999-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert {"first_name", "country", "birth_date"} <= set(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "ZZ"}, "country"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"last_name": "D\u200b"}, "last_name"),
    ],
)
def test_the_staff_form_answers_field_errors(role_client, changes, field):
    response = role_client("Sales").post("/contacts/new/", new_contact_data(**changes))

    assert response.status_code == 200
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Contact.objects.exists()
