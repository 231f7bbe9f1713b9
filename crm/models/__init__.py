"""The contact repository's models (one module per concern, re-exported here)."""

from .contacts import (
    INDIRECT_SOURCES,
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
from .dedup import CandidateStatus, ContactMerge, DedupRun, DuplicateCandidate, RunMode, RunStatus
from .imports import ErasedImportKey, ImportFormat, ImportJob, ImportStatus, OnDuplicate
from .interactions import Interaction, InteractionKind
from .logs import AccessChannel, ContactAccess, DisclosedContact, Disclosure
from .recipients import NEEDS_JUSTIFICATION, NotificationCause, NotificationStatus, RecipientNotification
from .webhooks import DeliveryOutcome, RecipientEndpoint, WebhookDelivery

__all__ = [
    "INDIRECT_SOURCES",
    "NEEDS_JUSTIFICATION",
    "AccessChannel",
    "CandidateStatus",
    "Contact",
    "ContactAccess",
    "ContactMerge",
    "ContactPoint",
    "ContactPointKind",
    "ContactStatus",
    "DedupRun",
    "DeliveryOutcome",
    "DisclosedContact",
    "Disclosure",
    "DuplicateCandidate",
    "ErasedImportKey",
    "ExternalId",
    "ImportFormat",
    "ImportJob",
    "ImportStatus",
    "Interaction",
    "InteractionKind",
    "NotificationCause",
    "NotificationStatus",
    "OnDuplicate",
    "Organisation",
    "PersonKind",
    "RecipientEndpoint",
    "RecipientNotification",
    "RunMode",
    "RunStatus",
    "SourceKind",
    "Tag",
    "WebhookDelivery",
    "search_key",
]
