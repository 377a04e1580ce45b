"""The engine agrees with a brute-force reading of docs/kpis.md on messy, randomised data.

Random suppliers share parts; orders come in several currencies with gaps in the FX
history; contracts change tolerances over time; receipts are early, late, partial,
split and over-delivered; some lines are cancelled or revised. Every supplier-month,
the rolling 90 days and every part × supplier landed unit cost must match at the
precision the API returns (docs/api.md).
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.conf import settings

from contracts.models import Contract
from purchasing.models import FxRate, Inspection, PurchaseOrderLine, Receipt
from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.services import scorecard_recompute
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    FxRateFactory,
    InspectionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierFactory,
)
from tests.scorecards import reference

AS_OF = dt.date(2026, 6, 20)
MONTHS = [(2026, m) for m in range(1, 7)]
TOLERANCE = {"pct": 0.005, "index": 0.00005}
PRECISION = {
    "otd_pct": "pct",
    "otif_pct": "pct",
    "defect_ppm": "pct",
    "lead_time_mean_days": "pct",
    "lead_time_p90_days": "pct",
    "composite_score": "pct",
    "landed_cost_index": "index",
}


def day(rng, first=dt.date(2025, 12, 1), span=200):
    return first + dt.timedelta(days=rng.randrange(span))


def build_portfolio(seed):
    rng = random.Random(seed)
    currencies = ["EUR", "USD", "GBP", "JPY"]
    suppliers = [
        SupplierFactory(code=f"R{seed}S{i}", currency=rng.choice(currencies)) for i in range(5)
    ]
    for supplier in suppliers[:4]:
        ContractFactory(
            supplier=supplier,
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2026, 3, 15),
            early_tolerance_days=rng.choice([0, 2, 3, 5]),
            late_tolerance_days=rng.choice([0, 1, 4]),
        )
        ContractFactory(
            supplier=supplier,
            valid_from=dt.date(2026, 3, 1),
            early_tolerance_days=rng.choice([1, 3]),
            late_tolerance_days=rng.choice([0, 2]),
        )
    # USD and GBP rates with a gap; JPY only from March: receipts before it lack a rate.
    for currency, first, rate in (
        ("USD", dt.date(2025, 11, 1), 0.9),
        ("GBP", dt.date(2025, 11, 1), 1.15),
        ("JPY", dt.date(2026, 3, 1), 0.0062),
    ):
        d = first
        while d <= AS_OF:
            FxRateFactory(
                currency=currency,
                date=d,
                rate=Decimal(str(round(rate * (1 + rng.uniform(-0.05, 0.05)), 6))),
            )
            d += dt.timedelta(days=rng.choice([1, 7, 9]))
    parts = [PartFactory(number=f"R{seed}P{i}") for i in range(6)]
    for part in parts:
        for supplier in rng.sample(suppliers, 2):
            ApprovedSourceFactory(part=part, supplier=supplier)
    for n in range(60):
        supplier = rng.choice(suppliers)
        order_date = day(rng)
        po = PurchaseOrderFactory(
            number=f"R{seed}-PO{n}",
            supplier=supplier,
            order_date=order_date,
            currency=supplier.currency,
        )
        for line_number in range(1, rng.randint(2, 4)):
            requested = order_date + dt.timedelta(days=rng.randint(5, 60))
            promised = requested + dt.timedelta(days=rng.choice([0, 0, 3, 7]))
            status = rng.choices(["open", "closed", "cancelled"], [6, 3, 1])[0]
            line = PurchaseOrderLineFactory(
                purchase_order=po,
                line_number=line_number,
                part=rng.choice(parts),
                quantity=Decimal(rng.choice([10, 25, 100, 7])),
                unit_price=Decimal(str(round(rng.uniform(1, 50), 4))),
                requested_date=requested,
                promised_date=promised,
                # A revision moved the expected date; the baseline stays the promised date.
                expected_date=promised + dt.timedelta(days=rng.choice([0, 10])),
                status=status,
            )
            remaining = line.quantity
            for k in range(rng.choice([1, 1, 2, 3])):
                if remaining <= 0 and rng.random() < 0.7:
                    break
                quantity = max(Decimal(1), min(remaining, Decimal(rng.randint(1, 60))))
                if rng.random() < 0.15:
                    quantity += Decimal(5)  # over-delivery
                remaining -= quantity
                receipt = ReceiptFactory(
                    number=f"R{seed}-GR{n}-{line_number}-{k}",
                    line=line,
                    receipt_date=promised + dt.timedelta(days=rng.randint(-6, 6)),
                    quantity=quantity,
                    freight=Decimal(str(round(rng.uniform(0, 30), 2))),
                    duty=Decimal(str(round(rng.uniform(0, 5), 2))),
                    other_costs=Decimal(rng.choice([0, 0, 3])),
                    cost_currency=rng.choice(["EUR", supplier.currency, "USD"]),
                )
                if rng.random() < 0.8:
                    inspected = min(receipt.quantity, Decimal(rng.randint(1, 30)))
                    InspectionFactory(
                        receipt=receipt,
                        inspection_date=receipt.receipt_date + dt.timedelta(days=rng.randint(0, 3)),
                        inspected_quantity=inspected,
                        defective_quantity=min(inspected, Decimal(rng.choice([0, 0, 0, 1, 2]))),
                    )


def load_facts():
    lines = list(PurchaseOrderLine.objects.select_related("purchase_order"))
    return {
        "lines": lines,
        "receipts": list(Receipt.objects.all()),
        "inspections": list(Inspection.objects.select_related("receipt")),
        "contracts": list(Contract.objects.all()),
        "rates": list(FxRate.objects.all()),
        "base": settings.BASE_CURRENCY,
        "as_of": AS_OF,
    }


def assert_close(actual, expected, precision, label):
    if expected is None:
        assert actual is None, f"{label}: expected null, got {actual}"
        return
    assert actual is not None, f"{label}: expected {expected}, got null"
    assert abs(float(actual) - expected) <= TOLERANCE[precision], (
        f"{label}: engine {actual} vs reference {expected}"
    )


def compare(stored, expected, label):
    for kpi, precision in PRECISION.items():
        assert_close(getattr(stored, kpi), expected[kpi], precision, f"{label} {kpi}")
    assert stored.grade == expected["grade"], f"{label} grade"
    assert stored.lines_due == expected["lines_due"], f"{label} lines_due"
    assert stored.receipts_count == expected["receipts_count"], f"{label} receipts_count"
    assert stored.fx_missing_receipts == expected["fx_missing_receipts"], f"{label} fx_missing"


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_matches_the_reference_on_random_portfolios(seed):
    build_portfolio(seed)
    scorecard_recompute(as_of=AS_OF)
    facts = load_facts()
    windows = [
        (
            f"{y}-{m:02d}",
            dt.date(y, m, 1),
            (dt.date(y, m + 1, 1) if m < 12 else dt.date(y + 1, 1, 1)) - dt.timedelta(days=1),
        )
        for y, m in MONTHS
    ]
    windows.append(("rolling-90", AS_OF - dt.timedelta(days=89), AS_OF))
    compared = 0
    for period, start, end in windows:
        expected, unit_costs = reference.kpis(start=start, end=end, **facts)
        stored = {s.supplier_id: s for s in SupplierScorecard.objects.filter(period=period)}
        for supplier_id, figures in expected.items():
            if (
                not figures["lines_due"]
                and not figures["receipts_count"]
                and figures["defect_ppm"] is None
            ):
                continue
            assert supplier_id in stored, f"no scorecard for supplier {supplier_id} {period}"
            compare(stored[supplier_id], figures, f"supplier {supplier_id} {period}")
            compared += 1
        for (part_id, supplier_id), cost in unit_costs.items():
            row = PartScorecard.objects.get(part_id=part_id, supplier_id=supplier_id, period=period)
            assert_close(
                row.landed_unit_cost,
                cost,
                "index",
                f"part {part_id} supplier {supplier_id} {period} landed_unit_cost",
            )
    assert compared >= 20  # the data really exercised the comparison
