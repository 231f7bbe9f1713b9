from .activities import (
    ActivityApproval,
    ActivityComment,
    ActivityDataCategory,
    ProcessingActivity,
    Recipient,
    localized,
)
from .breaches import Breach, BreachContact, BreachNotification
from .organisation import OrganisationProfile

__all__ = [
    "ActivityApproval",
    "ActivityComment",
    "ActivityDataCategory",
    "Breach",
    "BreachContact",
    "BreachNotification",
    "OrganisationProfile",
    "ProcessingActivity",
    "Recipient",
    "localized",
]
