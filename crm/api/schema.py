"""OpenAPI descriptions of the answers every endpoint may give besides its success (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_MESSAGES = {"type": "array", "items": {"type": "string"}}
_FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Messages by field name; `non_field_errors` for problems with the request as a whole (a body that is "
        "not JSON, too deeply nested, or holds a NUL). For a list or a mapping field, the messages come by item "
        'index or key, e.g. `{"emails": {"1": ["Enter a valid email address."]}}`.'
    ),
    "additionalProperties": {
        "anyOf": [_MESSAGES, {"type": "object", "additionalProperties": {"anyOf": [_MESSAGES, {"type": "object"}]}}]
    },
    "example": {"emails": ["ada@example.com already belongs to another contact."]},
}

BAD_REQUEST = OpenApiResponse(_FIELD_ERRORS, description="Invalid input: field-level messages.")
UNAUTHORISED = OpenApiResponse(_DETAIL, description="No, or an invalid, expired or revoked, API key or session.")
FORBIDDEN = OpenApiResponse(_DETAIL, description="The role or the API key's scopes do not allow this request.")
NOT_FOUND = OpenApiResponse(_DETAIL, description="No such object among those the caller may reach.")
CONFLICT = OpenApiResponse(
    {"type": "object"}, description="The change conflicts with existing data (e.g. a concurrent write); read and retry."
)
LOCKED = OpenApiResponse(_DETAIL, description="The contact is restricted (Art. 18): it is read-only.")

READ_ERRORS = {401: UNAUTHORISED, 403: FORBIDDEN}
OBJECT_ERRORS = {**READ_ERRORS, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, **READ_ERRORS, 409: CONFLICT}
OBJECT_WRITE_ERRORS = {**WRITE_ERRORS, 404: NOT_FOUND}


def _date_time() -> dict:
    return {"type": "string", "format": "date-time"}


def write_answer(component: str, receipt: dict[str, dict], description: str) -> OpenApiResponse:
    """A write's answer: the whole record (the `component`) to a caller who may read it, else only `receipt`."""
    receipt_schema = {"type": "object", "properties": receipt, "required": list(receipt)}
    schema = {"anyOf": [{"$ref": f"#/components/schemas/{component}"}, receipt_schema]}
    return OpenApiResponse(schema, description=description)


CONTACT_WRITE_ANSWER = write_answer(
    "Contact",
    {"id": {"type": "integer"}, "created_at": _date_time(), "updated_at": _date_time()},
    "The contact, to a caller who may read contacts (logged like a read); to a key that may only write, "
    "only its id and dates.",
)
INTERACTION_WRITE_ANSWER = write_answer(
    "Interaction",
    {"id": {"type": "integer"}, "contact": {"type": "integer"}, "created_at": _date_time()},
    "The interaction, to a caller who may read interactions (logged like a read); to a key that may only "
    "write them, only its id, its contact's id and its creation date.",
)
