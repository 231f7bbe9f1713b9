"""CNS-08: what the product's own marketing messages must contain, checked on their templates.

Every marketing template names the sender (`{{ controller_name }}`) and carries
a one-click unsubscribe link (`{{ unsubscribe_url }}`). A first-contact
template (the first message a person whose data came from elsewhere receives)
also says where the data came from (`source`) and carries the Art. 21 notice,
clear and separate (its heading "Your right to object", or the shared
`messages/objection_notice.txt`). Apps register their templates here; a system
check (`manage.py check`, run on every start and deploy) rejects a registered
template that breaks a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@dataclass(frozen=True)
class MessageRule:
    marketing: bool = True
    first_contact: bool = False


REGISTERED: dict[str, MessageRule] = {}

UNSUBSCRIBE = re.compile(r"{{\s*unsubscribe_url\s*}}")
SENDER = re.compile(r"{{\s*controller_name\s*}}|\bname=controller_name\b")
SOURCE = re.compile(r"{{\s*source\s*}}|\bsource=source\b")
OBJECTION = re.compile(r"Your right to object|{%\s*include\s+[\"']messages/objection_notice\.txt[\"']\s*%}")


def message_template_register(name: str, *, marketing: bool = True, first_contact: bool = False) -> None:
    """Declare one of the product's message templates (templates/messages/<name>.txt) and its kind."""
    REGISTERED[name] = MessageRule(marketing=marketing, first_contact=first_contact)


def source_problems(source: str, rule: MessageRule) -> list[str]:
    """What a template's source lacks under `rule` (empty when it complies)."""
    problems = []
    if rule.marketing and not UNSUBSCRIBE.search(source):
        problems.append("no {{ unsubscribe_url }}: every marketing message carries a one-click unsubscribe link")
    if (rule.marketing or rule.first_contact) and not SENDER.search(source):
        problems.append("no {{ controller_name }}: the message must name its sender")
    if rule.first_contact and not SOURCE.search(source):
        problems.append("no {{ source }}: a first message to a person whose data came from elsewhere says where")
    if rule.first_contact and not OBJECTION.search(source):
        problems.append("no objection notice: the first communication states the right to object (Art. 21(4))")
    return problems


def template_problems(name: str, rule: MessageRule) -> list[str]:
    try:
        template = get_template(f"messages/{name}.txt")
    except TemplateDoesNotExist:
        return [f"messages/{name}.txt does not exist"]
    return source_problems(template.template.source, rule)


@checks.register(checks.Tags.templates)
def check_message_templates(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    errors = []
    for name, rule in sorted(REGISTERED.items()):
        for problem in template_problems(name, rule):
            errors.append(checks.Error(f"messages/{name}.txt: {problem}", id="consent.E001", obj=name))
    return errors
