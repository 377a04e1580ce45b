"""The registry of KPI figures (`kpis.FIGURES`): every figure has its stored field, its API
field and its sums, and a recompute fills each stored figure with what its definition says."""

import datetime as dt
import re

import pytest
from django.db import models
from rest_framework import serializers

from scorecards import kpis
from scorecards.api import PartScorecardSerializer, SupplierScorecardSerializer
from scorecards.dialect import Dialect
from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.queries import Scope, StagingQueries
from scorecards.store import PART_COLUMNS, SUPPLIER_COLUMNS
from tests.scorecards.conftest import AS_OF

MODELS = {kpis.PART: PartScorecard, kpis.SUPPLIER: SupplierScorecard}
SERIALIZERS = {kpis.PART: PartScorecardSerializer, kpis.SUPPLIER: SupplierScorecardSerializer}
COLUMNS = {kpis.PART: PART_COLUMNS, kpis.SUPPLIER: SUPPLIER_COLUMNS}
SUM_STATEMENTS = {
    kpis.LINES: "line_sums_statement",
    kpis.RECEIPTS: "receipt_sums_statement",
    kpis.INSPECTIONS: "inspection_sums_statement",
}


def _kinds_storing(figure: kpis.Figure) -> list[str]:
    if figure.rows == kpis.BOTH:
        return [kpis.PART, kpis.SUPPLIER]
    return [figure.rows] if figure.rows in MODELS else []


def test_names_are_unique_and_every_figure_is_somewhere():
    names = [f.name for f in kpis.FIGURES]
    assert len(names) == len(set(names))
    assert {f.rows for f in kpis.FIGURES} <= {kpis.BOTH, kpis.PART, kpis.SUPPLIER, kpis.STAGING}
    for figure in kpis.FIGURES:
        assert figure.label and figure.unit
        assert figure.stored or figure.is_sum, f"{figure.name} is neither stored nor summed"


@pytest.mark.parametrize("figure", kpis.FIGURES, ids=lambda f: f.name)
def test_every_figure_has_its_stored_field(figure):
    for kind, model in MODELS.items():
        field_names = {f.name for f in model._meta.fields}
        if kind in _kinds_storing(figure):
            field = model._meta.get_field(figure.name)
            assert figure.name in COLUMNS[kind], "the recompute writes every stored figure"
            if figure.is_count:
                assert isinstance(field, models.PositiveIntegerField)
            elif figure.decimals is not None:
                assert isinstance(field, models.FloatField)
                assert field.null != figure.is_sum, "sums start at 0, values are null when empty"
        else:
            assert figure.name not in field_names
            assert figure.name not in COLUMNS[kind]


@pytest.mark.parametrize("figure", kpis.FIGURES, ids=lambda f: f.name)
def test_every_figure_has_its_api_field(figure):
    for kind, serializer in SERIALIZERS.items():
        fields = serializer().fields
        if figure.api and kind in _kinds_storing(figure):
            field = fields[figure.name]
            if figure.decimals is not None:
                assert isinstance(field, serializers.DecimalField)
                assert field.decimal_places == figure.decimals
        else:
            assert figure.name not in fields


@pytest.mark.parametrize("figure", kpis.FIGURES, ids=lambda f: f.name)
def test_every_sum_is_staged_and_every_formula_rests_on_sums(figure):
    stage = StagingQueries(scope=Scope(as_of=AS_OF), dialect=Dialect("sqlite"))
    if figure.is_sum:
        statement = getattr(stage, SUM_STATEMENTS[figure.fact])()
        assert f"{figure.aggregate} AS {figure.name}" in statement
    if figure.formula:
        sums = {f.name for f in kpis.FIGURES if f.is_sum}
        words = set(re.findall(r"[a-z_]+", figure.formula)) - {"CASE", "WHEN", "THEN", "END"}
        assert words <= sums, f"{figure.name} reads {words - sums}"


@pytest.mark.django_db
def test_each_stored_sum_and_ratio_is_what_the_registry_defines(kpi):
    """Two lines, one late, two receipts and an inspection: each registry figure of the
    stored rows equals its reference formula over the stored sums."""
    early = kpi.line(promised=dt.date(2026, 2, 10), quantity="100")
    late = kpi.line(promised=dt.date(2026, 2, 12), quantity="50")
    receipt = kpi.receive(early, dt.date(2026, 2, 10), "100")
    kpi.receive(late, dt.date(2026, 2, 20), "50")
    kpi.inspect(receipt, "100", "2")
    kpi.recompute()
    for row in (kpi.card(), kpi.part_card()):
        assert (row.lines_due, row.lines_in_full, row.receipts_count) == (2, 1, 2)
        assert row.otd_pct == pytest.approx(float(kpis.otd_pct(100, 150)))
        assert row.otif_pct == pytest.approx(float(kpis.otif_pct(1, 2)))
        assert row.defect_ppm == pytest.approx(float(kpis.defect_ppm(2, 100)))
        assert row.units_inspected == 100 and row.units_defective == 2
