"""The notify service: subscriptions (`subscriptions`), broadcasts (`broadcasts`); the
outbox itself is `portal.notify.outbox`, the sending rules `portal.notify.rules`."""

from portal.notify.services import broadcasts, notices, subscriptions
from portal.notify.services.common import NotifyError, absolute, link_token, subscriber_id_of

__all__ = [
    "NotifyError",
    "absolute",
    "broadcasts",
    "link_token",
    "notices",
    "subscriber_id_of",
    "subscriptions",
]
