"""Property-based fuzzing of the whole OpenAPI schema: nothing answers with a server error.

Requests go in-process through the WSGI application, against PostgreSQL, as
the DPO (the widest staff role), so generated input reaches the serializers,
services and database rather than stopping at a 403.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

# Loaded at collection: generating the schema touches no database. (The lazy
# `schemathesis.pytest.from_fixture` loader relies on a pytest internal that pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Every request carries the DPO's session; generated API-key headers would only be refused with a 401.
schema.config.generation.update(with_security_parameters=False)


def _aim_at_existing_rows(case, existing_ids: dict[str, list[int]]) -> None:
    """Point generated integer ids at real rows of the collection in the path, so reads, updates and
    deletes reach the services.

    Random integers would almost never match a row; ids of other types are left
    alone and exercise the 404 path.
    """
    collection = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    ids = existing_ids.get(collection) or existing_ids["contacts"]
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)  # the coverage phase sends some ids as strings
        if isinstance(value, int) and not isinstance(value, bool):
            case.path_parameters[name] = ids[value % len(ids)]
    # ids in a JSON body too: an interaction's contact, a contact's organisation
    if isinstance(case.body, dict):
        for field, collection in (("contact", "contacts"), ("organisation", "organisations")):
            value = case.body.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                case.body[field] = existing_ids[collection][value % len(existing_ids[collection])]


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_api_never_answers_with_a_server_error(case, transactional_db, session_credentials, existing_ids):
    # transactional_db: each request runs in autocommit, as in production, and
    # Django may close its connection at the end of a request.
    _aim_at_existing_rows(case, existing_ids)
    response = case.call(**session_credentials)
    case.validate_response(response, checks=[not_a_server_error])
    # authenticated as the DPO, the API should rarely refuse; a blanket 401/403 would mean nothing was fuzzed
    assert response.status_code not in (401, 403), (response.status_code, response.text[:200])
