"""Consent events, the derived state, wordings, objections and the suppression list, through the services."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError

from consent import services, tokens
from consent.models import Action, ConsentEvent, ConsentState, ConsentWording, Method, Status, Suppression
from consent.rebuild import consent_state_rebuild
from core.crypto import blind_index
from core.models import AppendOnlyError, AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db


def give(contact, purpose, wording, method=Method.STAFF, channel="email"):
    return services.consent_give(contact=contact, purpose=purpose, channel=channel, method=method, wording=wording)


def state_of(contact, purpose, channel="email"):
    return ConsentState.objects.get(contact=contact, purpose=purpose, channel=channel)


def test_a_new_purpose_starts_with_nobody_consenting(newsletter, make_contact):
    make_contact()
    assert ConsentState.objects.filter(purpose=newsletter).count() == 0


def test_consent_online_on_a_double_opt_in_purpose_waits_for_the_link(newsletter, wording_en, make_contact):
    contact = make_contact(emails=["anna@example.com"])
    event = give(contact, newsletter, wording_en, method=Method.PREFERENCE_CENTRE)
    assert event.awaits_confirmation
    assert state_of(contact, newsletter).status == Status.PENDING
    message = OutboxMessage.objects.get(template="consent_confirmation")
    assert message.recipient == "anna@example.com"
    sent = ConsentEvent.objects.get(contact=contact, action=Action.CONFIRMATION_SENT)
    assert sent.outbox_message_ref == message.pk
    token = message.body.split("/privacy/confirm/")[1].split("/")[0]
    confirmed = services.consent_confirm(token=token)
    assert confirmed.action == Action.CONFIRMED
    assert state_of(contact, newsletter).status == Status.GRANTED
    # a second click confirms nothing more
    assert services.consent_confirm(token=token) is None


def test_an_expired_confirmation_link_is_refused(newsletter, wording_en, make_contact, settings):
    contact = make_contact()
    event = give(contact, newsletter, wording_en, method=Method.WEB_FORM)
    settings.CONSENT_CONFIRMATION_MAX_AGE = -1
    with pytest.raises(tokens.BadToken):
        services.consent_confirm(token=tokens.confirm_token(event.pk))
    assert state_of(contact, newsletter).status == Status.PENDING


def test_consent_by_phone_counts_at_once_and_freezes_the_wording(newsletter, wording_en, make_contact):
    contact = make_contact()
    give(contact, newsletter, wording_en, method=Method.PHONE)
    assert state_of(contact, newsletter).status == Status.GRANTED
    wording_en.refresh_from_db()
    assert wording_en.first_shown_at is not None
    assert AuditEvent.objects.filter(action="consent.given", subject_id=contact.pk).exists()


def test_a_consent_without_wording_is_refused(newsletter, make_contact):
    with pytest.raises(ValidationError) as error:
        give(make_contact(), newsletter, None)
    assert "wording" in error.value.message_dict


def test_a_channel_the_purpose_does_not_use_is_refused(newsletter, wording_en, make_contact):
    with pytest.raises(ValidationError) as error:
        give(make_contact(), newsletter, wording_en, channel="sms")
    assert "channel" in error.value.message_dict


def test_editing_a_shown_wording_is_refused_with_a_clear_message(newsletter, wording_en, make_contact):
    give(make_contact(), newsletter, wording_en)
    with pytest.raises(ValidationError) as error:
        services.wording_update(wording=ConsentWording.objects.get(pk=wording_en.pk), text="Changed")
    assert "cannot be edited" in " ".join(error.value.message_dict["text"])
    wording_en.refresh_from_db()
    assert wording_en.text == "Send me the monthly newsletter."


def test_a_new_version_leaves_old_consents_with_their_text(newsletter, wording_en, make_contact):
    contact = make_contact()
    give(contact, newsletter, wording_en)
    new = services.wording_publish(purpose=newsletter, language="en", text="Send me the weekly newsletter.")
    assert new.version == 2
    assert ConsentWording.objects.filter(purpose=newsletter, language="en").count() == 2
    event = ConsentEvent.objects.get(contact=contact, action=Action.GIVEN)
    assert event.wording.text == "Send me the monthly newsletter."


def test_an_unshown_wording_may_be_corrected(newsletter, wording_en):
    assert services.wording_update(wording=wording_en, text="Fixed typo").text == "Fixed typo"


def test_consent_events_cannot_be_changed_or_deleted(newsletter, wording_en, make_contact):
    event = give(make_contact(), newsletter, wording_en)
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentevent SET note = 'changed' WHERE id = %s", [event.pk])


def test_withdrawal_keeps_the_history(newsletter, wording_en, make_contact):
    contact = make_contact()
    give(contact, newsletter, wording_en)
    services.consent_withdraw(contact=contact, purpose=newsletter, method=Method.UNSUBSCRIBE_LINK)
    actions = list(ConsentEvent.objects.filter(contact=contact).values_list("action", flat=True))
    assert actions == [Action.GIVEN, Action.WITHDRAWN]
    assert state_of(contact, newsletter).status == Status.WITHDRAWN


def test_objection_withdraws_every_marketing_purpose_and_suppresses_the_addresses(
    newsletter, prospection, wording_en, make_contact
):
    contact = make_contact(emails=["Paul@Example.com"], phones=["+33 6 12 34 56 78"])
    give(contact, newsletter, wording_en)
    services.objection_record(contact=contact, method=Method.STAFF)
    statuses = set(ConsentState.objects.filter(contact=contact).values_list("status", flat=True))
    assert statuses == {Status.OBJECTED}
    assert ConsentState.objects.filter(contact=contact).count() == 1 + 4
    hashes = set(Suppression.objects.values_list("value_hash", flat=True))
    assert hashes == {blind_index("paul@example.com"), blind_index("+33612345678")}
    assert AuditEvent.objects.filter(action="consent.objection_recorded", subject_id=contact.pk).exists()
    with pytest.raises(ValidationError) as error:
        give(contact, newsletter, wording_en)
    assert "suppression list" in " ".join(error.value.message_dict["contact"])


def test_the_suppression_table_has_no_plaintext_column():
    columns = {field.name for field in Suppression._meta.get_fields()}
    assert columns == {"id", "kind", "value_hash", "reason", "created_at", "contact"}


def test_rebuild_finds_no_difference_then_repairs_a_tampered_state(newsletter, prospection, wording_en, make_contact):
    contacts = [make_contact() for _ in range(3)]
    give(contacts[0], newsletter, wording_en, method=Method.WEB_FORM)
    give(contacts[1], newsletter, wording_en)
    services.consent_withdraw(contact=contacts[1], purpose=newsletter, method=Method.STAFF)
    services.objection_record(contact=contacts[2], method=Method.STAFF)
    assert consent_state_rebuild().differences == 0
    ConsentState.objects.filter(contact=contacts[1]).update(status=Status.GRANTED)
    ConsentState.objects.filter(contact=contacts[2], purpose=prospection, channel="post").delete()
    report = consent_state_rebuild(fix=True, batch_size=1)
    assert len(report.different) == 1 and len(report.missing) == 1
    assert consent_state_rebuild().differences == 0
    assert state_of(contacts[1], newsletter).status == Status.WITHDRAWN


def test_the_confirmation_email_carries_a_one_click_unsubscribe_header(newsletter, wording_en, make_contact, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    contact = make_contact()
    with transaction.atomic():
        give(contact, newsletter, wording_en, method=Method.WEB_FORM)
    # on_commit ran inside the test transaction? The outbox sends after commit: deliver explicitly.
    from core.outbox import message_deliver

    message = OutboxMessage.objects.get(template="consent_confirmation")
    message_deliver(message_id=message.pk)
    sent = mail.outbox[-1]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/privacy/unsubscribe/" in sent.extra_headers["List-Unsubscribe"]


def test_the_rebuild_command_reports_and_fixes(newsletter, wording_en, make_contact):
    from io import StringIO

    from django.core.management import call_command

    contact = make_contact()
    give(contact, newsletter, wording_en)
    ConsentState.objects.filter(contact=contact).delete()
    out = StringIO()
    call_command("rebuild_consent_state", stdout=out)
    assert "1 missing, 0 extra, 0 different" in out.getvalue() and "--fix" in out.getvalue()
    call_command("rebuild_consent_state", "--fix", stdout=StringIO())
    assert state_of(contact, newsletter).status == Status.GRANTED
    assert AuditEvent.objects.filter(action="consent.state_rebuilt").exists()
