"""API keys (SEC-08): hashed at rest, scoped, expiring, revocable, throttled, and every write attributed to the key."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from access.apikeys import SCOPES, api_key_authenticate, api_key_create, api_key_revoke, parse_key
from access.authentication import ApiKeyUser
from access.models import ApiKey
from access.permissions import HasScope
from core.actors import ANONYMOUS, current_actor
from core.models import AuditEvent
from crm.models import Contact

pytestmark = pytest.mark.django_db

CONTACTS_URL = "/api/v1/contacts/"
NEW_CONTACT = {"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"]}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def make_key(*scopes: str, **kwargs) -> tuple[ApiKey, str]:
    return api_key_create(name=kwargs.pop("name", "Newsletter tool"), scopes=list(scopes), **kwargs)


def key_client(plaintext: str, header: str = "authorization") -> APIClient:
    client = APIClient()
    if header == "authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    else:
        client.credentials(HTTP_X_API_KEY=plaintext)
    return client


# --- the service -------------------------------------------------------------------------------------------------


def test_create_returns_a_key_of_the_documented_shape_and_records_an_audit_event(admin_role_user):
    key, plaintext = make_key("contacts:read", created_by=admin_role_user)

    mark, prefix, secret = plaintext[:3], plaintext[4:12], plaintext[13:]
    assert (mark, plaintext[3], plaintext[12]) == ("crm", "_", "_")
    assert prefix == key.prefix and parse_key(plaintext) == key.prefix
    assert len(secret) >= 32
    assert key.scopes == ["contacts:read"] and key.expires_at is None and key.created_by == admin_role_user
    event = AuditEvent.objects.get(action="api_key.created", object_id=str(key.pk))
    assert event.data["prefix"] == key.prefix and event.data["scopes"] == ["contacts:read"]
    assert plaintext not in str(event.data)


def test_each_key_is_different():
    _, first = make_key("contacts:read")
    _, second = make_key("contacts:read")
    assert first != second and first[4:12] != second[4:12]


def test_expiry_is_counted_in_days_from_creation():
    key, _ = make_key("contacts:read", expires_in_days=30)
    assert abs(key.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "x", "scopes": ["contacts:read", "contacts:everything"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "  ", "scopes": ["contacts:read"]}, "name"),
        ({"name": "x", "scopes": ["contacts:read"], "expires_in_days": 0}, "expires_in_days"),
    ],
)
def test_create_rejects_bad_input_field_by_field(kwargs, field):
    with pytest.raises(ValidationError) as raised:
        api_key_create(**kwargs)
    assert field in raised.value.message_dict
    assert not ApiKey.objects.exists()


def test_unknown_scope_error_names_the_known_ones():
    with pytest.raises(ValidationError) as raised:
        api_key_create(name="x", scopes=["contacts:everything"])
    message = raised.value.message_dict["scopes"][0]
    assert "contacts:everything" in message and all(name in message for name in SCOPES)


def test_key_is_hashed_at_rest():
    key, plaintext = make_key("contacts:read", "contacts:write")
    secret = plaintext[13:]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apikey")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM core_historicalapikey")
        stored += repr(cursor.fetchall())
    assert key.prefix in stored  # the rows were read
    assert plaintext not in stored and secret not in stored
    assert key.hashed_key != plaintext and len(key.hashed_key) == 64


def test_revoke_records_when_and_why_once(admin_role_user):
    key, _ = make_key("contacts:read")

    api_key_revoke(api_key=key, reason="client decommissioned")
    api_key_revoke(api_key=key, reason="clicked twice")

    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_reason == "client decommissioned"
    events = AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk))
    assert [e.reason for e in events] == ["client decommissioned"]
    assert key.history.filter(history_type="~").count() == 1


def test_revoke_needs_a_reason():
    key, _ = make_key("contacts:read")
    with pytest.raises(ValidationError) as raised:
        api_key_revoke(api_key=key, reason=" ")
    assert "reason" in raised.value.message_dict
    key.refresh_from_db()
    assert key.revoked_at is None


def test_last_used_is_written_at_most_once_a_minute():
    key, plaintext = make_key("contacts:read")
    start = timezone.now()

    api_key_authenticate(plaintext, at=start)
    api_key_authenticate(plaintext, at=start + timedelta(seconds=30))
    key.refresh_from_db()
    assert key.last_used_at == start

    api_key_authenticate(plaintext, at=start + timedelta(seconds=61))
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)
    assert key.history.count() == 1  # only the creation: usage writes no history


# --- the command --------------------------------------------------------------------------------------------------


def test_command_prints_the_key_once_and_only_the_key_on_stdout():
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "create_api_key", "--name", "Shop", "--scopes", "contacts:read, contacts:write", "--expires", "7",
        stdout=out, stderr=err,
    )  # fmt: skip

    plaintext = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert plaintext.startswith(f"crm_{key.prefix}_") and out.getvalue().count(plaintext) == 1
    assert plaintext not in err.getvalue() and "not be shown again" in err.getvalue()
    assert (key.name, key.scopes) == ("Shop", ["contacts:read", "contacts:write"])
    assert key.expires_at is not None
    assert api_key_authenticate(plaintext) == key
    event = AuditEvent.objects.get(action="api_key.created")
    assert (event.actor_kind, event.actor_label) == ("system", "create_api_key")


def test_command_rejects_an_unknown_scope():
    with pytest.raises(CommandError, match="--scopes: Unknown scope"):
        call_command("create_api_key", "--name", "Shop", "--scopes", "contacts:read,everything", stdout=io.StringIO())
    assert not ApiKey.objects.exists()


# --- the REST API -------------------------------------------------------------------------------------------------


def test_read_key_lists_contacts_but_cannot_create(contact):
    _, plaintext = make_key("contacts:read")
    client = key_client(plaintext)

    listed = client.get(CONTACTS_URL)
    created = client.post(CONTACTS_URL, NEW_CONTACT, format="json")

    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [contact.pk]
    assert created.status_code == 403
    assert not Contact.objects.filter(last_name="Lovelace").exists()


def test_x_api_key_header_is_accepted_too(contact):
    _, plaintext = make_key("contacts:read")
    assert key_client(plaintext, header="x-api-key").get(CONTACTS_URL).status_code == 200


def test_write_key_creates_a_contact_attributed_to_the_key():
    key, plaintext = make_key("contacts:write", name="Webshop")

    response = key_client(plaintext).post(CONTACTS_URL, NEW_CONTACT, format="json")

    assert response.status_code == 201, response.content
    row = Contact.objects.get(pk=response.json()["id"]).history.get()
    assert row.history_actor_kind == "api_key"
    assert "Webshop" in row.history_actor_label and key.prefix in row.history_actor_label
    assert row.history_user_id is None


def test_write_key_without_read_scope_cannot_list(contact):
    _, plaintext = make_key("contacts:write")
    assert key_client(plaintext).get(CONTACTS_URL).status_code == 403


def test_the_actor_does_not_outlive_the_request():
    _, plaintext = make_key("contacts:write")
    key_client(plaintext).post(CONTACTS_URL, NEW_CONTACT, format="json")
    assert current_actor() == ANONYMOUS


def test_revoked_key_gets_401_saying_so():
    key, plaintext = make_key("contacts:read")
    api_key_revoke(api_key=key, reason="leaked in a log")

    response = key_client(plaintext).get(CONTACTS_URL)

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "Api-Key"


def test_expired_key_gets_401_saying_so():
    key, plaintext = make_key("contacts:read", expires_in_days=1)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = key_client(plaintext).get(CONTACTS_URL)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Api-Key garbage"},
        {"HTTP_AUTHORIZATION": "Api-Key"},
        {"HTTP_AUTHORIZATION": "Api-Key two words"},
        {"HTTP_AUTHORIZATION": "api-key crm_abcdefgh_" + "x" * 43},
        {"HTTP_X_API_KEY": "crm_ABCDEFGH_\x00" + "x" * 43},
        {"HTTP_X_API_KEY": " "},
        {},
    ],
    ids=["garbage", "empty", "two-words", "unknown-prefix", "bad-characters", "blank-x-api-key", "no-credentials"],
)
def test_bad_or_missing_key_gets_401(headers):
    make_key("contacts:read")
    response = APIClient().get(CONTACTS_URL, **headers)
    assert response.status_code == 401


def test_right_prefix_wrong_secret_gets_401():
    _, plaintext = make_key("contacts:read")
    forged = plaintext[:13] + ("A" if plaintext[13] != "A" else "B") + plaintext[14:]
    response = key_client(forged).get(CONTACTS_URL)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid API key."


def test_each_key_is_throttled_on_its_own():
    _, first = make_key("contacts:read")
    _, second = make_key("contacts:read")

    with override_settings(API_KEY_THROTTLE_RATE="3/minute"):
        statuses = [key_client(first).get(CONTACTS_URL).status_code for _ in range(4)]
        other = key_client(second).get(CONTACTS_URL).status_code

    assert statuses == [200, 200, 200, 429]
    assert other == 200


def test_views_that_declare_no_scopes_are_closed_to_keys(role_client):
    _, plaintext = make_key("contacts:read", "contacts:write")

    assert key_client(plaintext).get("/api/v1/").status_code == 403
    assert role_client("DPO").get("/api/v1/").status_code == 200  # staff sessions are not concerned


@pytest.mark.parametrize(
    ("method", "scopes", "allowed"),
    [
        ("GET", ["contacts:read"], True),
        ("HEAD", ["contacts:read"], True),
        ("GET", ["contacts:write"], False),
        ("POST", ["contacts:read"], False),
        ("DELETE", ["contacts:write"], True),
    ],
)
def test_has_scope_maps_safe_methods_to_read_and_others_to_write(method, scopes, allowed):
    key, _ = make_key(*scopes)
    view = SimpleNamespace(required_scopes={"read": ["contacts:read"], "write": ["contacts:write"]})
    request = SimpleNamespace(auth=key, method=method)
    assert HasScope().has_permission(request, view) is allowed


def test_has_scope_leaves_session_requests_to_model_permissions():
    request = SimpleNamespace(auth=None, method="POST")
    assert HasScope().has_permission(request, SimpleNamespace()) is True


def test_key_user_has_the_model_permissions_of_its_scopes_only():
    key, _ = make_key("contacts:read")
    user = ApiKeyUser(key)
    assert user.is_authenticated and not user.is_anonymous and user.pk is None
    assert user.has_perm("crm.view_contact")
    assert not user.has_perm("crm.add_contact") and not user.has_perm("access.view_apikey")
    assert Contact.objects.restrict(user, "view").query.is_empty() is False
    assert Contact.objects.restrict(user, "change").query.is_empty() is True


def test_schema_documents_the_key_scheme():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    assert {"ApiKeyAuth": []} in schema["paths"]["/api/v1/contacts/"]["get"]["security"]


# --- the staff pages ----------------------------------------------------------------------------------------------


def test_administrators_open_the_api_keys_page(role_client):
    key, _ = make_key("contacts:read", name="Webshop")
    response = role_client("Administrator").get("/api-keys/")
    assert response.status_code == 200
    assert b"Webshop" in response.content and key.prefix.encode() in response.content


@pytest.mark.parametrize("role", ["Sales", "DPO", "outsider"])
def test_other_roles_cannot_manage_keys(role_client, role):
    key, _ = make_key("contacts:read")
    client = role_client(role)
    assert client.get("/api-keys/").status_code == 403
    assert client.get("/api-keys/new/").status_code == 403
    assert client.post(f"/api-keys/{key.pk}/revoke/", {"reason": "x"}).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = APIClient().get("/api-keys/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_creating_a_key_in_the_ui_shows_the_plaintext_once(role_client, admin_role_user):
    client = role_client("Administrator")

    response = client.post("/api-keys/new/", {"name": "CRM sync", "scopes": ["contacts:read"], "expires_in_days": 90})

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    key = ApiKey.objects.get()
    plaintext = response.content.decode().split('id="api-key-plaintext" value="')[1].split('"')[0]
    assert api_key_authenticate(plaintext) == key
    assert key.created_by == admin_role_user
    assert plaintext not in client.get("/api-keys/").content.decode()
    event = AuditEvent.objects.get(action="api_key.created")
    assert (event.actor_kind, event.actor_user_id) == ("user", admin_role_user.pk)


def test_ui_form_rejects_an_unknown_scope_on_the_field(role_client):
    response = role_client("Administrator").post("/api-keys/new/", {"name": "x", "scopes": ["contacts:everything"]})
    assert response.status_code == 200
    assert response.context["form"].errors["scopes"]
    assert not ApiKey.objects.exists()


def test_revoking_in_the_ui_needs_a_reason_and_then_closes_the_api(role_client, admin_role_user):
    key, plaintext = make_key("contacts:read")
    client = role_client("Administrator")

    refused = client.post(f"/api-keys/{key.pk}/revoke/", {"reason": ""})
    key.refresh_from_db()
    assert refused.status_code == 302 and key.revoked_at is None

    done = client.post(f"/api-keys/{key.pk}/revoke/", {"reason": "contract ended"})
    key.refresh_from_db()
    assert done.status_code == 302 and key.revoked_reason == "contract ended"
    assert key_client(plaintext).get(CONTACTS_URL).status_code == 401
    event = AuditEvent.objects.get(action="api_key.revoked")
    assert event.actor_user_id == admin_role_user.pk


def test_revoke_only_accepts_post(role_client):
    key, _ = make_key("contacts:read")
    assert role_client("Administrator").get(f"/api-keys/{key.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"HTTP_AUTHORIZATION": "Api-Key"}, "Invalid API key header: send 'Api-Key <key>'."),
        ({"HTTP_AUTHORIZATION": "Api-Key two words"}, "Invalid API key header: send 'Api-Key <key>'."),
        ({"HTTP_X_API_KEY": "  "}, "Invalid API key header: the X-API-Key header is empty."),
    ],
)
def test_a_malformed_key_header_is_refused_saying_what_to_send(headers, detail):
    # the caller is a machine whose operator reads this message to fix the integration
    response = APIClient().get(CONTACTS_URL, **headers)
    assert (response.status_code, response.json()["detail"]) == (401, detail)


def test_a_refusal_names_the_scopes_the_key_lacks_and_closed_endpoints_say_so(contact):
    _, reader = make_key("contacts:read")

    missing = key_client(reader).post("/api/v1/interactions/", {}, format="json")
    closed = key_client(reader).get("/api/v1/recipient-notifications/")

    assert missing.json()["detail"] == "This API key needs the scope(s): contacts:read, interactions:write."
    assert closed.json()["detail"] == "This endpoint is not open to API keys."


def test_a_view_that_opens_reads_only_is_closed_to_a_keys_writes():
    key, _ = make_key("contacts:read", "contacts:write")
    view = SimpleNamespace(required_scopes={"read": ["contacts:read"]})
    assert HasScope().has_permission(SimpleNamespace(auth=key, method="GET"), view) is True
    assert HasScope().has_permission(SimpleNamespace(auth=key, method="POST"), view) is False
