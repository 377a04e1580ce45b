"""Display KPI figures: "—" for an empty population, a marker for a low sample."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from scorecards import kpis

register = template.Library()


@register.filter
def kpi(value, decimals=1):
    """A KPI rounded for display; null (empty population) shows as a dash, never 0."""
    if value is None:
        return "—"
    # In the user's locale (decimal comma in German, grouped thousands everywhere).
    return number_format(round(float(value), int(decimals)), int(decimals), force_grouping=True)


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
