"""CNS-08: the product's marketing templates name the sender and carry an unsubscribe link; first contacts also
say where the data came from and carry the objection notice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from consent import messages
from consent.messages import MessageRule, source_problems

MARKETING = MessageRule()
FIRST_CONTACT = MessageRule(marketing=False, first_contact=True)


def test_every_registered_template_passes_the_check():
    assert {"consent_confirmation", "retention_repermission", "art14_notice"} <= set(messages.REGISTERED)
    assert messages.check_message_templates() == []


def test_a_marketing_template_without_an_unsubscribe_link_is_rejected():
    problems = source_problems("Hello {{ first_name }}, buy now!\n{{ controller_name }}", MARKETING)
    assert problems == ["no {{ unsubscribe_url }}: every marketing message carries a one-click unsubscribe link"]
    assert source_problems("Buy now! {{ unsubscribe_url }}", MARKETING) == [
        "no {{ controller_name }}: the message must name its sender"
    ]
    assert source_problems("Buy! {{ unsubscribe_url }} {{controller_name}}", MARKETING) == []


def test_a_first_contact_template_without_the_objection_notice_is_rejected():
    without = "{{ controller_name }} got your data from {{ source }}."
    assert source_problems(without, FIRST_CONTACT) == [
        "no objection notice: the first communication states the right to object (Art. 21(4))"
    ]
    with_notice = without + '\n{% include "messages/objection_notice.txt" %}'
    assert source_problems(with_notice, FIRST_CONTACT) == []


def test_manage_py_check_fails_on_a_registered_template_that_breaks_a_rule(monkeypatch):
    monkeypatch.setitem(messages.REGISTERED, "test_message", MARKETING)  # the outbox's plain test message
    with pytest.raises(SystemCheckError, match=r"consent\.E001"):
        call_command("check")
