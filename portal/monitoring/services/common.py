"""What the monitoring processes share: the refusal and text cleaning."""

from __future__ import annotations

from portal.service_errors import ServiceError


class MonitoringError(ServiceError, ValueError):
    """A monitoring rule refused the input; nothing was written."""


def clean(text: str | None, limit: int = 2000) -> str:
    return (text or "").strip()[:limit]
