"""The contact repository's models (one module per concern, re-exported here)."""

from .contacts import (
    Contact,
    ContactPoint,
    ContactPointKind,
    ContactStatus,
    ExternalId,
    Organisation,
    PersonKind,
    SourceKind,
    Tag,
    search_key,
)
from .interactions import Interaction, InteractionKind
from .logs import AccessChannel, ContactAccess, DisclosedContact, Disclosure

__all__ = [
    "AccessChannel",
    "Contact",
    "ContactAccess",
    "ContactPoint",
    "ContactPointKind",
    "ContactStatus",
    "DisclosedContact",
    "Disclosure",
    "ExternalId",
    "Interaction",
    "InteractionKind",
    "Organisation",
    "PersonKind",
    "SourceKind",
    "Tag",
    "search_key",
]
