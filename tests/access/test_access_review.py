"""The periodic access review (SEC-01): the report of users and roles, its export, and the sign-offs."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access import roles
from access.access_review import (
    AREAS,
    WATCHED,
    access_report,
    access_report_rows,
    access_review_sign,
    access_review_status,
    snapshot_fingerprint,
)
from access.apikeys import api_key_create, api_key_revoke
from access.models import AccessReview
from core.models import AppendOnlyError, AuditEvent
from crm.models import Contact
from tests.conftest import OUTSIDER
from tests.factories import ContactFactory, UserFactory

INDEX = reverse("access_review:index")
EXPORT = reverse("access_review:export")
SIGN = reverse("access_review:sign")
NOT_REVIEWERS = [roles.SALES, roles.MARKETING, roles.SUPPORT, OUTSIDER]

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accounts_by_name(report: Any) -> dict[str, Any]:
    return {account.username: account for account in report.accounts}


def csv_tables(text: str) -> dict[str, list[dict[str, str]]]:
    """The CSV's titled tables ("Accounts", "API keys") as lists of rows keyed by the header."""
    tables: dict[str, list[dict[str, str]]] = {}
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    for block in blocks[1:]:
        title, header, *rows = block
        tables[title[0]] = [dict(zip(header, row, strict=True)) for row in rows]
    return tables


# Private by default -------------------------------------------------------------------------


def test_a_new_user_without_a_role_sees_no_contact(cast):
    # given contacts, some owned by nobody, one owned by Sales
    ContactFactory()
    ContactFactory(owner=cast[roles.SALES])
    assert Contact.objects.count() == 2
    # when an account is created and given no role
    newcomer = UserFactory(username="newcomer")
    # then it reaches no contact, through the queryset, the API or the staff list
    assert list(Contact.objects.restrict(newcomer)) == []
    client = logged_in(newcomer)
    api = client.get("/api/v1/contacts/")
    assert api.status_code == 403 or api.json()["results"] == []
    assert client.get(reverse("crm:contact_list")).status_code == 403
    # and the access review shows it without role or right
    account = accounts_by_name(access_report())["newcomer"]
    assert (account.roles, account.areas, account.capabilities, account.has_access) == ((), (), (), False)


# The report ---------------------------------------------------------------------------------


def test_the_report_lists_each_cast_user_with_their_role(cast):
    accounts = accounts_by_name(access_report())
    for role in roles.ROLES:
        assert accounts[cast[role].username].roles == (role,)
    assert accounts[OUTSIDER].roles == ()


def test_effective_rights_are_what_django_grants(cast):
    # given a superuser, an inactive DPO and a Sales user with one permission outside the role
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    inactive = UserFactory(username="former-dpo", roles=[roles.DPO], is_active=False)
    extra = UserFactory(username="sales-plus", roles=[roles.SALES])
    extra.user_permissions.add(Permission.objects.get(content_type__app_label="crm", codename="view_all_contacts"))
    users = [*cast.values(), superuser, inactive, extra]
    accounts = accounts_by_name(access_report())
    for user in users:
        fresh = type(user).objects.get(pk=user.pk)  # no permission cache
        expected = {perm for perm in WATCHED if fresh.has_perm(perm)}
        account = accounts[user.username]
        assert set(account.areas) | set(account.capabilities) == expected, user.username
    assert accounts["former-dpo"].roles == (roles.DPO,)
    assert accounts["former-dpo"].has_access is False
    assert accounts["sales-plus"].direct_permissions == ("crm.view_all_contacts",)
    assert "crm.view_all_contacts" in accounts["sales-plus"].capabilities


def test_sensitive_capabilities_follow_the_roles(cast):
    accounts = accounts_by_name(access_report())

    def holders(capability: str) -> set[str]:
        return {role for role in roles.ROLES if capability in accounts[cast[role].username].capabilities}

    assert holders("crm.view_all_contacts") == {
        roles.ADMINISTRATOR,
        roles.DPO,
        roles.MARKETING,
        roles.SUPPORT,
        roles.AUDITOR,
    }
    assert holders("crm.view_interaction") == {
        roles.ADMINISTRATOR,
        roles.DPO,
        roles.SALES,
        roles.SUPPORT,
        roles.AUDITOR,
    }
    assert holders("crm.export_contact") == {roles.ADMINISTRATOR, roles.DPO, roles.SALES, roles.MARKETING}
    assert holders("access.add_apikey") == {roles.ADMINISTRATOR}


def test_the_report_lists_api_keys_with_scopes_expiry_and_revocation(cast):
    kept, _ = api_key_create(name="Newsletter tool", scopes=["contacts:read"], expires_in_days=30)
    gone, _ = api_key_create(name="Old webshop", scopes=["contacts:read", "contacts:write"])
    api_key_revoke(api_key=gone, reason="shop closed")
    keys = {key.name: key for key in access_report().api_keys}
    assert keys["Newsletter tool"].scopes == ("contacts:read",)
    assert keys["Newsletter tool"].expires_at == kept.expires_at
    assert keys["Newsletter tool"].status == "active"
    assert keys["Old webshop"].status == "revoked"
    assert keys["Old webshop"].revoked_at is not None


# The page and its CSV -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.DPO, roles.ADMINISTRATOR, roles.AUDITOR])
def test_reviewers_see_every_account_with_its_roles(cast, role):
    page = logged_in(cast[role]).get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    for member in roles.ROLES:
        assert f'data-username="{cast[member].username}"' in html
        assert f'data-role="{member}"' in html
    assert f'data-username="{OUTSIDER}"' in html


@pytest.mark.parametrize("role", NOT_REVIEWERS)
def test_other_roles_may_neither_read_export_nor_sign(cast, role):
    client = logged_in(cast[role])
    assert client.get(INDEX).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.post(SIGN, {"fingerprint": access_report().fingerprint()}).status_code == 403
    assert not AccessReview.objects.exists()


def test_the_auditor_reads_the_review_but_cannot_sign_it(cast):
    client = logged_in(cast[roles.AUDITOR])
    assert 'id="access-review-sign"' not in client.get(INDEX).content.decode()
    assert client.post(SIGN, {"fingerprint": access_report().fingerprint()}).status_code == 403
    assert not AccessReview.objects.exists()


def test_the_csv_export_lists_every_account_with_its_roles_and_is_audited(cast):
    api_key_create(name="Newsletter tool", scopes=["contacts:read"])
    response = logged_in(cast[roles.DPO]).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    tables = csv_tables(response.content.decode("utf-8-sig"))
    roles_by_user = {row["Username"]: row["Roles"] for row in tables["Accounts"]}
    for role in roles.ROLES:
        assert roles_by_user[cast[role].username] == role
    assert roles_by_user[OUTSIDER] == ""
    marketing = next(row for row in tables["Accounts"] if row["Username"] == cast[roles.MARKETING].username)
    assert marketing["Interactions and notes (crm.view_interaction)"] == "no"
    assert marketing["Export contacts (crm.export_contact)"] == "yes"
    assert [row["Name"] for row in tables["API keys"]] == ["Newsletter tool"]
    event = AuditEvent.objects.get(action="access_review.exported")
    assert event.actor_user == cast[roles.DPO]
    assert event.data["accounts"] == len(cast)


def test_the_csv_defuses_spreadsheet_formulas(cast):
    UserFactory(username="mallory", first_name='=HYPERLINK("http://evil")', last_name="x")
    rows = list(access_report_rows(access_report()))
    mallory = next(row for row in rows if row and row[0] == "mallory")
    assert mallory[1].startswith("'=")


def test_the_command_writes_the_csv_to_stdout_or_a_file(cast, tmp_path):
    out = io.StringIO()
    call_command("access_review", stdout=out)
    tables = csv_tables(out.getvalue())
    assert {row["Username"] for row in tables["Accounts"]} == {user.username for user in cast.values()}
    target = tmp_path / "review.csv"
    call_command("access_review", "--output", str(target), stderr=io.StringIO())
    written = csv_tables(target.read_text(encoding="utf-8"))
    assert {row["Username"]: row["Roles"] for row in written["Accounts"]}[cast[roles.SUPPORT].username] == "Support"
    events = AuditEvent.objects.filter(action="access_review.exported")
    assert [(event.actor_kind, event.actor_label) for event in events] == [("system", "access_review")] * 2


# Sign-off -----------------------------------------------------------------------------------


def test_signing_off_stores_a_snapshot_and_an_audit_event(cast):
    dpo = cast[roles.DPO]
    ContactFactory(first_name="Zéphyrine", last_name="Subject-Person")
    report = access_report()
    review = access_review_sign(reviewer=dpo, comment="  Closed two accounts.  ", fingerprint=report.fingerprint())
    assert (review.signed_by, review.signed_by_label, review.comment) == (dpo, dpo.username, "Closed two accounts.")
    assert review.fingerprint == report.fingerprint()
    snapshot = {row["username"]: row for row in review.snapshot["accounts"]}
    assert snapshot[cast[roles.SALES].username]["roles"] == [roles.SALES]
    assert "crm.view_all_contacts" not in snapshot[cast[roles.SALES].username]["capabilities"]
    # staff rights only: no data subject, no name, no login time
    dumped = json.dumps(review.snapshot)
    assert "Zéphyrine" not in dumped and "Subject-Person" not in dumped
    assert set(snapshot[dpo.username]) == {
        "username",
        "active",
        "staff",
        "superuser",
        "roles",
        "areas",
        "capabilities",
        "direct_permissions",
    }
    event = AuditEvent.objects.get(action="access_review.signed")
    assert (event.object_type, event.object_id, event.actor_user) == ("access.AccessReview", str(review.pk), dpo)
    assert event.data["fingerprint"] == review.fingerprint


def test_sign_offs_are_append_only(cast):
    review = access_review_sign(reviewer=cast[roles.ADMINISTRATOR], comment="")
    review.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        review.save()
    with pytest.raises(AppendOnlyError):
        review.delete()
    with pytest.raises(AppendOnlyError):
        AccessReview.objects.update(comment="rewritten")
    with pytest.raises(AppendOnlyError):
        AccessReview.objects.all().delete()
    assert AccessReview.objects.get().comment == ""


def test_only_reviewers_may_sign(cast):
    with pytest.raises(PermissionDenied):
        access_review_sign(reviewer=cast[roles.AUDITOR], comment="")
    assert not AccessReview.objects.exists()
    assert not AuditEvent.objects.filter(action="access_review.signed").exists()


def test_a_report_that_changed_since_it_was_read_is_not_signed(cast):
    read = access_report().fingerprint()
    cast[OUTSIDER].groups.add(Group.objects.get(name=roles.MARKETING))
    with pytest.raises(ValidationError):
        access_review_sign(reviewer=cast[roles.DPO], comment="", fingerprint=read)
    assert not AccessReview.objects.exists()


def test_the_fingerprint_ignores_logins_but_not_rights(cast):
    before = access_report().fingerprint()
    user = cast[roles.SALES]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert access_report().fingerprint() == before
    user.groups.add(Group.objects.get(name=roles.SUPPORT))
    assert access_report().fingerprint() != before


def test_a_review_signed_before_access_control_left_core_matches_the_same_rights_after(cast):
    # The area, API-key, review and lock permissions were named core.* until their models moved to access.
    report = access_report()
    before_the_move = json.loads(json.dumps(report.snapshot()).replace('"access.', '"core.'))
    assert before_the_move != report.snapshot()
    assert snapshot_fingerprint(before_the_move) == report.fingerprint()


def test_the_dpo_signs_off_from_the_page(cast):
    client = logged_in(cast[roles.DPO])
    page = client.get(INDEX)
    fingerprint = page.context["fingerprint"]
    answer = client.post(SIGN, {"comment": "Quarterly review", "fingerprint": fingerprint}, follow=True)
    assert answer.redirect_chain == [(INDEX, 302)]
    review = AccessReview.objects.get()
    assert (review.signed_by, review.comment, review.fingerprint) == (cast[roles.DPO], "Quarterly review", fingerprint)
    html = answer.content.decode()
    assert "Quarterly review" in html
    assert 'data-review-state="current"' in html


def test_a_stale_page_is_refused_with_a_message(cast):
    client = logged_in(cast[roles.ADMINISTRATOR])
    fingerprint = client.get(INDEX).context["fingerprint"]
    UserFactory(username="late-arrival", roles=[roles.SALES])
    answer = client.post(SIGN, {"comment": "", "fingerprint": fingerprint}, follow=True)
    assert answer.status_code == 200
    assert not AccessReview.objects.exists()
    assert "Access rights changed since you opened the report" in answer.content.decode()


# When the next review is due ------------------------------------------------------------------


def test_the_review_is_due_when_never_signed_or_older_than_the_interval(cast, settings):
    settings.ACCESS_REVIEW_INTERVAL_DAYS = 180
    assert access_review_status().overdue
    review = access_review_sign(reviewer=cast[roles.DPO], comment="")
    status = access_review_status(now=review.signed_at + timedelta(days=179))
    assert (status.overdue, status.days_since, status.due_at) == (False, 179, review.signed_at + timedelta(days=180))
    assert access_review_status(now=review.signed_at + timedelta(days=180)).overdue


def test_the_page_warns_when_the_review_is_overdue(cast, settings):
    client = logged_in(cast[roles.AUDITOR])
    assert 'data-review-state="never"' in client.get(INDEX).content.decode()
    access_review_sign(reviewer=cast[roles.DPO], comment="")
    settings.ACCESS_REVIEW_INTERVAL_DAYS = 0
    html = client.get(INDEX).content.decode()
    assert 'data-review-state="overdue"' in html
    assert 'id="changed-since-last"' not in html


def test_every_area_permission_has_a_name_in_the_report():
    assert set(AREAS) == set(roles.ALL_AREAS)
