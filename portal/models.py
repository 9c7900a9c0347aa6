"""Imports every feature's models, so that Alembic and the app see the whole schema."""

from portal.accounts.models import User  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.public.models import Announcement, Meeting, Partner, Programme  # noqa: F401
