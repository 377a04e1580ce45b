"""Display KPI figures: "—" for an empty population, a marker for a low sample."""

from django import template
from django.utils.html import format_html

from scorecards import kpis

register = template.Library()


@register.filter
def kpi(value, decimals=1):
    """A KPI rounded for display; null (empty population) shows as a dash, never 0."""
    if value is None:
        return "—"
    return f"{float(value):,.{int(decimals)}f}"


@register.simple_tag
def kpi_cell(value, population, decimals=1):
    """A KPI with the low-sample marker when fewer than 5 observations are behind it."""
    shown = kpi(value, decimals)
    if value is not None and population is not None and kpis.is_low_sample(population):
        return format_html(
            '<span class="low-sample" title="Low sample: {} behind this figure">{}*</span>',
            population,
            shown,
        )
    return shown
