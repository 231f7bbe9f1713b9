"""The dsar models: requests and their timeline here; fulfilment records in `fulfilment` (when present)."""

from .fulfilment import ErasureProof, ErasureRun, ObjectionOutcome, RequestRestriction, ResponseFile  # noqa: F401
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
