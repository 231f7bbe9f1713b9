"""The page language: address prefix, then the user's saved choice, then the browser, then the default."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from core.language import staff_language_set
from core.models import StaffPreference

from ..factories import PASSWORD

FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def _language(response) -> str:
    return response["Content-Language"]


@pytest.mark.django_db
def test_a_french_browser_gets_french_without_a_prefix(sales_user):
    response = _signed_in(sales_user).get("/contacts/", **FRENCH_BROWSER)
    assert response.status_code == 200
    assert _language(response) == "fr"
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.django_db
def test_the_login_page_follows_the_browser_too(client):
    assert _language(client.get("/login/", **FRENCH_BROWSER)) == "fr"
    assert _language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="de-DE")) == "en"  # unsupported: the default


@pytest.mark.django_db
def test_a_saved_english_choice_beats_a_french_browser(sales_user):
    staff_language_set(user=sales_user, language="en")
    response = _signed_in(sales_user).get("/contacts/", **FRENCH_BROWSER)
    assert _language(response) == "en"


@pytest.mark.django_db
def test_the_prefix_beats_the_saved_choice(sales_user):
    staff_language_set(user=sales_user, language="en")
    assert _language(_signed_in(sales_user).get("/fr/contacts/")) == "fr"


@pytest.mark.django_db
def test_the_language_switch_saves_the_choice_for_the_next_sign_in(sales_user):
    client = _signed_in(sales_user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/contacts/"}, **FRENCH_BROWSER)
    assert response.status_code == 302
    preference = StaffPreference.objects.get(user=sales_user)
    assert preference.language == "en"
    assert preference.history.count() == 1

    # a new browser: no cookie, no session, still French by its Accept-Language
    fresh = _signed_in(sales_user)
    fresh.cookies.pop("django_language", None)
    assert _language(fresh.get("/contacts/", **FRENCH_BROWSER)) == "en"


@pytest.mark.django_db
def test_an_unsupported_language_is_not_saved(sales_user):
    _signed_in(sales_user).post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert not StaffPreference.objects.filter(user=sales_user).exists()
    with pytest.raises(ValueError):
        staff_language_set(user=sales_user, language="de")


@pytest.mark.parametrize(("language", "expected"), [("en", "2 Dec 2026, 01:47"), ("fr", "2 déc 2026, 01:47")])
def test_dates_read_the_same_way_in_every_country(language, expected):
    moment = timezone.make_aware(datetime.datetime(2026, 12, 2, 1, 47))
    with translation.override(language):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == expected
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == expected.split(",")[0]
