"""Emails: one small function per email elsewhere, all built here from three templates.

`templates/emails/<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html` render
with the same context; the portal's address is in the context as `site_url`.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def make_message(
    name: str, to: str, ctx: dict, *, headers: dict | None = None
) -> EmailMultiAlternatives:
    """An email with a text and an HTML part, ready to `.send()`."""
    ctx = {"site_url": settings.SITE_URL, **ctx}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message
