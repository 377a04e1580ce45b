"""Places where other apps' content is wired into the portal.

Alerts addressed to a contact come from the alerts app (`alerts.selectors.alerts_for_user`,
rendered with `alerts/_alert_list.html`). Until that lands the slot is empty; this is the
one place to wire it (the portal sits above alerts, so it may import it).
"""


def alerts_for_contact(*, user, limit: int = 10) -> list:
    """Open alerts addressed to the contact, newest first (empty until alerts land)."""
    return []


ALERTS_TEMPLATE = None  # "alerts/_alert_list.html" once the alerts app provides it
