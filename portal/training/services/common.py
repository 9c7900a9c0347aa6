"""Roles, refusals, codes and time helpers that every training rule uses."""

from __future__ import annotations

from datetime import datetime

from portal import codes
from portal.models_base import as_utc
from portal.service_errors import ServiceError
from portal.training.models import LANGUAGES

# 32 letters and digits without 0/O, 1/I: 12 of them carry 60 random bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class TrainingError(ServiceError):
    """A refused request; `message` is for the reader, `field` names the form field."""


class NotEligible(TrainingError):
    """The course's priority rule does not admit this person; the message says why."""


class AlreadySignedUp(TrainingError):
    """The person already holds a place (or a waitlist number) in this session."""


# --- small helpers ---------------------------------------------------------------


def new_code() -> str:
    """A random certificate code: XXXX-XXXX-XXXX."""
    return codes.new_code(CODE_ALPHABET, CODE_LENGTH)


def normalize_code(text: str | None) -> str | None:
    """A code as typed (spaces, lower case, without dashes) in its stored form, or None."""
    return codes.normalize_code(text, CODE_ALPHABET, CODE_LENGTH)


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return as_utc(value).astimezone(UTC)


def _locale(value: str | None) -> str:
    return value if value in LANGUAGES else "id"
