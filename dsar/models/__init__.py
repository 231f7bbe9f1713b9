"""The dsar models: requests and their timeline here; fulfilment records in `fulfilment` (when present)."""

from .requests import (
    ACTIVE_STATUSES,
    CASE_FILE_PURPOSE,
    EventKind,
    ExtensionCategory,
    IdentityMethod,
    MatchMethod,
    PendingSubmission,
    RefusalGround,
    Request,
    RequestChannel,
    RequestEvent,
    RequestMatch,
    RequestNote,
    RequestStatus,
    Right,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CASE_FILE_PURPOSE",
    "EventKind",
    "ExtensionCategory",
    "IdentityMethod",
    "MatchMethod",
    "PendingSubmission",
    "RefusalGround",
    "Request",
    "RequestChannel",
    "RequestEvent",
    "RequestMatch",
    "RequestNote",
    "RequestStatus",
    "Right",
]
