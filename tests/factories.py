"""factory_boy factories shared by every test package.

Names and addresses come from Faker with French and British locales, the two
audiences the product serves, so accents and apostrophes reach every layer.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from faker import Faker

from crm.models import Contact
from crm.services import contact_create

PASSWORD = "correct-horse-battery-staple"
# One proxy over both locales: each call picks one of them.
fake = Faker(["fr_FR", "en_GB"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@staff.example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    is_active = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        """`UserFactory(roles=["Sales"])` puts the user in those (existing) groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class ContactFactory(factory.Factory):
    """Contacts are created through the real service, so points are normalised, encrypted and indexed."""

    class Meta:
        model = Contact

    first_name = factory.LazyFunction(lambda: fake.first_name())
    last_name = factory.LazyFunction(lambda: fake.last_name())
    emails = factory.Sequence(lambda n: [f"contact{n}@example.com"])
    phones: list[str] = []
    # Fixed, neutral notes: Faker's word lists hold terms (health, religious…) that the
    # free-text check (crm/sensitive.py) refuses without a justification.
    notes = factory.Iterator(["Met at the Lyon fair.", "Prefers a call in the morning.", "Asked for the brochure.", ""])

    @classmethod
    def _create(cls, model_class: type[Contact], *args: Any, **kwargs: Any) -> Contact:
        return contact_create(**kwargs)
