"""Filters shared by scorecard pages and the API (the names of docs/api.md)."""

import django_filters
from django.core.exceptions import ValidationError

from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard


def period_validator(value: str) -> None:
    try:
        kpis.period_validate(value)
    except ValueError as exc:
        # As a parameter: the message quotes the input, which may contain "%".
        raise ValidationError("%(problem)s", params={"problem": str(exc)}) from exc


def month_validator(value: str) -> None:
    try:
        kpis.month_bounds(value)
    except ValueError as exc:
        raise ValidationError("%(problem)s", params={"problem": str(exc)}) from exc


class ScorecardFilterBase(django_filters.FilterSet):
    supplier = django_filters.CharFilter(field_name="supplier__code", label="Supplier code")
    period = django_filters.CharFilter(
        validators=[period_validator], label="Period: YYYY-MM, or rolling-90"
    )
    window = django_filters.ChoiceFilter(
        method="filter_window",
        choices=[("month", "Calendar months"), (kpis.ROLLING_PERIOD, "Rolling 90 days")],
        label="Calendar months or the rolling 90 days",
    )
    period_from = django_filters.CharFilter(
        field_name="period", lookup_expr="gte", validators=[month_validator], label="From month"
    )
    period_to = django_filters.CharFilter(
        field_name="period", lookup_expr="lte", validators=[month_validator], label="To month"
    )

    def filter_window(self, queryset, name, value):
        if value == kpis.ROLLING_PERIOD:
            return queryset.filter(period=kpis.ROLLING_PERIOD)
        return queryset.exclude(period=kpis.ROLLING_PERIOD)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # A month range never includes the rolling row ("rolling-90" sorts after any month).
        if self.form.cleaned_data.get("period_from") or self.form.cleaned_data.get("period_to"):
            queryset = queryset.exclude(period=kpis.ROLLING_PERIOD)
        return queryset


class SupplierScorecardFilter(ScorecardFilterBase):
    grade = django_filters.ChoiceFilter(
        choices=[(g, g) for g, _ in kpis.GRADE_BANDS] + [(kpis.LOWEST_GRADE, kpis.LOWEST_GRADE)]
    )

    class Meta:
        model = SupplierScorecard
        fields = ["supplier", "period", "window", "period_from", "period_to", "grade"]


class PartScorecardFilter(ScorecardFilterBase):
    part = django_filters.CharFilter(field_name="part__number", label="Part number")

    class Meta:
        model = PartScorecard
        fields = ["part", "supplier", "period", "window", "period_from", "period_to"]
