"""Hostile input gets a clear 4xx in the documented shape, never a server error (DESIGN.md invariant 7).

Run with DEBUG off, as in production (pytest-django's default), and through the
real middleware stack and parsers.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from crm.models import Contact, Organisation
from tests.crm.api_clients import key_api, staff_api
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"


def _post_raw(client, url: str, body: str):
    return client.generic("POST", url, body.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.mark.parametrize("depth", [21, 5_000, 100_000])
def test_a_deeply_nested_json_body_is_a_400_in_the_field_error_shape(dpo_user, depth):
    body = '{"first_name": ' + "[" * depth + "]" * depth + "}"

    response = _post_raw(staff_api(dpo_user), CONTACTS, body)

    assert response.status_code == 400
    assert "nested more than 20 levels" in response.json()["non_field_errors"][0]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "text", ['"Ada\\u0000"', '"\\ud800"', '"Ada\\udfff"'], ids=["nul", "lone-high-surrogate", "lone-low-surrogate"]
)
def test_text_postgresql_cannot_store_is_a_400_wherever_it_is_in_the_body(dpo_user, text):
    client = staff_api(dpo_user)

    in_value = _post_raw(client, CONTACTS, f'{{"first_name": {text}, "last_name": "L", "source": "manual"}}')
    in_key = _post_raw(client, CONTACTS, f'{{"external_ids": {{{text}: "x"}}, "source": "manual"}}')
    in_tag = _post_raw(client, CONTACTS, f'{{"tags": [{text}], "source": "manual"}}')

    for response in (in_value, in_key, in_tag):
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["non_field_errors"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("body", ["{", "\x91", "[1, 2", '{"a": NaN}'])
def test_a_body_that_is_not_json_is_a_400_in_the_field_error_shape(dpo_user, body):
    response = _post_raw(staff_api(dpo_user), CONTACTS, body)

    assert response.status_code == 400
    messages = response.json()["non_field_errors"]
    assert isinstance(messages, list) and isinstance(messages[0], str)


@pytest.mark.parametrize("name", ["crm:organisation_list", "crm:organisation_options", "crm:contact_list"])
@pytest.mark.parametrize("parameter", ["q", "organisation_q", "cursor", "sort", "email"])
def test_a_nul_in_a_staff_query_string_is_a_400(role_client, name, parameter):
    Organisation.objects.create(name="Acme")

    response = role_client("DPO").get(reverse(name), {parameter: "Ac\x00me"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_changes_nothing(role_client):
    contact = ContactFactory()
    client, url = role_client("DPO"), reverse("crm:contact_delete", args=[contact.pk])

    urlencoded = client.post(url, "reason=x%00", content_type="application/x-www-form-urlencoded")
    multipart = client.post(url, {"reason": "x\x00"})  # not read by the middleware: the view's form refuses it

    assert urlencoded.status_code == 400
    assert multipart.status_code in (200, 400)
    contact.refresh_from_db()
    assert contact.deleted_at is None


def test_a_nul_in_a_cookie_or_the_path_is_a_400_not_a_database_error(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    assert client.get(reverse("login")).status_code == 400
    assert client.get("/contacts/organisations/%00/").status_code in (400, 404)


def test_a_nul_in_an_api_query_string_is_a_json_400(dpo_user):
    response = staff_api(dpo_user).get("/api/v1/organisations/", {"q": "\x00"})

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert list(response.json()) == ["non_field_errors"]


@pytest.mark.parametrize("path", ["contacts/1.5/", "contacts/1/2/3/", "contacts/1.json/restore/", "nothing-here/"])
def test_every_api_404_is_json_in_the_detail_shape(dpo_user, path):
    response = staff_api(dpo_user).get(f"/api/v1/{path}")

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_string_where_the_schema_says_integer_and_a_number_where_it_says_string_are_400s():
    _key, client = key_api("contacts:read", "contacts:write", "interactions:read", "interactions:write")
    contact = ContactFactory()

    as_number = client.post(CONTACTS, {"first_name": 5, "last_name": "L"}, format="json")
    tags_as_object = client.post(CONTACTS, {"first_name": "F", "last_name": "L", "tags": {}}, format="json")
    contact_as_text = client.post(
        "/api/v1/interactions/",
        {"contact": str(contact.pk), "kind": "call", "subject": "Call", "occurred_at": "2026-01-01T10:00:00Z"},
        format="json",
    )

    assert as_number.status_code == 400 and list(as_number.json()) == ["first_name"]
    assert tags_as_object.status_code == 400 and list(tags_as_object.json()) == ["tags"]
    assert contact_as_text.status_code == 400 and list(contact_as_text.json()) == ["contact"]


def test_date_times_before_1911_come_back_in_utc_not_paris_mean_time():
    _key, client = key_api("contacts:read", "contacts:write")
    created = client.post(
        CONTACTS, {"first_name": "Ann", "last_name": "Old", "collected_at": "1900-01-01T00:00:00+00:00"}, format="json"
    )

    assert created.status_code == 201, created.content
    assert created.json()["collected_at"] == "1900-01-01T00:00:00Z"


@pytest.mark.parametrize("value", ["2026-01-01", "2026-01-01T10:00:00", "2026-01-01 10:00:00+01:00", "yesterday"])
def test_an_interaction_filter_date_time_needs_its_offset(dpo_user, value):
    response = staff_api(dpo_user).get("/api/v1/interactions/", {"occurred_after": value})

    assert response.status_code == 400 and list(response.json()) == ["occurred_after"]


def test_the_interaction_filter_takes_an_rfc3339_date_time(dpo_user):
    response = staff_api(dpo_user).get("/api/v1/interactions/", {"occurred_after": "2026-01-01T10:00:00.5+01:00"})

    assert response.status_code == 200


def test_an_error_list_keeps_its_index_in_the_documented_nested_shape(dpo_user):
    response = staff_api(dpo_user).post(
        CONTACTS, {"last_name": "L", "source": "manual", "emails": ["ok@example.org", 7]}, format="json"
    )

    assert response.status_code == 400
    assert json.loads(response.content)["emails"] == {"1": ["Not a valid string."]}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/interactions/", "occurred_before"),
        ("/api/v1/interactions/", "contact"),
        ("/api/v1/contacts/", "owner"),
        ("/api/v1/contacts/", "status"),
        ("/api/v1/contacts/", "ordering"),
        ("/api/v1/contacts/", "page_size"),
    ],
)
def test_a_blank_typed_api_parameter_is_a_field_error_not_no_filter(dpo_user, url, parameter):
    response = staff_api(dpo_user).get(url, {parameter: ""})

    assert response.status_code == 400 and list(response.json()) == [parameter]


def test_a_blank_text_filter_is_no_filter_and_the_staff_list_still_takes_blank_fields(dpo_user, role_client):
    ContactFactory()

    assert staff_api(dpo_user).get(CONTACTS, {"q": "", "email": ""}).status_code == 200
    assert role_client("DPO").get(reverse("crm:contact_list"), {"owner": "", "status": ""}).status_code == 200


def test_every_api_endpoint_reads_json_only_through_the_guarded_parser(dpo_user):
    # given a retention policy, an endpoint outside the contacts API
    from retention.defaults import default_policies_load
    from retention.models import RetentionPolicy

    default_policies_load()
    policy = RetentionPolicy.objects.order_by("pk").first()
    url = f"/api/v1/retention/policies/{policy.pk}/"
    client = staff_api(dpo_user)

    # when the DPO sends a form body, then a JSON body nested too deep
    form = client.generic("PATCH", url, "period_months=1", content_type="application/x-www-form-urlencoded")
    nested = client.generic(
        "PATCH", url, '{"period_months": ' + "[" * 50 + "]" * 50 + "}", content_type="application/json"
    )

    # then the form is an unsupported media type and the nesting a 400, both in JSON, and the policy is unchanged
    assert form.status_code == 415 and form["Content-Type"] == "application/json"
    assert nested.status_code == 400 and "nested more than 20 levels" in nested.json()["non_field_errors"][0]
    assert RetentionPolicy.objects.get(pk=policy.pk).version == policy.version
