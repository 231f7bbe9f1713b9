"""The public request form and its verification link (DSR-01, DSR-02, DESIGN invariant 4)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import OutboxMessage
from dsar.models import EventKind, IdentityMethod, MatchMethod, PendingSubmission, Request, RequestChannel
from dsar.services import submissions_lapse
from tests.factories import ContactFactory

from .conftest import PUBLIC_URL, submit, verification_token

pytestmark = pytest.mark.django_db


def test_the_form_speaks_the_browsers_language_and_offers_a_visible_switch():
    english = Client().get(PUBLIC_URL, HTTP_ACCEPT_LANGUAGE="en")
    french = Client().get(PUBLIC_URL, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    switched = Client().get(PUBLIC_URL + "?lang=en", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Send my request" in english.content.decode()
    assert french["Content-Language"] == "fr" and "Envoyer ma demande" in french.content.decode()
    assert 'href="/privacy/request/?lang=en"' in french.content.decode()
    assert switched["Content-Language"] == "en"


def test_a_request_needs_only_a_right_a_name_and_an_address_and_sends_a_link():
    response = submit(rights=["erasure"], name="Jeanne Martin", email="Jeanne@Example.org")
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    submission = PendingSubmission.objects.get()
    assert (submission.rights, submission.requester_email) == (["erasure"], "jeanne@example.org")
    assert not Request.objects.exists()  # staff see nothing before the link is opened
    assert OutboxMessage.objects.get(template="dsar_verification").recipient == "jeanne@example.org"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rights": []}, "rights", "Choose at least one request."),
        ({"rights": ["everything"]}, "rights", "Choose among the requests listed."),
        ({"name": ""}, "name", "Give your name."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "Give your e-mail address."),
        ({"name": "x" * 151}, "name", "at most 150 characters"),
    ],
)
def test_bad_input_gets_a_message_by_its_field_and_nothing_is_stored(fields, field, message):
    response = submit(**fields)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_errors"' in html and message in html
    assert not PendingSubmission.objects.exists()


def test_the_form_refuses_a_post_without_the_csrf_token():
    response = Client(enforce_csrf_checks=True).post(
        PUBLIC_URL, {"rights": ["access"], "name": "A", "email": "a@b.org"}
    )
    assert response.status_code == 403
    assert not PendingSubmission.objects.exists()


def test_a_robot_filling_the_honeypot_gets_the_same_answer_and_nothing_is_stored():
    human = submit(email="human@example.org")
    robot = submit(email="robot@example.org", website="http://spam.example")
    assert robot.status_code == human.status_code == 200
    assert _normalised(robot) == _normalised(human)
    assert list(PendingSubmission.objects.values_list("requester_email", flat=True)) == ["human@example.org"]


def _normalised(response) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def _headers(response) -> dict[str, str]:
    return dict(response.items())


def test_known_and_unknown_addresses_get_byte_identical_answers():
    # given 50 addresses of contacts and 50 nobody holds
    known = [f"known{n}@example.org" for n in range(50)]
    for address in known:
        ContactFactory(emails=[address])
    unknown = [f"unknown{n}@example.org" for n in range(50)]
    # when each is submitted from a fresh browser
    answers = [submit(email=address) for address in known + unknown]
    # then every answer is the same page, status and headers
    first = answers[0]
    for answer in answers[1:]:
        assert answer.status_code == first.status_code == 200
        assert _normalised(answer) == _normalised(first)
        assert _headers(answer) == _headers(first)
        assert answer.cookies.keys() == first.cookies.keys()
    assert PendingSubmission.objects.count() == 100


def test_the_per_address_limit_answers_the_same_but_sends_nothing_more(settings):
    settings.DSAR_FORM_LIMIT_PER_ADDRESS_PER_DAY = 2
    answers = [submit(email="target@example.org") for _ in range(3)]
    assert {_normalised(a) for a in answers} == {_normalised(answers[0])}
    assert PendingSubmission.objects.count() == 2
    assert OutboxMessage.objects.filter(template="dsar_verification").count() == 2


def test_the_per_ip_limit_counts_on_redis_and_answers_429(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.CELERY_BROKER_URL}
    }
    from django.core.cache import cache

    cache.clear()
    settings.DSAR_FORM_LIMIT_PER_IP_PER_HOUR = 2
    statuses = [submit(email=f"p{n}@example.org").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert PendingSubmission.objects.count() == 2
    cache.clear()


def test_the_link_creates_the_request_matches_every_holder_and_acknowledges_with_the_reference(verified_request):
    holder = ContactFactory(emails=["jeanne@example.org"])
    other = ContactFactory(emails=["someone@example.org"])
    received = timezone.now()
    request = verified_request(email="Jeanne@example.org", rights=["access", "portability"])
    assert request.channel == RequestChannel.WEB
    assert request.rights == ["access", "portability"]
    assert abs(request.received_at - received) < timedelta(seconds=30)
    assert request.identity_method == IdentityMethod.ADDRESS_CONTROL
    assert [(m.contact_id, m.method) for m in request.matches.all()] == [(holder.pk, MatchMethod.VERIFIED_ADDRESS)]
    assert other.pk not in request.matches.values_list("contact_id", flat=True)
    assert not PendingSubmission.objects.exists()
    ack = OutboxMessage.objects.get(template="dsar_acknowledgement")
    assert request.reference in ack.subject and request.reference in ack.body
    assert ack.contact_id == holder.pk
    # the verification message joined the contact too, so that an erasure reaches it
    assert OutboxMessage.objects.get(template="dsar_verification").contact_id == holder.pk
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.RECEIVED, EventKind.VERIFIED, EventKind.MATCHED]


def test_the_link_works_once_and_expires(settings, verified_request):
    request = verified_request()
    reused = Client().post(f"{PUBLIC_URL}verify/{request.events.first().pk}x/")
    assert reused.status_code == 410
    submit(email="late@example.org")
    token = verification_token("late@example.org")
    settings.DSAR_UNVERIFIED_LAPSE_DAYS = 0
    expired = Client().post(f"{PUBLIC_URL}verify/{token}/")
    assert expired.status_code == 410 and "no longer valid" in expired.content.decode()
    assert Request.objects.count() == 1


def test_opening_the_link_only_shows_a_button(verified_request):
    submit(email="scan@example.org")
    token = verification_token("scan@example.org")
    page = Client().get(f"{PUBLIC_URL}verify/{token}/")
    assert page.status_code == 200 and 'id="dsar-confirm"' in page.content.decode()
    assert not Request.objects.exists()  # a mail scanner opening the link confirms nothing


def test_the_clock_does_not_count_the_days_waiting_for_the_click(settings, verified_request):
    submit(email="slow@example.org")
    PendingSubmission.objects.update(submitted_at=timezone.now() - timedelta(days=3))
    token = verification_token("slow@example.org")
    Client().post(f"{PUBLIC_URL}verify/{token}/")
    request = Request.objects.get()
    assert request.paused_days == 3
    settings.DSAR_SUSPEND_CLOCK_WHILE_AWAITING_IDENTITY = False
    submit(email="slow2@example.org")
    PendingSubmission.objects.update(submitted_at=timezone.now() - timedelta(days=3))
    Client().post(f"{PUBLIC_URL}verify/{verification_token('slow2@example.org')}/")
    assert Request.objects.order_by("-pk").first().paused_days == 0


def test_unverified_submissions_lapse_and_their_message_keeps_no_address(settings):
    submit(email="never@example.org")
    submit(email="recent@example.org")
    old = PendingSubmission.objects.order_by("pk").first()
    PendingSubmission.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=8))
    assert submissions_lapse() == (1, False)
    assert list(PendingSubmission.objects.values_list("requester_email", flat=True)) == ["recent@example.org"]
    blanked = OutboxMessage.objects.get(pk=old.message_ref)
    assert (blanked.recipient, blanked.subject, blanked.body) == ("", "", "")
    assert not OutboxMessage.history.filter(id=old.message_ref).exists()
