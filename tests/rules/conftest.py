"""A dual-sourced part, its contract rule and scorecard rows in a few words."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import ContractRule
from scorecards.models import PartScorecard, SupplierScorecard
from tests.factories import ApprovedSourceFactory, ContractFactory, PartFactory

AS_OF = dt.date(2026, 3, 20)


class Engine:
    def __init__(self, supplier_a, supplier_b):
        self.a, self.b = supplier_a, supplier_b
        self.part = PartFactory(number="P-100")
        self.source_a = ApprovedSourceFactory(
            part=self.part, supplier=supplier_a, target_share_pct=Decimal("80"),
            min_share_pct=Decimal("20"), max_share_pct=Decimal("90"), monthly_capacity=None,
        )  # fmt: skip
        self.source_b = ApprovedSourceFactory(
            part=self.part, supplier=supplier_b, target_share_pct=Decimal("20"),
            min_share_pct=Decimal("10"), max_share_pct=Decimal("80"),
        )  # fmt: skip
        self.contract = ContractFactory(supplier=supplier_a, reference="C-ACME")

    def rule(self, **fields) -> ContractRule:
        values = {
            "contract": self.contract,
            "name": "OTD floor",
            "metric": "otd_pct",
            "window": "rolling_days",
            "window_days": 90,
            "comparator": "lt",
            "threshold": Decimal("90"),
            "action": "shift_share",
            "amount": Decimal("10"),
            "cooldown_days": 30,
        }
        values.update(fields)
        return ContractRule.objects.create(**values)

    def card(self, supplier, *, period="rolling-90", lines_due=20, computed_at=None, **figures):
        start, end = (AS_OF - dt.timedelta(days=89), AS_OF)
        defaults = {
            "lines_due": lines_due,
            "receipts_count": 20,
            "inspections_count": 20,
            "priced_receipts_count": 20,
            "otd_pct": 98.0,
            "defect_ppm": 100.0,
        }
        defaults.update(figures)
        row, _ = SupplierScorecard.objects.update_or_create(
            supplier=supplier,
            period=period,
            defaults={
                "period_start": start,
                "period_end": end,
                "computed_at": computed_at or timezone.now(),
                **defaults,
            },
        )
        return row

    def part_card(self, supplier, *, part=None, period="rolling-90", **figures):
        defaults = {"lines_due": 20, "receipts_count": 20, "inspections_count": 20}
        defaults.update(figures)
        row, _ = PartScorecard.objects.update_or_create(
            supplier=supplier,
            part=part or self.part,
            period=period,
            defaults={
                "period_start": AS_OF - dt.timedelta(days=89),
                "period_end": AS_OF,
                "computed_at": timezone.now(),
                **defaults,
            },
        )
        return row

    def shares(self) -> tuple[Decimal, Decimal]:
        self.source_a.refresh_from_db()
        self.source_b.refresh_from_db()
        return self.source_a.target_share_pct, self.source_b.target_share_pct


@pytest.fixture
def engine(supplier_a, supplier_b):
    return Engine(supplier_a, supplier_b)
