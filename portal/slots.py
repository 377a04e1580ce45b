"""Places where other apps' content is wired into the portal.

Alerts addressed to a contact come from the alerts app (`alerts.selectors.alerts_for_user`:
only its own supplier's late and unconfirmed lines), rendered with `alerts/_alert_list.html`.
"""

from alerts.models import Alert
from alerts.selectors import alerts_for_user


def alerts_for_contact(*, user, limit: int = 10) -> list:
    """Open alerts addressed to the contact, newest first."""
    alerts = alerts_for_user(user=user).exclude(state=Alert.State.RESOLVED)
    return list(alerts.order_by("-last_seen", "-id")[:limit])


ALERTS_TEMPLATE = "alerts/_alert_list.html"
