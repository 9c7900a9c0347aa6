"""What every notify service shares: its error, links in messages, the stop-link token."""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app, has_request_context, request

from portal.service_errors import ServiceError


class NotifyError(ServiceError):
    """A refusal of the notify service, shown beside its field."""


def absolute(path: str) -> str:
    """The full address of a path on this site, for a message read outside it: from
    SERVER_NAME when set (never a request's Host otherwise in production), else the
    request's host, else localhost (a CLI run without settings)."""
    if not path.startswith("/"):
        path = "/" + path
    server = current_app.config.get("SERVER_NAME")
    scheme = current_app.config.get("PREFERRED_URL_SCHEME", "http")
    if server:
        return f"{scheme}://{server}{path}"
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return f"http://localhost{path}"


def _mac(subscriber_id: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"notify-stop:{subscriber_id}".encode(), hashlib.sha256).digest()
    return digest[:12].hex()


def link_token(subscriber_id: int) -> str:
    """The token of a subscriber's own page (its stop link): the id and a MAC of it under
    the secret key, so it is checked without being stored and cannot be guessed."""
    return f"{subscriber_id}-{_mac(subscriber_id)}"


def subscriber_id_of(token: str) -> int | None:
    """The subscriber a link token names, or None for a forged or mangled one."""
    match = re.fullmatch(r"(\d{1,10})-([0-9a-f]{24})", token or "")
    if not match:
        return None
    subscriber_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _mac(subscriber_id)):
        return None
    return subscriber_id


def hash_code(code: str) -> str:
    return hashlib.sha256(f"notify-code:{code}".encode()).hexdigest()


def parse_areas(text: str) -> list[tuple[str, str]]:
    """RT/RW pairs typed as "1/2, 003/002 4/2" → [("001", "002"), ...]; raises on junk."""
    pairs = []
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,3})/(\d{1,3})", part)
        if not match:
            raise ValueError(part)
        pair = (match.group(1).zfill(3), match.group(2).zfill(3))
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def areas_text(pairs: list[tuple[str, str]]) -> str:
    return " ".join(f"{rt}/{rw}" for rt, rw in pairs)
