"""The organisations endpoint (/api/v1/organisations/)."""

from __future__ import annotations

import pytest

from crm.models import Organisation

from ..factories import ContactFactory
from .api_clients import key_api, staff_api

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


def test_create_update_and_delete_through_the_api(dpo_user):
    client = staff_api(dpo_user)

    created = client.post(URL, {"name": "Société Générale", "country": "FR"}, format="json")
    assert created.status_code == 201, created.content
    url = f"{URL}{created.json()['id']}/"
    changed = client.patch(url, {"city": "Paris"}, format="json")
    deleted = client.delete(url)

    assert changed.status_code == 200 and changed.json()["city"] == "Paris"
    assert deleted.status_code == 204
    assert not Organisation.objects.exists()
    assert Organisation.history.filter(history_type="-").count() == 1


def test_field_errors(dpo_user):
    response = staff_api(dpo_user).post(URL, {"name": "", "website": "not a url", "country": "FRA"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "website", "country"}


def test_an_organisation_with_contacts_cannot_be_deleted(dpo_user):
    acme = Organisation.objects.create(name="Acme")
    ContactFactory(organisation=acme)

    response = staff_api(dpo_user).delete(f"{URL}{acme.pk}/")

    assert response.status_code == 400
    assert "move them" in response.json()["non_field_errors"][0]
    assert Organisation.objects.filter(pk=acme.pk).exists()


def test_list_is_sorted_by_name_and_filtered_by_prefix(auditor_user):
    for name in ["Zèbre SA", "Écoles réunies", "Acme"]:
        Organisation.objects.create(name=name)
    client = staff_api(auditor_user)

    names = [row["name"] for row in client.get(URL).json()["results"]]
    found = [row["name"] for row in client.get(URL, {"q": "eco"}).json()["results"]]

    assert names == ["Acme", "Écoles réunies", "Zèbre SA"]
    assert found == ["Écoles réunies"]


@pytest.mark.parametrize(
    ("role", "read", "create", "delete"),
    [("Sales", 200, 201, 403), ("Marketing", 200, 403, 403), ("Auditor", 200, 403, 403), ("outsider", 403, 403, 403)],
)
def test_role_permissions(cast, role, read, create, delete):
    acme = Organisation.objects.create(name="Acme")
    client = staff_api(cast[role])

    assert client.get(URL).status_code == read
    assert client.post(URL, {"name": "New"}, format="json").status_code == create
    assert client.delete(f"{URL}{acme.pk}/").status_code == delete


def test_keys_use_the_contact_scopes():
    Organisation.objects.create(name="Acme")
    _, reader = key_api("contacts:read")
    _, writer = key_api("contacts:write")

    assert reader.get(URL).status_code == 200
    assert reader.post(URL, {"name": "New"}, format="json").status_code == 403
    assert writer.post(URL, {"name": "New"}, format="json").status_code == 201
