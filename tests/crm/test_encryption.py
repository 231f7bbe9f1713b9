"""Encryption at rest: the raw tables never hold the plaintext of encrypted values."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from core.crypto import decrypt, encrypt
from crm.models import Contact
from crm.services import contact_create, interaction_create

EMAIL = "secret.person@example.org"
PHONE_NATIONAL = "01 99 00 12 34"
PHONE_E164 = "+33199001234"
NOTE = "allergic-to-peanuts-note"
BODY = "discussed-the-confidential-offer"


def all_raw_text() -> str:
    """Every row of every table of ours, as text (history tables included)."""
    with connection.cursor() as cursor:
        tables = [
            name
            for name in connection.introspection.table_names(cursor)
            if name.startswith(("crm_", "core_")) and name != "core_areaaccess"
        ]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.mark.django_db
def test_raw_rows_hold_no_plaintext_of_encrypted_values():
    # given a contact with an email, a phone, notes and an interaction, each written and then changed once
    contact = contact_create(first_name="Anna", last_name="Martin", emails=[EMAIL], phones=[PHONE_NATIONAL], notes=NOTE)
    interaction_create(contact=contact, kind="call", occurred_at=timezone.now(), subject="Call", body=BODY)

    # when we read the raw tables
    raw = all_raw_text()

    # then no encrypted value appears in clear, in any form, in any table (history included)
    for plaintext in (EMAIL, PHONE_E164, PHONE_NATIONAL, NOTE, BODY, "secret.person"):
        assert plaintext not in raw
    # and the application still reads them back
    stored = Contact.objects.prefetch_related("points", "interactions").get(pk=contact.pk)
    assert stored.primary_email == EMAIL
    assert stored.primary_phone == PHONE_E164
    assert stored.notes == NOTE
    assert stored.interactions.get().body == BODY


@pytest.mark.django_db
def test_exact_lookup_works_through_the_blind_index_only():
    contact = contact_create(first_name="Élise", last_name="Durand", emails=["Elise.Durand@Exämple.fr"])
    assert list(Contact.objects.with_email(" elise.durand@xn--exmple-cua.fr ")) == [contact]
    assert list(Contact.objects.search("elise.durand@exämple.fr")) == [contact]
    assert list(Contact.objects.search("dur")) == [contact]
    assert list(Contact.objects.search("ÉLI")) == [contact]
    assert list(Contact.objects.with_email("other@example.org")) == []


@pytest.mark.django_db
def test_pages_show_an_internationalised_domain_as_people_write_it(role_client):
    contact = contact_create(first_name="Élise", last_name="Durand", emails=["elise@exämple.fr"])
    html = role_client("DPO").get(f"/contacts/{contact.pk}/").content.decode()
    assert "elise@exämple.fr" in html
    assert 'href="mailto:elise@xn--exmple-cua.fr"' in html


def test_decrypting_something_else_than_a_token_or_a_token_of_an_unknown_key_says_which(settings):
    # the key-rotation command and the forensic scan report these messages as they are
    with pytest.raises(ValueError, match=r"^value is not an encrypted token$"):
        decrypt("plain text")
    token = encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key that wrote it is gone
    with pytest.raises(ValueError, match=r"^no configured key decrypts this value$"):
        decrypt(token)
