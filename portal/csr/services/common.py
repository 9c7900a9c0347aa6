"""Roles, the pledge's allowed steps, refusals and codes, for every CSR rule."""

from __future__ import annotations

from portal import codes
from portal.roles import EDITORS as STAFF_EDITORS
from portal.service_errors import ServiceError

OWNER = "owner"  # the partner whose company made the pledge

# Statuses that count towards a need's progress, and those staff have confirmed.
COUNTED = ("pledged", "confirmed", "partly_delivered", "delivered", "closed")
CONFIRMED = ("confirmed", "partly_delivered", "delivered", "closed")
DELIVERABLE = ("confirmed", "partly_delivered")

# Every allowed step and who may take it. Steps to (partly) delivered happen only
# through record_delivery, offered → pledged only through accept_offer.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("offered", "pledged"): STAFF_EDITORS,
    ("offered", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("pledged", "confirmed"): STAFF_EDITORS,
    ("pledged", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("confirmed", "withdrawn"): (*STAFF_EDITORS, OWNER),
    ("confirmed", "partly_delivered"): STAFF_EDITORS,
    ("confirmed", "delivered"): STAFF_EDITORS,
    ("partly_delivered", "partly_delivered"): STAFF_EDITORS,
    ("partly_delivered", "delivered"): STAFF_EDITORS,
    ("partly_delivered", "closed"): STAFF_EDITORS,
    ("delivered", "closed"): STAFF_EDITORS,
}
DELIVERY_STEPS = {"partly_delivered", "delivered"}
MAX_AMOUNT = 10**15  # well inside BIGINT, far above any pledge

# 32 letters and digits without 0/O, 1/I: 16 of them carry 80 random bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


class CsrError(ServiceError):
    """A refused request; `message` is for the reader, `field` names the form field."""


class NotAllowed(CsrError):
    """The person's role (or ownership) does not allow this step."""


# --- codes -------------------------------------------------------------------------


def new_code() -> str:
    """A random, unguessable verification code: XXXX-XXXX-XXXX-XXXX."""
    return codes.new_code(CODE_ALPHABET, CODE_LENGTH)


def normalize_code(text: str | None) -> str | None:
    """A code as typed (spaces, lower case, no dashes) in its stored form, or None."""
    return codes.normalize_code(text, CODE_ALPHABET, CODE_LENGTH)
