"""Every URL pattern, every method it accepts, every role: no unauthorised answer, no leak, no server error.

`SPEC` below is the specification. Each URL pattern of the project (named or
not: staff pages, the REST API, the admin, public pages) must have an entry,
keyed by its name (`namespace:name`) or, for an unnamed pattern, by its route;
each method the view accepts must be covered by that entry. A pattern or a
method without a spec fails `test_every_url_pattern_and_method_is_in_the_spec`
and names exactly what is missing.

Objects are owned by someone else (another Sales user), and the roles whose
access depends on ownership are also tried on an object they own themselves:
`own(SALES)` in a spec means "Sales, on its own objects only". A role that may
not see the other person's contact must not find its name, nor its interaction
body, in any answer.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from access import roles
from access.apikeys import api_key_create
from access.models import LoginGuard
from consent.services import purpose_save, wording_publish
from core.models import EvidencePack, EvidencePackStatus, OutboxMessage
from crm.dedup.merge import contacts_merge
from crm.imports.services import import_job_create
from crm.models import DuplicateCandidate, Organisation, RecipientEndpoint, RecipientNotification
from crm.querysets import ContactQuerySet
from crm.services import contact_delete, interaction_create
from dsar.models import ErasureRun, Right
from dsar.services import request_register
from registry.services import activity_create, breach_record, recipient_save
from retention.models import ArchivedContact, RetentionPolicy
from retention.services import legal_hold_place, purge_run_preview

from .conftest import OUTSIDER
from .dsar.fulfil_support import verified_request
from .factories import ContactFactory, UserFactory

ADMIN, DPO, SALES, MARKETING, SUPPORT, AUDITOR = (
    roles.ADMINISTRATOR,
    roles.DPO,
    roles.SALES,
    roles.MARKETING,
    roles.SUPPORT,
    roles.AUDITOR,
)
ANONYMOUS = "anonymous"
EVERY_ROLE = frozenset({ADMIN, DPO, SALES, MARKETING, SUPPORT, AUDITOR})
SIGNED_IN = EVERY_ROLE | {OUTSIDER}
PUBLIC = SIGNED_IN | {ANONYMOUS}
MATRIX_ROLES = [*sorted(EVERY_ROLE), OUTSIDER, ANONYMOUS]
NOBODY: frozenset[str] = frozenset()
OWN = "@own"


def own(*role_names: str) -> frozenset[str]:
    """Roles allowed only on objects they own (Sales: the contacts they own, the imports they made)."""
    return frozenset(f"{role}{OWN}" for role in role_names)


# Who may do what. Roles that see every contact, and the rest of the cast on their own objects only.
SEE_ALL = frozenset({ADMIN, DPO, MARKETING, SUPPORT, AUDITOR})
CONTACT_READERS = SEE_ALL | own(SALES)
CONTACT_EDITORS = frozenset({ADMIN, DPO, MARKETING, SUPPORT}) | own(SALES)
CONTACT_CREATORS = frozenset({ADMIN, DPO, SALES, MARKETING, SUPPORT})
CONTACT_DELETERS = frozenset({ADMIN, DPO}) | own(SALES)
RESTRICTORS = frozenset({ADMIN, DPO})
INTERACTION_READERS = frozenset({ADMIN, DPO, SUPPORT, AUDITOR}) | own(SALES)
INTERACTION_WRITERS = frozenset({ADMIN, DPO, SUPPORT}) | own(SALES)
ORGANISATION_EDITORS = frozenset({ADMIN, DPO, SALES})
IMPORTERS = frozenset({ADMIN, DPO, SALES, MARKETING})
IMPORT_JOB_USERS = frozenset({ADMIN, DPO}) | own(SALES, MARKETING)
COMPLIANCE_READERS = frozenset({ADMIN, DPO, AUDITOR})
AUDIT_READERS = frozenset({DPO, AUDITOR})  # the audit trail and the evidence pack for the authority
OUTBOX_READERS = frozenset({ADMIN, DPO, SUPPORT, AUDITOR})
REGISTRY_EDITORS = frozenset({ADMIN, DPO})
CONSENT_READERS = frozenset({ADMIN, DPO, SALES, MARKETING, AUDITOR})
CONSENT_MANAGERS = frozenset({ADMIN, DPO, MARKETING})
CONTACT_CONSENT_READERS = frozenset({ADMIN, DPO, MARKETING, AUDITOR}) | own(SALES)
CONTACT_CONSENT_RECORDERS = CONSENT_MANAGERS | own(SALES)
REQUEST_READERS = frozenset({ADMIN, DPO, SUPPORT, AUDITOR})
REQUEST_HANDLERS = frozenset({DPO, SUPPORT})
REQUEST_FULFILLERS = frozenset({DPO, SUPPORT})
REQUEST_ERASERS = frozenset({DPO})
REQUEST_AREA = frozenset({ADMIN, DPO, SUPPORT, AUDITOR})
MERGERS = frozenset({ADMIN, DPO, SUPPORT})

# HTTP methods a view may accept. HEAD and OPTIONS follow GET and are not tried.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """Who may use a URL pattern, method by method; `target` names the world object its ids point at."""

    target: str | None
    methods: dict[str, frozenset[str]] = field(default_factory=dict)

    def roles_for(self, method: str) -> frozenset[str] | None:
        return self.methods.get(method, self.methods.get("ANY"))


def route(target: str | None = None, **methods: Iterable[str]) -> Route:
    """`route("contact", GET=CONTACT_READERS, POST=CONTACT_EDITORS)`; `ANY=` covers every accepted method not named."""
    return Route(target, {method: frozenset(roles_) for method, roles_ in methods.items()})


SPEC: dict[str, Route] = {
    # Public: login, language, health, the admin's own login page.
    "healthz": route(ANY=PUBLIC),
    "set_language": route(ANY=PUBLIC),
    "login": route(ANY=PUBLIC),
    "logout": route(ANY=PUBLIC),
    "admin:login": route(ANY=PUBLIC),
    "admin:logout": route(ANY=PUBLIC),  # without a staff session: a redirect to the admin's index, which refuses
    # The admin is for configuration by Django staff accounts, which no role is.
    "admin:*": route(ANY=NOBODY),
    # The API's documentation is public (it describes operations, holds no data); its root needs a sign-in.
    "api:api-root": route(ANY=SIGNED_IN),
    "schema": route(ANY=PUBLIC),
    "api-docs": route(ANY=PUBLIC),
    "^api/": route(ANY=NOBODY),  # an unknown address under /api/: a JSON 404 for everyone
    # Public pages for people, no sign-in.
    "privacy_notice": route(ANY=PUBLIC),
    # Reached by a signed link: the token is the credential, so a forged one opens nothing for anyone (404);
    # a forged confirmation link gets the "link expired or invalid" page (400), which shows nothing either.
    "consent_preferences": route(ANY=NOBODY),
    "consent_confirm": route(ANY=PUBLIC),
    "consent_unsubscribe": route(ANY=NOBODY),
    "retention_renew": route(ANY=NOBODY),
    # The request form, and its verification link (a forged token: the "link no longer valid" page, 410).
    "dsar_request": route(ANY=PUBLIC),
    "dsar_verify": route(ANY=PUBLIC),
    # Staff pages.
    "home": route(ANY=SIGNED_IN),
    "dashboard": route(ANY=COMPLIANCE_READERS),
    "core:outbox_list": route(ANY=OUTBOX_READERS),
    "core:outbox_detail": route("message", ANY=OUTBOX_READERS),
    "apikeys:list": route(ANY={ADMIN}),
    "apikeys:create": route(ANY={ADMIN}),
    "apikeys:revoke": route("apikey", POST={ADMIN}),
    "access_review:index": route(ANY=COMPLIANCE_READERS),
    "access_review:export": route(ANY=COMPLIANCE_READERS),
    "access_review:sign": route(POST={ADMIN, DPO}),
    "security:locks": route(ANY={ADMIN}),
    "security:unlock": route("lock", POST={ADMIN}),
    "two_factor:setup": route(ANY=SIGNED_IN),
    "two_factor:verify": route(ANY=SIGNED_IN),
    "audit:explorer": route(ANY=AUDIT_READERS),
    "audit:export": route(ANY=AUDIT_READERS),
    "evidence:list": route(ANY=AUDIT_READERS),
    "evidence:create": route(POST=AUDIT_READERS),
    "evidence:detail": route("pack", ANY=AUDIT_READERS),
    "evidence:progress": route("pack", ANY=AUDIT_READERS),
    "evidence:download": route("pack", ANY=AUDIT_READERS),
    "consent:index": route(ANY=CONSENT_READERS),
    "consent:purpose_create": route(ANY=CONSENT_MANAGERS),
    "consent:purpose_detail": route("purpose", ANY=CONSENT_READERS),
    "consent:purpose_edit": route("purpose", ANY=CONSENT_MANAGERS),
    "consent:material_change": route("purpose", ANY=CONSENT_MANAGERS),
    "consent:wording_create": route("purpose", ANY=CONSENT_MANAGERS),
    "consent:wording_edit": route("wording", ANY=CONSENT_MANAGERS),
    "consent:audience": route(ANY=CONSENT_MANAGERS),
    "consent:contact_panel": route("contact", ANY=CONTACT_CONSENT_READERS),
    "consent:contact_record": route("contact", ANY=CONTACT_CONSENT_RECORDERS),
    "consent:contact_object": route("contact", ANY=CONTACT_CONSENT_RECORDERS),
    "consent:contact_proof": route("contact", ANY=CONTACT_CONSENT_READERS),
    "dsar:index": route(ANY=REQUEST_READERS),
    "dsar:request_create": route(ANY=REQUEST_HANDLERS),
    "dsar:request_detail": route("dsar_request", ANY=REQUEST_READERS),
    "dsar:request_assign": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_note": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_ask_information": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_receive_information": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_confirm_identity": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_extend": route("dsar_request", POST={DPO}),
    "dsar:request_refuse": route("dsar_request", POST={DPO}),
    "dsar:request_communicate": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_match_add": route("dsar_request", POST=REQUEST_HANDLERS),
    "dsar:request_match_remove": route("dsar_request", POST=REQUEST_HANDLERS),
    "registry:index": route(ANY=COMPLIANCE_READERS),
    "registry:activity_create": route(ANY=REGISTRY_EDITORS),
    "registry:activity_detail": route("activity", ANY=COMPLIANCE_READERS),
    "registry:activity_edit": route("activity", ANY=REGISTRY_EDITORS),
    "registry:activity_submit": route("activity", ANY=REGISTRY_EDITORS),
    "registry:activity_approve": route("activity", ANY={DPO}),
    "registry:activity_request_changes": route("activity", ANY={DPO}),
    "registry:activity_comment": route("activity", ANY=REGISTRY_EDITORS),
    "registry:activity_history": route("activity", ANY=COMPLIANCE_READERS),
    "registry:recipient_list": route(ANY=COMPLIANCE_READERS),
    "registry:recipient_create": route(ANY=REGISTRY_EDITORS),
    "registry:recipient_edit": route("recipient", ANY=REGISTRY_EDITORS),
    "registry:profile_edit": route(ANY=REGISTRY_EDITORS),
    "registry:export": route(ANY=COMPLIANCE_READERS),
    "registry:breach_list": route(ANY=COMPLIANCE_READERS),
    "registry:breach_create": route(ANY={DPO}),
    "registry:breach_export": route(ANY=COMPLIANCE_READERS),
    "registry:breach_detail": route("breach", ANY=COMPLIANCE_READERS),
    "registry:breach_edit": route("breach", ANY={DPO}),
    "registry:breach_notify": route("breach", ANY={DPO}),
    "registry:breach_link_contacts": route("breach", ANY={DPO}),
    "registry:breach_inform": route("breach", ANY={DPO}),
    "registry:breach_close": route("breach", ANY={DPO}),
    "retention:index": route(ANY=COMPLIANCE_READERS),
    "retention:policy_edit": route("policy", ANY={DPO}),
    "retention:policy_preview": route("policy", ANY=REGISTRY_EDITORS),
    "retention:repermission_send": route("policy", ANY=REGISTRY_EDITORS),
    "retention:run_detail": route("run", ANY=COMPLIANCE_READERS),
    "retention:run_progress": route("run", ANY=COMPLIANCE_READERS),
    "retention:run_approve": route("run", ANY={DPO}),
    "retention:hold_create": route(ANY=REGISTRY_EDITORS),
    "retention:hold_lift": route("hold", ANY=REGISTRY_EDITORS),
    "retention:archive_open": route("archived", ANY={DPO}),
    "crm:contact_list": route(ANY=EVERY_ROLE),
    "crm:contact_create": route(ANY=CONTACT_CREATORS),
    "crm:contact_bulk_tag": route(POST=CONTACT_CREATORS),
    "crm:contact_trash": route(ANY={ADMIN, DPO, SALES}),
    "crm:contact_detail": route("contact", ANY=CONTACT_READERS),
    "crm:duplicate_queue": route(ANY=MERGERS),
    "crm:duplicate_review": route("candidate", ANY=MERGERS),
    "crm:duplicate_dismiss": route("candidate", POST=MERGERS),
    "crm:merge_detail": route("merge", ANY=MERGERS),
    "crm:merge_undo": route("merge", POST=MERGERS),
    "crm:contact_edit": route("contact", ANY=CONTACT_EDITORS),
    "crm:contact_delete": route("contact", ANY=CONTACT_DELETERS),
    "crm:contact_restore": route("deleted_contact", POST=CONTACT_DELETERS),
    "crm:contact_art14_send": route("contact", POST=CONTACT_EDITORS),
    "crm:contact_restriction": route("contact", ANY=RESTRICTORS),
    "crm:interaction_panel": route("contact", ANY=INTERACTION_READERS),
    "crm:interaction_create": route("contact", ANY=INTERACTION_WRITERS),
    "crm:interaction_edit": route("interaction", ANY=INTERACTION_WRITERS),
    "crm:organisation_list": route(ANY=EVERY_ROLE),
    "crm:organisation_options": route(ANY=EVERY_ROLE),
    "crm:organisation_detail": route("organisation", ANY=EVERY_ROLE),
    "crm:organisation_create": route(ANY=ORGANISATION_EDITORS),
    "crm:organisation_edit": route("organisation", ANY=ORGANISATION_EDITORS),
    "crm:recipient_notification_list": route(ANY=COMPLIANCE_READERS),
    "crm:recipient_notification_detail": route("task", ANY=COMPLIANCE_READERS),
    "crm:recipient_endpoint_list": route(ANY=COMPLIANCE_READERS),
    "crm:recipient_endpoint_create": route(ANY=REGISTRY_EDITORS),
    "crm:recipient_endpoint_detail": route("endpoint", ANY=COMPLIANCE_READERS),
    "crm:recipient_endpoint_edit": route("endpoint", ANY=REGISTRY_EDITORS),
    "crm:recipient_endpoint_delete": route("endpoint", POST=REGISTRY_EDITORS),
    "crm:import_list": route(GET=IMPORTERS),
    "crm:import_new": route(GET=IMPORTERS, POST=IMPORTERS),
    "crm:import_detail": route("job", GET=IMPORT_JOB_USERS),
    "crm:import_map": route("job", GET=IMPORT_JOB_USERS, POST=IMPORT_JOB_USERS),
    "crm:import_dry_run": route("job", GET=IMPORT_JOB_USERS, POST=IMPORT_JOB_USERS),
    "crm:import_run": route("job", POST=IMPORT_JOB_USERS),
    "crm:import_progress": route("job", GET=IMPORT_JOB_USERS),
    "crm:import_report": route("job", GET=IMPORT_JOB_USERS),
    "crm:import_delete": route("job", POST=IMPORT_JOB_USERS),
    "crm:contact_export": route(GET=IMPORTERS, POST=IMPORTERS),
    # REST API, signed in by session (API keys and their scopes: tests/access/test_apikeys.py).
    "api:contact-list": route(GET=EVERY_ROLE, POST=CONTACT_CREATORS),
    "api:contact-detail": route(
        "contact", GET=CONTACT_READERS, PUT=CONTACT_EDITORS, PATCH=CONTACT_EDITORS, DELETE=CONTACT_DELETERS
    ),
    "api:contact-restore": route("deleted_contact", POST=CONTACT_DELETERS),
    "api:contact-restriction-place": route("contact", POST=RESTRICTORS),
    "api:contact-restriction-notice": route("contact", POST=RESTRICTORS),
    "api:contact-restriction-lift": route("contact", POST=RESTRICTORS),
    "api:organisation-list": route(GET=EVERY_ROLE, POST=ORGANISATION_EDITORS),
    "api:organisation-detail": route(
        "organisation", GET=EVERY_ROLE, PUT=ORGANISATION_EDITORS, PATCH=ORGANISATION_EDITORS, DELETE={ADMIN, DPO}
    ),
    "api:interaction-list": route(GET=INTERACTION_READERS | {SALES}, POST=INTERACTION_WRITERS | {SALES}),
    "api:interaction-detail": route(
        "interaction",
        GET=INTERACTION_READERS,
        PUT=INTERACTION_WRITERS,
        PATCH=INTERACTION_WRITERS,
        DELETE={ADMIN, DPO},
    ),
    "api:recipientnotification-list": route(GET=COMPLIANCE_READERS),
    "api:recipientnotification-detail": route("task", GET=COMPLIANCE_READERS),
    "api:recipientnotification-close": route("task", POST={ADMIN, DPO}),
    "api:recipientendpoint-list": route(GET=COMPLIANCE_READERS, POST=REGISTRY_EDITORS),
    "api:recipientendpoint-detail": route(
        "endpoint", GET=COMPLIANCE_READERS, PUT=REGISTRY_EDITORS, PATCH=REGISTRY_EDITORS, DELETE=REGISTRY_EDITORS
    ),
    "api:recipientendpoint-deliveries": route("endpoint", GET=COMPLIANCE_READERS),
    "api:processingactivity-list": route(GET=COMPLIANCE_READERS),
    "api:processingactivity-detail": route("activity", GET=COMPLIANCE_READERS),
    "api:breach-list": route(GET=COMPLIANCE_READERS),
    "api:breach-detail": route("breach", GET=COMPLIANCE_READERS),
    "api:consent-check": route(ANY=CONSENT_READERS),
    "api:dashboard": route(ANY=COMPLIANCE_READERS),
    "api:audit": route(ANY=AUDIT_READERS),
    "api:purpose-list": route(GET=CONSENT_READERS),
    "api:purpose-detail": route("purpose", GET=CONSENT_READERS),
    "api:consentevent-list": route(GET=CONSENT_READERS, POST=CONSENT_MANAGERS | {SALES}),
    "api:consentevent-detail": route("event", GET=CONSENT_READERS),
    "api:retentionpolicy-list": route(GET=COMPLIANCE_READERS),
    "api:retentionpolicy-detail": route("policy", GET=COMPLIANCE_READERS, PUT={DPO}, PATCH={DPO}),
    "api:retentionpolicy-preview": route("policy", POST=REGISTRY_EDITORS),
    "api:purgerun-list": route(GET=COMPLIANCE_READERS),
    "api:purgerun-detail": route("run", GET=COMPLIANCE_READERS),
    "api:purgerun-approve": route("run", POST={DPO}),
    "api:legalhold-list": route(GET=COMPLIANCE_READERS, POST=REGISTRY_EDITORS),
    "api:legalhold-detail": route("hold", GET=COMPLIANCE_READERS),
    "api:legalhold-lift": route("hold", POST=REGISTRY_EDITORS),
    "api:archivedcontact-list": route(GET={DPO}),
    "api:archivedcontact-open": route("archived", POST={DPO}),
    "api:request-list": route(GET=REQUEST_READERS, POST=REQUEST_HANDLERS),
    "api:request-detail": route("dsar_request", GET=REQUEST_READERS),
    "api:request-events": route("dsar_request", GET=REQUEST_READERS),
    "api:request-matches": route("dsar_request", GET=REQUEST_READERS, POST=REQUEST_HANDLERS),
    "api:request-extend": route("dsar_request", POST={DPO}),
    "api:request-refuse": route("dsar_request", POST={DPO}),
    # Fulfilment of data-subject requests (dsar.fulfilment): the DPO and Support; erasure and restriction the DPO.
    "dsar_report_download": route(ANY=NOBODY),  # a forged link opens nothing (404)
    "dsar:fulfilment": route("fulfil_request", ANY=REQUEST_FULFILLERS),
    "dsar:fulfil_access": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "dsar:fulfil_portability": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "dsar:fulfil_rectify": route("fulfil_request", ANY=REQUEST_FULFILLERS),
    "dsar:fulfil_erasure": route("fulfil_request", ANY=REQUEST_ERASERS),
    "dsar:fulfil_restrict": route("fulfil_request", POST=REQUEST_ERASERS),
    "dsar:fulfil_object_marketing": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "dsar:fulfil_object_decide": route("fulfil_request", ANY=REQUEST_FULFILLERS),
    "dsar:erasure_run": route("erasure_run", GET=REQUEST_AREA),
    "api:request-access-report": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "api:request-portability": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "api:request-erasure": route("fulfil_request", GET=REQUEST_ERASERS, POST=REQUEST_ERASERS),
    "api:request-rectification": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "api:request-restriction": route("fulfil_request", POST=REQUEST_ERASERS),
    "api:request-objection": route("fulfil_request", POST=REQUEST_FULFILLERS),
    "api:erasurerun-detail": route("erasure_run", GET=REQUEST_AREA),
    "api:duplicatecandidate-list": route(GET=MERGERS),
    "api:duplicatecandidate-detail": route("candidate", GET=MERGERS),
    "api:duplicatecandidate-dismiss": route("candidate", POST=MERGERS),
    "api:duplicatecandidate-merge": route("candidate", POST=MERGERS),
    "api:contactmerge-list": route(GET=MERGERS),
    "api:contactmerge-detail": route("merge", GET=MERGERS),
    "api:contactmerge-undo": route("merge", POST=MERGERS),
}

# Values for URL parameters that do not point at a world object.
FIXED_PARAMETERS = {
    "content_type_id": "1",
    "object_id": "1",
    "id": "1",
    "url": "missing/",
    "fmt": "json",
    "token": "forged-token",
    "contact_id": "1",
    "pk": "1",  # the admin's own object pages (django-otp's device pages)
}
SERVER_ERRORS_ALLOWED = {503}  # /healthz says "the database or broker is down" with a 503


# --- the URL patterns and the methods their views accept --------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # namespace:name, or the route of an unnamed pattern
    route: str  # the full route, prefixes included
    namespace: str  # "admin:" for the admin's patterns, named or not
    entry: URLPattern

    @property
    def spec_key(self) -> str:
        """Its own entry, else its namespace's catch-all entry ("admin:*") if the spec has one."""
        if self.key not in SPEC and f"{self.namespace}*" in SPEC:
            return f"{self.namespace}*"
        return self.key


def url_patterns(entries: list[Any] | None = None, namespace: str = "", prefix: str = "") -> Iterator[Pattern]:
    for entry in get_resolver().url_patterns if entries is None else entries:
        route_ = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner, route_)
        else:
            yield Pattern(f"{namespace}{entry.name}" if entry.name else route_, route_, namespace, entry)


def accepted_methods(entry: URLPattern) -> list[str]:
    """What the view answers other than 405: DRF actions, class-based handlers, or `require_http_methods`."""
    view = entry.callback
    if getattr(view, "actions", None):  # a DRF ViewSet bound to its routes
        return [method for method in METHODS if method.lower() in view.actions]  # DRF adds "head" on first use
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is not None:
        return [method for method in METHODS if hasattr(view_class, method.lower())]
    while view is not None:  # function views: find `require_http_methods` among the decorators
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return [method for method in METHODS if method in cell.cell_contents]
        view = getattr(view, "__wrapped__", None)
    return list(METHODS)


def missing_specs() -> list[str]:
    missing = []
    for pattern in url_patterns():
        spec = SPEC.get(pattern.spec_key)
        for method in accepted_methods(pattern.entry):
            if spec is None or spec.roles_for(method) is None:
                missing.append(f"{method} {pattern.key}  (route {pattern.route!r})")
    return missing


def test_every_url_pattern_and_method_is_in_the_spec():
    missing = missing_specs()
    assert not missing, "add these URL patterns and methods to SPEC in tests/test_authorisation.py:\n" + "\n".join(
        missing
    )


def test_the_spec_names_no_pattern_that_is_gone():
    keys = {pattern.spec_key for pattern in url_patterns()}
    assert set(SPEC) - keys == set()


def test_a_new_pattern_or_method_without_a_spec_is_named(monkeypatch):
    # given a spec that lost one entry and one method of another
    spec = dict(SPEC)
    del spec["crm:contact_trash"]
    spec["api:contact-detail"] = route("contact", GET=CONTACT_READERS)
    monkeypatch.setattr(__import__(__name__, fromlist=["SPEC"]), "SPEC", spec)

    missing = missing_specs()

    assert "GET crm:contact_trash  (route 'contacts/deleted/')" in missing
    assert any(line.startswith("DELETE api:contact-detail ") for line in missing)
    assert not any(line.startswith("GET api:contact-detail ") for line in missing)


def test_accepted_methods_reads_each_kind_of_view():
    by_key = {pattern.key: pattern.entry for pattern in url_patterns()}
    assert accepted_methods(by_key["api:contact-detail"]) == ["GET", "PUT", "PATCH", "DELETE"]
    assert accepted_methods(by_key["crm:import_new"]) == ["GET", "POST"]  # require_http_methods
    assert accepted_methods(by_key["crm:contact_restore"]) == ["POST"]  # require_POST
    assert accepted_methods(by_key["crm:contact_edit"]) == list(METHODS)  # no method decorator


# --- the world the matrix walks --------------------------------------------------------------------------------

THEIR_NAME = "Zanzibarova"  # a name and a body no other fixture uses, searched for in every answer
THEIR_BODY = "their-private-interaction-body"
SEE_THEIR_CONTACT = SEE_ALL
SEE_THEIR_INTERACTIONS = frozenset({ADMIN, DPO, SUPPORT, AUDITOR})


SHARED = (
    "organisation",
    "message",
    "task",
    "endpoint",
    "apikey",
    "activity",
    "recipient",
    "breach",
    "purpose",
    "wording",
    "policy",
    "run",
    "hold",
    "archived",
    "dsar_request",
    "fulfil_request",
    "erasure_run",
    "candidate",
    "merge",
    "lock",
    "pack",
)  # objects nobody owns: tried once, as "theirs"


@dataclass
class World:
    """Objects owned by someone else ("theirs") and, where ownership matters, by the role itself ("mine")."""

    theirs: dict[str, Any]
    mine: dict[str, Any]


def _owned_objects(owner: AbstractBaseUser, tag: str, last_name: str, body: str) -> dict[str, Any]:
    organisation = Organisation.objects.get_or_create(name="Acme")[0]
    contact = ContactFactory(owner=owner, last_name=last_name, organisation=organisation, notes=f"note {tag}")
    deleted = contact_delete(contact=ContactFactory(owner=owner, last_name=f"Deleted {tag}"))
    interaction = interaction_create(
        contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body=body, author=owner
    )
    upload = SimpleUploadedFile(f"{tag}.csv", b"first_name,last_name\nAnna,Martin\n", content_type="text/csv")
    job = import_job_create(upload=upload, user=owner)
    return {"contact": contact, "deleted_contact": deleted, "interaction": interaction, "job": job}


def registry_objects() -> dict[str, Any]:
    recipient = recipient_save(data={"name": "Hosting Co", "kind": "processor", "country": "FR"})
    activity = activity_create(
        data={"name": "Prospection", "main_purpose": "Contact prospects", "legal_basis": "legitimate_interests"},
        categories=[],
        recipients=[recipient],
    )
    breach = breach_record(
        data={"title": "Lost laptop", "aware_at": timezone.now(), "description": "Lost.", "nature": ["confidentiality"]}
    )
    purpose = purpose_save(
        data={
            "key": "newsletter",
            "name": "Newsletter",
            "activity": activity,
            "lawful_basis": "consent",
            "channels": ["email"],
        }
    )
    wording = wording_publish(purpose=purpose, language="en", text="Send me the newsletter.")
    return {"activity": activity, "recipient": recipient, "breach": breach, "purpose": purpose, "wording": wording}


def retention_objects(contact: Any) -> dict[str, Any]:
    policy = RetentionPolicy.objects.get(key="deleted-contacts")
    owner = UserFactory(username="hold-owner", roles=[DPO])
    hold = legal_hold_place(
        owner=owner, reason="Litigation", ends_on=timezone.localdate() + timedelta(days=30), contact=contact
    )
    archived = ContactFactory(last_name="Archived")
    ArchivedContact.objects.create(
        contact=archived, policy=policy, archived_at=timezone.now(), purge_on=timezone.localdate()
    )
    return {"policy": policy, "run": purge_run_preview(policy=policy), "hold": hold, "archived": archived}


def fulfilment_objects(contact: Any) -> dict[str, Any]:
    case = verified_request([contact], rights=[right.value for right in Right])
    run = ErasureRun.objects.create(request=case, contact_ids=[contact.pk], operator_label="dpo")
    return {"fulfil_request": case, "erasure_run": run}


def dedup_objects(contact: Any) -> dict[str, Any]:
    twin = ContactFactory(last_name="Twin")
    survivor, merged = ContactFactory(last_name="Survivor"), ContactFactory(last_name="Merged")
    candidate = DuplicateCandidate.objects.create(contact_a=contact, contact_b=twin, score=9.5, reasons=[])
    return {"candidate": candidate, "merge": contacts_merge(survivor=survivor, merged=merged)}


def evidence_pack() -> EvidencePack:
    pack = EvidencePack.objects.create(requested_by_label="dpo", status=EvidencePackStatus.DONE, size=4)
    pack.file.save("pack.zip", ContentFile(b"PK.."))
    return pack


def build_world(cast: dict[str, AbstractBaseUser], role: str) -> World:
    cache.clear()  # no throttle count left by another test
    someone_else = UserFactory(username="someone-else", roles=[SALES])
    theirs = _owned_objects(someone_else, "theirs", THEIR_NAME, THEIR_BODY)
    theirs.update(
        organisation=theirs["contact"].organisation,
        message=OutboxMessage.objects.create(recipient="a@example.org", template="t", subject="s", body="b"),
        task=RecipientNotification.objects.create(
            contact=theirs["contact"], contact_ref=theirs["contact"].pk, recipient="Partner X", cause="erasure"
        ),
        endpoint=RecipientEndpoint.objects.create(
            recipient="Partner X", url="https://93.184.216.34/hook", secret="a-secret-of-sixteen+"
        ),
        apikey=api_key_create(name="sync", scopes=["contacts:read"])[0],
        lock=LoginGuard.objects.create(
            username="someone-else", failures=5, locked_until=timezone.now() + timedelta(minutes=15)
        ),
        **registry_objects(),
        **retention_objects(theirs["contact"]),
        dsar_request=request_register(
            rights=["access"],
            name="Requester",
            email=theirs["contact"].primary_email,
            channel="post",
            received_at=timezone.now(),
        ),
        **fulfilment_objects(theirs["contact"]),
        **dedup_objects(theirs["contact"]),
        pack=evidence_pack(),
    )
    if role == ANONYMOUS:
        return World(theirs=theirs, mine={})
    return World(theirs=theirs, mine=_owned_objects(cast[role], "mine", "Mine", "my own interaction body"))


@pytest.fixture
def world_for(cast: dict[str, AbstractBaseUser], settings: Any, tmp_path: Any):
    settings.MEDIA_ROOT = tmp_path

    def build(role: str) -> World:
        return build_world(cast, role)

    return build


def client_for(role: str, cast: dict[str, AbstractBaseUser]) -> Client:
    client = Client(raise_request_exception=False)  # a server error is a finding, reported with the others
    if role != ANONYMOUS:
        client.force_login(cast[role])
    return client


# --- the matrix ------------------------------------------------------------------------------------------------


def parameters(target: dict[str, Any] | None, route_: str) -> dict[str, str]:
    values = dict(FIXED_PARAMETERS)
    if target is not None:
        obj = target["object"]
        values["pk"] = str(obj.pk)
        values["key"] = str(getattr(obj, "key", obj.pk))  # an API detail looked up by its key (a purpose)
        values["contact"] = str(obj.pk)  # the archive's API looks an archived record up by its contact
        if "contact_id" in route_:  # /requests/<pk>/fulfilment/…/<contact_id>/: a contact matched to the request
            values["contact_id"] = str(obj.matches.first().contact_id)
        if "interaction_pk" in route_:  # /contacts/<pk>/interactions/<interaction_pk>/...
            values.update(pk=str(obj.contact_id), interaction_pk=str(obj.pk))
    return values


def concrete_url(pattern: Pattern, values: dict[str, str]) -> str:
    """The pattern's route with its parameters filled in, whether a path() route or a regular expression."""

    def group(match: re.Match[str]) -> str:
        name, expression = match[1], match[2]
        if re.fullmatch(r"[\w|]+", expression):  # an alternation of literals, such as the admin's app labels
            return expression.split("|")[0]
        return values[name]

    url = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, pattern.route)
    url = re.sub(r"\((?!\?)[^()]*\)", "1", url)  # an unnamed group, such as the history admin's object ids
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match[1]], url)
    url = "/" + url.replace("^", "").replace("$", "").replace("/?", "").replace("\\.", ".")
    assert resolve(url).func == pattern.entry.callback, f"{url} does not reach {pattern.key}"
    return url


def is_denial(response: HttpResponse) -> bool:
    """A refusal: 401, 403, 404, or "log in first" (a redirect to a login page that comes back with `next=`)."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "")
    return response.status_code in (301, 302) and "login" in location and "next=" in location


def request(client: Client, method: str, url: str) -> HttpResponse:
    """One request, its database writes and cookies rolled back so the next request meets the same world."""
    savepoint, cookies = transaction.savepoint(), copy.deepcopy(client.cookies)  # a logout ends the session
    try:
        if url.startswith("/api/"):
            return client.generic(method, url, "{}", content_type="application/json")
        return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies


def may(role: str, allowed: frozenset[str], owner: bool) -> bool:
    return role in allowed or (owner and f"{role}{OWN}" in allowed)


def leaks(role: str, body: bytes) -> list[str]:
    found = []
    if role not in SEE_THEIR_CONTACT and THEIR_NAME.encode() in body:
        found.append("their contact's name")
    if role not in SEE_THEIR_INTERACTIONS and THEIR_BODY.encode() in body:
        found.append("their interaction's body")
    return found


def matrix_violations(role: str, cast: dict[str, AbstractBaseUser], world: World) -> dict[str, str]:
    """`"METHOD key [whose]" -> what went wrong` for every pattern, accepted method and object the role meets."""
    client = client_for(role, cast)
    wrong: dict[str, str] = {}
    for pattern in url_patterns():
        spec = SPEC[pattern.spec_key]
        targets = [("theirs", world.theirs), ("mine", world.mine)] if spec.target else [("-", {})]
        for whose, objects in targets:
            if spec.target and (spec.target not in objects or (whose == "mine" and spec.target in SHARED)):
                continue
            target = {"object": objects[spec.target]} if spec.target else None
            url = concrete_url(pattern, parameters(target, pattern.route))
            for method in accepted_methods(pattern.entry):
                allowed = may(role, spec.roles_for(method), owner=whose == "mine")
                response = request(client, method, url)
                problem = judge(role, allowed, response)
                if problem:
                    wrong[f"{method} {pattern.key} [{whose}] {url}"] = problem
    return wrong


def judge(role: str, allowed: bool, response: HttpResponse) -> str:
    status = response.status_code
    if status >= 500 and status not in SERVER_ERRORS_ALLOWED:
        return f"server error {status}"
    if allowed and is_denial(response):
        return f"refused ({status}) although the spec allows it"
    if not allowed and not is_denial(response):
        return f"answered {status} although the spec refuses it"
    body = b"" if getattr(response, "streaming", False) else response.content
    found = leaks(role, body)
    return f"shows {' and '.join(found)}" if found else ""


@pytest.mark.django_db
@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_every_url_answers_each_role_as_the_spec_says(role, cast, world_for):
    wrong = matrix_violations(role, cast, world_for(role))
    assert wrong == {}, f"{role}:\n" + "\n".join(f"{where}: {problem}" for where, problem in wrong.items())


def _reachable_without_ownership(self: ContactQuerySet, user: Any, action: str) -> ContactQuerySet:
    """`ContactQuerySet._reachable` with the Sales ownership filter removed: the bug the matrix must catch."""
    if user is None or not user.is_authenticated or not user.has_perm(f"crm.{action}_contact"):
        return self.none()
    return self


@pytest.mark.django_db
def test_the_matrix_fails_when_the_sales_ownership_filter_is_removed(cast, world_for, monkeypatch):
    # given a restrict() that lets Sales reach every contact
    monkeypatch.setattr(ContactQuerySet, "_reachable", _reachable_without_ownership)

    wrong = matrix_violations(SALES, cast, world_for(SALES))

    # then the matrix reports the other person's contact reached through the pages and the API, and its name leaking
    reported = {where.split(" /")[0] for where in wrong}
    assert {
        "GET crm:contact_detail [theirs]",
        "POST crm:contact_edit [theirs]",
        "GET api:contact-detail [theirs]",
        "PATCH api:contact-detail [theirs]",
        "DELETE api:contact-detail [theirs]",
        "GET api:interaction-detail [theirs]",
        "POST crm:contact_restore [theirs]",
    } <= reported
    assert any(key.startswith("GET crm:contact_list ") and "name" in problem for key, problem in wrong.items())
    assert not [key for key in wrong if "[mine]" in key], wrong  # own contacts were allowed before and still are


# --- fields -------------------------------------------------------------------------------------------------------

CONTACT_FIELDS_WITHOUT_NOTES = {
    "id",
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation",
    "job_title",
    "preferred_language",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "owner",
    "emails",
    "phones",
    "tags",
    "external_ids",
    "source",
    "source_detail",
    "collected_at",
    "last_interaction_at",
    "restricted",
    "created_at",
    "updated_at",
}
NOTES_READERS = {ADMIN, DPO, SALES, SUPPORT, AUDITOR}


def visible_contact(world: World, role: str) -> Any:
    """The other person's contact for the roles that see every contact, the role's own one for Sales."""
    return world.theirs["contact"] if role in SEE_ALL else world.mine["contact"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
def test_api_contact_fields_stay_within_the_role_list(role, cast, world_for):
    world = world_for(role)
    client = client_for(role, cast)
    detail = client.get(f"/api/v1/contacts/{visible_contact(world, role).pk}/").json()
    listing = client.get("/api/v1/contacts/").json()["results"]
    allowed = CONTACT_FIELDS_WITHOUT_NOTES | ({"notes"} if role in NOTES_READERS else set())
    assert set(detail) <= allowed
    assert listing and all(set(row) <= allowed for row in listing)
    assert ("notes" in detail) == (role in NOTES_READERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
def test_contact_page_shows_notes_and_interaction_bodies_only_to_their_readers(role, cast, world_for):
    world = world_for(role)
    contact = visible_contact(world, role)
    page = client_for(role, cast).get(f"/contacts/{contact.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    readable = role in NOTES_READERS
    assert (contact.notes in html) == readable
    body = contact.interactions.get().body
    assert (body in html) == readable
