"""One date format on every page: the reader's own (see static/js/dates.js).

`{{ value|when }}` writes `<time datetime="2026-12-07">7 Dec 2026</time>`; the small
script rewrites the text in the browser's locale, and the server's text is the readable,
unambiguous fallback when scripts are off. Loaded on every template (a builtin).
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def when(value):
    """A date or date-time as a <time> element the browser formats; empty for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_html(
            '<time datetime="{}" data-format="datetime">{}</time>',
            value.isoformat(timespec="minutes"),
            f"{value.day} {value:%b %Y %H:%M}",
        )
    if isinstance(value, dt.date):
        return format_html(
            '<time datetime="{}" data-format="date">{}</time>',
            value.isoformat(),
            f"{value.day} {value:%b %Y}",
        )
    return value
