"""Preference centre, double opt-in link and one-click unsubscribe: no login, no cookie, English and French."""

from __future__ import annotations

import pytest
from django.test import Client

from consent import services, tokens
from consent.models import Action, ConsentEvent, ConsentState, Method, Status, Suppression

pytestmark = pytest.mark.django_db


def prefs_url(contact):
    return f"/privacy/preferences/{tokens.preferences_token(contact.pk)}/"


def test_the_preference_centre_shows_unticked_boxes_with_the_wording_and_sets_no_cookie(newsletter, make_contact):
    contact = make_contact()
    response = Client().get(prefs_url(contact), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Send me the monthly newsletter." in html
    assert f'name="p-{newsletter.pk}-email" id="p-{newsletter.pk}-email">' in html  # no "checked"
    assert response.cookies == {}
    assert "Set-Cookie" not in response


def test_the_preference_centre_speaks_french_to_a_french_browser(newsletter, make_contact):
    response = Client().get(prefs_url(make_contact()), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert "Envoyez-moi la lettre mensuelle." in html
    assert "Lettre d&#x27;information" in html or "Lettre d'information" in html


def test_submitting_without_ticking_creates_no_consent(newsletter, make_contact):
    contact = make_contact()
    response = Client().post(prefs_url(contact), {})
    assert response.status_code == 200
    assert not ConsentEvent.objects.filter(contact=contact).exists()


def test_ticking_records_the_proof_and_unticking_withdraws(newsletter, make_contact):
    contact = make_contact()
    field = f"p-{newsletter.pk}-email"
    Client().post(prefs_url(contact), {field: "on"}, HTTP_USER_AGENT="Firefox/130", REMOTE_ADDR="198.51.100.7")
    given = ConsentEvent.objects.get(contact=contact, action=Action.GIVEN)
    assert (given.method, given.form_id, given.ip_address, given.user_agent) == (
        Method.PREFERENCE_CENTRE,
        "preference-centre",
        "198.51.100.7",
        "Firefox/130",
    )
    assert given.recorded_by_kind == "subject"
    Client().post(prefs_url(contact), {})
    assert ConsentState.objects.get(contact=contact, purpose=newsletter).status == Status.WITHDRAWN


def test_a_forged_link_is_not_found(make_contact):
    contact = make_contact()
    token = tokens.preferences_token(contact.pk)
    assert Client().get(f"/privacy/preferences/{token[:-2]}xx/").status_code == 404
    forged = tokens.make(tokens.UNSUBSCRIBE, c=contact.pk, p=None)  # right payload, wrong salt for this page
    assert Client().get(f"/privacy/preferences/{forged}/").status_code == 404


def test_one_click_unsubscribe_withdraws_in_one_request_without_login(newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    url = f"/privacy/unsubscribe/{tokens.unsubscribe_token(contact.pk, newsletter.pk)}/"
    response = Client().get(url)
    assert response.status_code == 200 and response.cookies == {}
    assert ConsentState.objects.get(contact=contact, purpose=newsletter).status == Status.WITHDRAWN
    event = ConsentEvent.objects.get(contact=contact, action=Action.WITHDRAWN)
    assert event.method == Method.UNSUBSCRIBE_LINK


def test_list_unsubscribe_post_from_a_mail_client(newsletter, wording_en, make_contact):
    contact = make_contact()
    services.consent_give(contact=contact, purpose=newsletter, channel="email", method=Method.PHONE, wording=wording_en)
    url = f"/privacy/unsubscribe/{tokens.unsubscribe_token(contact.pk, None)}/"
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ConsentState.objects.get(contact=contact, purpose=newsletter).status == Status.WITHDRAWN


def test_objecting_from_the_preference_centre_suppresses_the_person(newsletter, make_contact):
    contact = make_contact()
    response = Client().post(prefs_url(contact), {"object": "1"})
    assert 'id="preferences-objected"' in response.content.decode()
    assert Suppression.objects.filter(contact=contact).count() == 1


def test_a_broken_confirmation_link_answers_clearly(newsletter):
    response = Client().get("/privacy/confirm/garbage/")
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()


def test_the_french_preference_centre_is_translated(newsletter, make_contact):
    html = Client().get(prefs_url(make_contact()), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vos préférences de communication" in html and "Enregistrer mes choix" in html
