"""Scorecard API: read-only, scoped to the user's suppliers (the names of docs/api.md).

Rolling figures are rows with `period` = "rolling-90" (the 90 days ending on
`period_end`, the as-of date); filter them with `?period=rolling-90` or
`?window=rolling-90`, and calendar months with `?window=month`.
"""

from rest_framework import serializers, viewsets

from core.api import ExportableListMixin
from scorecards import kpis
from scorecards.filters import PartScorecardFilter, SupplierScorecardFilter
from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.selectors import part_scorecards_visible, supplier_scorecards_visible

# Every registry figure both kinds of row store and the API serves (`kpis.FIGURES`).
_FIGURE_FIELDS = [
    "period",
    "window",
    "period_start",
    "period_end",
    *(f.name for f in kpis.figures(rows=kpis.BOTH) if f.api),
    "low_sample",
    "otd_low_sample",
    "defect_low_sample",
    "lead_time_low_sample",
    "landed_cost_low_sample",
    "computed_at",
]


def _own_figures(rows: str) -> list[str]:
    return [f.name for f in kpis.figures(rows=rows) if f.api]


def _decimal(places: int) -> serializers.DecimalField:
    """A stored double served as a decimal string with a fixed number of places."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=places, read_only=True, allow_null=True
    )


class ScorecardFiguresSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    window = serializers.SerializerMethodField(help_text='"month" or "rolling-90".')
    low_sample = serializers.BooleanField(
        read_only=True, help_text="A figure on this row rests on fewer than 5 observations."
    )
    otd_low_sample = serializers.BooleanField(read_only=True, help_text="Fewer than 5 lines due.")
    defect_low_sample = serializers.BooleanField(
        read_only=True, help_text="Fewer than 5 inspections."
    )
    lead_time_low_sample = serializers.BooleanField(
        read_only=True, help_text="Fewer than 5 receipts."
    )
    landed_cost_low_sample = serializers.BooleanField(
        read_only=True, help_text="Fewer than 5 receipts with FX rates."
    )

    def get_fields(self):
        """The model's fields, each registry figure with places served as a decimal string."""
        fields = super().get_fields()
        for figure in kpis.FIGURES:
            if figure.name in fields and figure.decimals is not None:
                fields[figure.name] = _decimal(figure.decimals)
        return fields

    def get_window(self, obj) -> str:
        return kpis.ROLLING_PERIOD if obj.is_rolling else "month"


class SupplierScorecardSerializer(ScorecardFiguresSerializer):
    template = serializers.SlugRelatedField(slug_field="name", read_only=True)
    esg_score = serializers.DecimalField(
        source="supplier.esg_score_current.esg_score",
        max_digits=None,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The supplier's current ESG score, 0–100 (null: no ESG answers).",
    )

    class Meta:
        model = SupplierScorecard
        fields = [
            "id",
            "supplier",
            *_FIGURE_FIELDS,
            *_own_figures(kpis.SUPPLIER),
            "template",
            "esg_score",
        ]
        read_only_fields = fields


class PartScorecardSerializer(ScorecardFiguresSerializer):
    part = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = PartScorecard
        fields = ["id", "part", "supplier", *_FIGURE_FIELDS, *_own_figures(kpis.PART)]
        read_only_fields = fields


class SupplierScorecardViewSet(ExportableListMixin, viewsets.ReadOnlyModelViewSet):
    """Supplier scorecards per calendar month (`YYYY-MM`) and for the rolling 90 days
    (`period=rolling-90`). Empty populations are null; low-sample flags mark figures
    resting on fewer than 5 lines, receipts or inspections."""

    serializer_class = SupplierScorecardSerializer
    filterset_class = SupplierScorecardFilter

    def get_queryset(self):
        return supplier_scorecards_visible(user=self.request.user).select_related(
            "supplier__esg_score_current"
        )


class PartScorecardViewSet(ExportableListMixin, viewsets.ReadOnlyModelViewSet):
    """KPIs 1–5 per (part, supplier, period), to compare the sources of a part."""

    serializer_class = PartScorecardSerializer
    filterset_class = PartScorecardFilter

    def get_queryset(self):
        return part_scorecards_visible(user=self.request.user)
