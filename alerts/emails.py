"""One small function per email (STYLE rule 8), each over `core.emails.make_message`."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from alerts.kinds import Kind
from alerts.models import Alert
from core.emails import make_message

DIGEST_ITEMS_PER_KIND = 10


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "dualsource.local"


def alert_message_id(*, alert_id: int, user_id: int) -> str:
    """Stable per alert and recipient: a resend is recognised as the same email."""
    return f"<alert-{alert_id}.user-{user_id}@{_domain()}>"


def digest_message_id(*, day: dt.date, user_id: int) -> str:
    return f"<digest-{day:%Y%m%d}.user-{user_id}@{_domain()}>"


def _headers(*, message_id: str, alert_ids: list[int]) -> dict:
    settings_url = settings.SITE_URL + reverse("alerts:notifications")
    return {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{settings_url}>",
        "X-Dualsource-Alert": ", ".join(str(i) for i in alert_ids),
        "Auto-Submitted": "auto-generated",
    }


def alert_url(alert_id: int) -> str:
    return settings.SITE_URL + reverse("alerts:detail", args=[alert_id])


def critical_alert_message(*, alert: Alert, recipient, message_id: str) -> EmailMultiAlternatives:
    """A critical alert, at once, to one recipient."""
    return make_message(
        "alert-critical",
        recipient.email,
        {"alert": alert, "recipient": recipient, "alert_url": alert_url(alert.pk)},
        headers=_headers(message_id=message_id, alert_ids=[alert.pk]),
    )


def digest_message(
    *, recipient, day: dt.date, alerts: list[Alert], message_id: str
) -> EmailMultiAlternatives:
    """One day's digest for one recipient: the new alerts grouped by kind, with counts."""
    groups = {}
    for alert in alerts:
        groups.setdefault(alert.kind, []).append(alert)
    inbox = settings.SITE_URL + reverse("alerts:inbox")
    sections = [
        {
            "kind": kind,
            "label": Kind(kind).label,
            "count": len(items),
            "alerts": [{"alert": a, "url": alert_url(a.pk)} for a in items[:DIGEST_ITEMS_PER_KIND]],
            "more": max(len(items) - DIGEST_ITEMS_PER_KIND, 0),
            "inbox_url": f"{inbox}?kind={kind}&state=open",
        }
        for kind, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return make_message(
        "alerts-digest",
        recipient.email,
        {
            "recipient": recipient,
            "day": day,
            "sections": sections,
            "total": len(alerts),
            "inbox_url": inbox,
        },
        headers=_headers(message_id=message_id, alert_ids=sorted(a.pk for a in alerts)),
    )
