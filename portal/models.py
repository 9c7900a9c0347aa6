"""Imports every feature's models, so that Alembic and the app see the whole schema."""

from portal.accounts.models import RecoveryCode, User  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.csr.models import Company, Delivery, Need, Pledge, PledgeEvent  # noqa: F401
from portal.public.models import Announcement, Meeting, Partner, Programme  # noqa: F401
from portal.registry.importing.models import ImportBatch  # noqa: F401
from portal.registry.models import (  # noqa: F401
    DuplicateDecision,
    Enrolment,
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
