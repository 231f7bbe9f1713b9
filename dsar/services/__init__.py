"""Every write of the dsar app (intake, matching, case actions, reminders); fulfilment lives in dsar.fulfilment."""

from .cases import (
    request_assign,
    request_communicate,
    request_extend,
    request_fulfilled,
    request_identity_confirm,
    request_information_ask,
    request_information_receive,
    request_note_add,
    request_refuse,
    request_register,
)
from .common import event_record, requester_message
from .intake import (
    VerificationFailed,
    submission_receive,
    submission_verify,
    submissions_forget_address,
    submissions_lapse,
)
from .matching import contacts_holding, request_match_add, request_match_by_address, request_match_remove
from .reminders import requests_remind

__all__ = [
    "VerificationFailed",
    "contacts_holding",
    "event_record",
    "request_assign",
    "request_communicate",
    "request_extend",
    "request_fulfilled",
    "request_identity_confirm",
    "request_information_ask",
    "request_information_receive",
    "request_match_add",
    "request_match_by_address",
    "request_match_remove",
    "request_note_add",
    "request_refuse",
    "request_register",
    "requester_message",
    "requests_remind",
    "submission_receive",
    "submission_verify",
    "submissions_forget_address",
    "submissions_lapse",
]
