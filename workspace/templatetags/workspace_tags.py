"""Layout helpers: sparklines, query links."""

import functools

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from workspace import charts

register = template.Library()


@register.simple_tag
def sparkline(values):
    points = charts.sparkline_points(values or [])
    if not points:
        return format_html('<span class="muted">{}</span>', "—")
    return format_html(
        '<svg class="sparkline" viewBox="0 0 80 20" width="80" height="20" role="img" '
        'aria-label="Score trend"><polyline points="{}" /></svg>',
        points,
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (sorting, paging links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    query.pop("page", None) if "page" not in changes else None
    return query.urlencode()


@register.filter
def attr_of(obj, name: str):
    return getattr(obj, name, None)


@functools.cache
def _drilldown_url(kind: str) -> str:
    return reverse(f"drilldown:{kind}")


@register.simple_tag
def figure_link(kind: str, period: str, supplier=None, part=None):
    """The drill-down URL behind a figure: the rows of `kind` for that period and scope.
    Lists call this for every figure of every row: the route is resolved once per kind."""
    query = {"period": period}
    if supplier:
        query["supplier"] = supplier
    if part:
        query["part"] = part
    return f"{_drilldown_url(kind)}?{urlencode(query)}"


@register.filter
def change_class(change, lower_is_better=False):
    """CSS class for a change against the previous period: better green, worse red."""
    if change is None or change == 0:
        return ""
    better = change < 0 if lower_is_better else change > 0
    return "change-better" if better else "change-worse"


@register.filter
def attr_get(mapping, key):
    """A dict value by a key held in a variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None
