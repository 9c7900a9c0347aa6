"""Imports every feature's models, so that Alembic and the app see the whole schema."""

from portal.accounts.models import DeletionRequest, RecoveryCode, ResetCode, User  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.complaints.models import Complaint, ComplaintStep  # noqa: F401
from portal.csr.models import Company, Delivery, Need, Pledge, PledgeEvent  # noqa: F401
from portal.distribution.models import (  # noqa: F401
    ArrivalCheck,
    DistributionPoint,
    DistributionRound,
    Entitlement,
    EntitlementLine,
    Handover,
    HandoverLine,
    HandoverVoid,
    RoundApproval,
    RoundItem,
    StockMovement,
    SyncConflict,
    TimeSlot,
)
from portal.lists.models import ListEntry, ListObjection, ListPeriod, ListVersion  # noqa: F401
from portal.monitoring.evaluation_models import Evaluation  # noqa: F401
from portal.monitoring.models import (  # noqa: F401
    Activity,
    ActivityComment,
    ActivityCommentFlag,
    ActivityLink,
    Goal,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    NeedSnapshot,
    Plan,
)
from portal.notify.models import (  # noqa: F401
    Broadcast,
    Consent,
    DailyCount,
    OutboxMessage,
    Subscriber,
    TopicChoice,
)
from portal.participation.models import Ballot, Proposal, Survey  # noqa: F401
from portal.procurement.models import (  # noqa: F401
    DeliveryReturn,
    PackedBatch,
    Purchase,
    PurchaseDelivery,
    PurchaseLine,
    Quote,
    ReferencePrice,
    Supplier,
)
from portal.programmes.models import Programme  # noqa: F401
from portal.public.models import Announcement, Meeting, Partner  # noqa: F401
from portal.registry.change_requests.models import ChangeDocument, ChangeRequest  # noqa: F401
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
from portal.training.models import (  # noqa: F401
    AttendanceMark,
    Course,
    Feedback,
    Place,
    TrainingSession,
)
