"""Property-based fuzzing of the whole OpenAPI schema with every check: the API answers as its schema says.

Requests go in-process through the WSGI application, against PostgreSQL, for
three callers: an API key with every scope, a read-only key, and the DPO's
session (the widest staff role). Each answer is checked: never a server error,
a documented status code, content type and headers, a body that matches the
documented schema, schema-violating input refused, and a 401 without, or with
wrong, credentials.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth, positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

from access.apikeys import SCOPES, api_key_create
from config.wsgi import application

# Loaded at collection: generating the schema touches no database. (The lazy
# `schemathesis.pytest.from_fixture` loader relies on a pytest internal that pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Credentials come from the `caller` fixture; generated API-key headers would only be refused with a 401.
schema.config.generation.update(with_security_parameters=False)


def _aim_at_existing_rows(case, existing_ids: dict[str, list[int]]) -> None:
    """Point generated integer ids at real rows of the collection in the path, so reads, updates and
    deletes reach the services.

    Random integers would almost never match a row; ids of other types are left
    alone and exercise the 404 path. A part generated to break the schema (a negative id) is left as it is:
    made valid, the request would be accepted and schemathesis would report a schema-violating request accepted.
    """
    negative = case.meta.is_negative_at if case.meta else (lambda location: False)
    collection = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    ids = existing_ids.get(collection) or existing_ids["contacts"]
    path = {} if negative(ParameterLocation.PATH) else (case.path_parameters or {})
    for name, value in path.items():
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)  # the coverage phase sends some ids as strings
        if isinstance(value, int) and not isinstance(value, bool):
            case.path_parameters[name] = ids[value % len(ids)]
    # ids in a JSON body too: an interaction's contact, a contact's organisation
    if isinstance(case.body, dict) and not negative(ParameterLocation.BODY):
        for field, collection in (("contact", "contacts"), ("organisation", "organisations")):
            if field == "contact" and "/requests/" in case.operation.path:
                collection = "matched"  # a fulfilment action names a contact matched to the request
            value = case.body.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                case.body[field] = existing_ids[collection][value % len(existing_ids[collection])]


# Every check schemathesis has, but one: "positive data acceptance" expects any schema-valid request to
# succeed, and the schema cannot express the rules a valid request must also meet (an id that exists, an
# email no other contact has, a phone number that is one, a justification for sensitive words). Those
# answers are documented 400s with field messages, which the other checks validate.
EXCLUDED_CHECKS = [positive_data_acceptance]
FULL_SCOPES = list(SCOPES)
READ_SCOPES = [name for name in SCOPES if name.endswith(":read")]
# Staff-only operations: the Art. 19 tasks and webhooks, the steps of a restriction, the intermediate archive,
# data-subject requests and their fulfilment,
# duplicate review and merges, the dashboard and the audit trail.
KEYS_NEVER_REACH = (
    "/recipient-notifications/",
    "/recipient-webhooks/",
    "/restriction/",
    "/retention/archive/",
    "/requests/",
    "/erasure-runs/",
    "/duplicates/",
    "/merges/",
    "/api/v1/dashboard/",
    "/api/v1/audit/",
)
# Keys only read these: their writes need a person (a DPO approval, a legal hold).
KEYS_ONLY_READ = ("/retention/",)


@pytest.fixture(params=["full_key", "read_key", "dpo_session"])
def caller(request, db, settings) -> tuple[str, dict]:
    """Who sends the generated requests: an API key with every scope, a read-only key, or the DPO's session
    (the widest staff role, the only way to reach the staff-only endpoints)."""
    # Schemathesis also sends each request without credentials: the anonymous throttle must not answer 429.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.API_KEY_THROTTLE_RATE = "100000/minute"
    if request.param == "dpo_session":
        return request.param, request.getfixturevalue("session_credentials")
    scopes = FULL_SCOPES if request.param == "full_key" else READ_SCOPES
    _key, plaintext = api_key_create(name=f"Fuzzer ({request.param})", scopes=scopes)
    return request.param, {"headers": {"X-API-Key": plaintext}}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_api_answers_as_documented(case, transactional_db, caller, existing_ids):
    # transactional_db: each request runs in autocommit, as in production, and
    # Django may close its connection at the end of a request.
    kind, credentials = caller
    _aim_at_existing_rows(case, existing_ids)
    # The session is no documented security scheme: schemathesis cannot take it away to check a 401.
    excluded = [*EXCLUDED_CHECKS, ignored_auth] if kind == "dpo_session" else EXCLUDED_CHECKS
    response = case.call_and_validate(excluded_checks=excluded, **credentials)
    # A blanket refusal would mean nothing was fuzzed: the DPO is refused nothing, the full key only what is
    # closed to keys, the read-only key also every write.
    closed_to_keys = any(part in case.operation.path for part in KEYS_NEVER_REACH) or (
        case.method != "GET" and any(part in case.operation.path for part in KEYS_ONLY_READ)
    )
    refused_as_expected = kind != "dpo_session" and (closed_to_keys or (kind == "read_key" and case.method != "GET"))
    if not refused_as_expected:
        assert response.status_code not in (401, 403), (response.status_code, response.text[:200])
