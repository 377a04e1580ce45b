"""Same numbers: the incremental refreshes agree with a full rebuild after any changes.

A portfolio is built and fully rebuilt; then random changes of every kind go through the
services (facts, acknowledgements, cancellations, order edits, FX rates, contract
tolerances and validity, templates and assignments), with per-posting refreshes in
between, and the as-of date moves on. The nightly refresh must then leave exactly the
rows a full rebuild from scratch writes. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL.
"""

import contextlib
import datetime as dt
import itertools
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outbox.models import PendingCell
from purchasing.models import FxRate, Inspection, PurchaseOrderLine, Receipt
from purchasing.services import (
    fx_rate_delete,
    fx_rate_update,
    fx_rates_upsert,
    inspection_delete,
    inspection_update,
    inspections_create,
    purchase_order_create,
    purchase_order_line_acknowledge,
    purchase_order_line_build,
    purchase_order_update,
    receipt_delete,
    receipt_update,
    receipts_create,
)
from scorecards.models import (
    PartScorecard,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from scorecards.refresh import scorecard_refresh_nightly, scorecard_refresh_pending
from scorecards.services import scorecard_recompute, scorecard_templates_changed
from tests.factories import (
    ContractFactory,
    FxRateFactory,
    InspectionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 20)
DAY = dt.timedelta(days=1)
KINDS = (
    "receipt_new",
    "receipt_edit",
    "receipt_delete",
    "inspection_new",
    "inspection_edit",
    "inspection_delete",
    "acknowledge",
    "revise",
    "line_edit",
    "order_edit",
    "order_new",
    "fx_new",
    "fx_edit",
    "fx_delete",
    "contract_edit",
    "template_edit",
    "assignment",
    "refresh",
)


_numbers = itertools.count(1)


class Rollback(Exception):
    pass


def _portfolio(rng: random.Random):
    """Three suppliers sharing two parts, EUR and USD orders over five months."""
    suppliers = [SupplierFactory() for _ in range(3)]
    parts = [PartFactory() for _ in range(2)]
    ContractFactory(supplier=suppliers[0], valid_from=dt.date(2026, 1, 1), late_tolerance_days=2)
    ContractFactory(
        supplier=suppliers[1],
        valid_from=dt.date(2026, 2, 15),
        valid_to=dt.date(2026, 3, 31),
        early_tolerance_days=0,
    )
    for day, rate in ((dt.date(2026, 1, 1), "0.90"), (dt.date(2026, 2, 20), "0.95")):
        FxRateFactory(currency="USD", date=day, rate=Decimal(rate))
    for i in range(14):
        supplier = suppliers[i % 3]
        promised = dt.date(2026, 1, 10) + rng.randrange(100) * DAY
        po = PurchaseOrderFactory(
            supplier=supplier,
            order_date=promised - rng.randrange(10, 40) * DAY,
            currency=rng.choice(["EUR", "USD"]),
        )
        line = PurchaseOrderLineFactory(
            purchase_order=po,
            part=rng.choice(parts),
            quantity=Decimal(rng.choice([50, 100])),
            unit_price=Decimal(rng.choice(["8", "10", "12.5"])),
            requested_date=promised,
            promised_date=promised,
            expected_date=promised,
        )
        for _ in range(rng.randrange(3)):
            receipt = ReceiptFactory(
                line=line,
                receipt_date=promised + rng.randrange(-5, 8) * DAY,
                quantity=Decimal(rng.choice([20, 50])),
                freight=Decimal(rng.choice(["0", "15"])),
                cost_currency=rng.choice(["EUR", "USD"]),
            )
            if rng.random() < 0.6:
                InspectionFactory(
                    receipt=receipt,
                    inspection_date=receipt.receipt_date + rng.randrange(3) * DAY,
                    defective_quantity=Decimal(rng.choice([0, 0, 2])),
                )
    return suppliers, parts


def _pick(rng, queryset):
    objects = list(queryset.order_by("pk"))
    return rng.choice(objects) if objects else None


def _apply(kind: str, rng: random.Random, parts, as_of: dt.date) -> None:  # noqa: C901
    lines = PurchaseOrderLine.objects.select_related("purchase_order")
    if kind == "receipt_new" and (line := _pick(rng, lines.exclude(status="cancelled"))):
        receipts_create(
            receipts=[
                Receipt(
                    number=f"GR-H-{next(_numbers)}",
                    line=line,
                    receipt_date=line.promised_date + rng.randrange(-10, 30) * DAY,
                    quantity=Decimal(rng.choice([10, 40])),
                    cost_currency=rng.choice(["EUR", "USD"]),
                )
            ]
        )
    elif kind == "receipt_edit" and (receipt := _pick(rng, Receipt.objects.all())):
        fields = rng.choice(
            [
                {"receipt_date": receipt.receipt_date + rng.randrange(-40, 40) * DAY},
                {"quantity": Decimal(rng.choice([5, 30, 60]))},
                {"line": _pick(rng, lines)},
                {"cost_currency": "USD", "duty": Decimal("7")},
            ]
        )
        receipt_update(receipt=receipt, **fields)
    elif kind == "receipt_delete" and (
        receipt := _pick(rng, Receipt.objects.filter(inspections__isnull=True))
    ):
        receipt_delete(receipt=receipt)
    elif kind == "inspection_new" and (receipt := _pick(rng, Receipt.objects.all())):
        inspections_create(
            inspections=[
                Inspection(
                    receipt=receipt,
                    inspection_date=receipt.receipt_date + rng.randrange(40) * DAY,
                    inspected_quantity=receipt.quantity,
                    defective_quantity=Decimal(rng.choice([0, 1, 3])),
                )
            ]
        )
    elif kind == "inspection_edit" and (inspection := _pick(rng, Inspection.objects.all())):
        fields = rng.choice(
            [
                {"inspection_date": inspection.inspection_date + rng.randrange(-30, 30) * DAY},
                {"defective_quantity": Decimal(rng.choice([0, 4]))},
                {"receipt": _pick(rng, Receipt.objects.filter(quantity__gte=50))},
            ]
        )
        if fields.get("receipt", inspection.receipt) is not None:
            inspection_update(inspection=inspection, **fields)
    elif kind == "inspection_delete" and (inspection := _pick(rng, Inspection.objects.all())):
        inspection_delete(inspection=inspection)
    elif kind == "acknowledge" and (
        line := _pick(rng, lines.filter(acknowledged_at__isnull=True).exclude(status="cancelled"))
    ):
        promised = line.promised_date + rng.randrange(-20, 40) * DAY
        purchase_order_line_acknowledge(line=line, promised_date=promised)
    elif kind == "revise" and (
        line := _pick(rng, lines.filter(acknowledged_at__isnull=False).exclude(status="cancelled"))
    ):
        purchase_order_line_acknowledge(
            line=line, promised_date=line.expected_date + 5 * DAY, reason="capacity"
        )
    elif kind == "line_edit" and (line := _pick(rng, lines)):
        change = rng.choice(
            [
                {"status": "cancelled"},
                {"status": "open"},
                {"unit_price": Decimal("9.5")},
                {"quantity": Decimal(rng.choice([30, 120]))},
                {"requested_date": line.requested_date + rng.randrange(-30, 30) * DAY},
            ]
        )
        purchase_order_update(
            purchase_order=line.purchase_order,
            lines=[{"line_number": line.line_number, **change}],
        )
    elif kind == "order_edit" and (line := _pick(rng, lines)):
        order = line.purchase_order
        purchase_order_update(
            purchase_order=order,
            order_date=order.order_date - rng.randrange(1, 20) * DAY,
            currency=rng.choice(["EUR", "USD"]),
        )
    elif kind == "order_new" and (line := _pick(rng, lines)):
        requested = as_of + rng.randrange(-60, 20) * DAY
        purchase_order_create(
            number=f"PO-H-{next(_numbers)}",
            supplier=line.purchase_order.supplier,
            order_date=requested - 30 * DAY,
            currency="EUR",
            lines=[
                purchase_order_line_build(
                    line_number=1,
                    part=rng.choice(parts),
                    quantity=Decimal("80"),
                    unit_price=Decimal("11"),
                    requested_date=requested,
                )
            ],
        )
    elif kind == "fx_new":
        day = dt.date(2026, 1, 1) + rng.randrange(120) * DAY
        if not FxRate.objects.filter(currency="USD", date=day).exists():
            fx_rates_upsert(rates=[FxRate(currency="USD", date=day, rate=Decimal("1.05"))])
    elif kind == "fx_edit" and (rate := _pick(rng, FxRate.objects.all())):
        if rng.random() < 0.5:
            data = {"rate": Decimal("0.8")}
        else:
            day = rate.date + rng.randrange(-20, 20) * DAY
            if FxRate.objects.filter(currency=rate.currency, date=day).exists():
                return
            data = {"date": day}
        fx_rate_update(fx_rate=rate, data=data)
    elif kind == "fx_delete" and (rate := _pick(rng, FxRate.objects.all())):
        fx_rate_delete(fx_rate=rate)
    elif kind == "contract_edit":
        _contract_edit(rng)
    elif kind == "template_edit":
        template = ScorecardTemplate.objects.get(is_default=True)
        template.otd_weight = Decimal(rng.choice([10, 40, 70]))
        template.landed_cost_index_target = Decimal(rng.choice(["0.9", "0.95"]))
        template.save()
        scorecard_templates_changed()
    elif kind == "assignment" and (line := _pick(rng, lines)):
        strict, _ = ScorecardTemplate.objects.get_or_create(
            name="Strict", defaults={"otd_floor_pct": Decimal("95"), "otd_weight": Decimal("90")}
        )
        ScorecardAssignment.objects.update_or_create(
            supplier=line.purchase_order.supplier, defaults={"template": strict}
        )
        scorecard_templates_changed()
    elif kind == "refresh":
        scorecard_refresh_pending(as_of=as_of)


def _contract_edit(rng: random.Random) -> None:
    """A contract edit through the audited contracts service: the change, its audit row and
    its KPI cells in the outbox, in one transaction."""
    from contracts.models import Contract
    from contracts.services import contract_update

    contract = _pick(rng, Contract.objects.all())
    change = rng.choice(
        [
            {"late_tolerance_days": rng.randrange(6)},
            {"early_tolerance_days": rng.randrange(6)},
            {"valid_from": contract.valid_from + rng.randrange(-30, 30) * DAY},
            {"valid_to": rng.choice([None, dt.date(2026, 2, 28)])},
        ]
    )
    valid_from = change.get("valid_from", contract.valid_from)
    valid_to = change.get("valid_to", contract.valid_to)
    if valid_to is not None and valid_to < valid_from:
        change["valid_to"] = valid_from
    contract_update(contract=contract, **change)


FIGURES = [
    f.attname
    for f in SupplierScorecard._meta.concrete_fields
    if f.attname not in ("id", "computed_at")
]
PART_FIGURES = [
    f.attname for f in PartScorecard._meta.concrete_fields if f.attname not in ("id", "computed_at")
]


@contextlib.contextmanager
def _statements_for(few: int):
    with (
        mock.patch("scorecards.staging.FEW_SUPPLIERS", few),
        mock.patch("scorecards.store.FEW_TARGETS", few),
    ):
        yield


def _rows() -> dict:
    rows = {}
    for model, fields, key in (
        (SupplierScorecard, FIGURES, ("supplier_id", "period")),
        (PartScorecard, PART_FIGURES, ("supplier_id", "part_id", "period")),
    ):
        for row in model.objects.values(*fields):
            rows[(model.__name__, *(row[k] for k in key))] = row
    return rows


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(a - b) <= 1e-9 * (1 + abs(b))
    return a == b


def _assert_same(incremental: dict, full: dict) -> None:
    assert incremental.keys() == full.keys(), (
        f"only incremental: {sorted(incremental.keys() - full.keys())}, "
        f"only full: {sorted(full.keys() - incremental.keys())}"
    )
    for key, row in full.items():
        differ = {
            name: (incremental[key][name], value)
            for name, value in row.items()
            if not _same(incremental[key][name], value)
        }
        assert not differ, f"{key}: (incremental, full) {differ}"


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**16),
    changes=st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(0, 2**16)), min_size=2, max_size=12
    ),
    advance=st.sampled_from([0, 1, 12, 45]),
    few=st.sampled_from([0, 2000]),
)
def test_nightly_after_any_changes_equals_a_full_rebuild(seed, changes, advance, few):
    """`few`: the refreshes take the statements meant for a few suppliers (a posting's),
    or those meant for many (the nightly's), whatever the number of suppliers."""
    try:
        with transaction.atomic(), _statements_for(few):
            rng = random.Random(seed)
            _, parts = _portfolio(rng)
            scorecard_recompute(as_of=START)  # sets the as-of bookmark
            as_of = START + advance * DAY
            for kind, change_seed in changes:
                # The services refuse some random edits (an inspection dated before its goods
                # arrived); a refused change leaves the data, and the figures, as they were.
                with contextlib.suppress(ValidationError):
                    _apply(kind, random.Random(change_seed), parts, as_of)
            scorecard_refresh_nightly(as_of=as_of)
            assert not PendingCell.objects.exists()
            incremental = _rows()

            SupplierScorecard.objects.all().delete()
            PartScorecard.objects.all().delete()
            scorecard_recompute(as_of=as_of)
            _assert_same(incremental, _rows())
            raise Rollback
    except Rollback:
        pass


def test_one_receipt_marks_its_receipt_and_promised_months(kpi, supplier_a):
    line = kpi.line(promised=dt.date(2026, 2, 26))
    receipts_create(
        receipts=[
            Receipt(
                number="GR-CELLS",
                line=line,
                receipt_date=dt.date(2026, 3, 2),
                quantity=Decimal("5"),
                cost_currency="EUR",
            )
        ]
    )
    assert set(PendingCell.objects.values_list("supplier_id", "month")) == {
        (supplier_a.pk, dt.date(2026, 2, 1)),
        (supplier_a.pk, dt.date(2026, 3, 1)),
    }


def test_an_fx_rate_marks_the_months_until_the_next_rate(kpi, supplier_a, supplier_b):
    FxRateFactory(currency="USD", date=dt.date(2026, 1, 1))
    FxRateFactory(currency="USD", date=dt.date(2026, 3, 1))
    usd = kpi.line(currency="USD")
    kpi.receive(usd, dt.date(2026, 1, 20), "10")
    kpi.receive(usd, dt.date(2026, 2, 27), "10")
    kpi.receive(usd, dt.date(2026, 3, 5), "10")  # priced by the March rate: untouched
    eur = kpi.line(supplier=supplier_b)
    kpi.receive(eur, dt.date(2026, 2, 10), "10", cost_currency="USD")  # USD costs
    kpi.receive(kpi.line(supplier=supplier_b), dt.date(2026, 1, 10), "10")  # before the rate

    fx_rates_upsert(rates=[FxRate(currency="USD", date=dt.date(2026, 1, 15), rate=Decimal("0.93"))])

    assert set(PendingCell.objects.values_list("supplier_id", "month")) == {
        (supplier_a.pk, dt.date(2026, 1, 1)),
        (supplier_a.pk, dt.date(2026, 2, 1)),
        (supplier_b.pk, dt.date(2026, 2, 1)),
    }


def test_the_refresh_rebuilds_only_the_marked_months(kpi, supplier_a):
    old = kpi.line(promised=dt.date(2025, 11, 10))
    kpi.receive(old, dt.date(2025, 11, 10), "100")
    kpi.recompute(as_of=START)
    stale = kpi.card("2025-11")
    # A change that bypassed the services (and so marked nothing) stays unseen …
    Receipt.objects.filter(line=old).update(quantity=Decimal("40"))
    line = kpi.line(promised=dt.date(2026, 3, 10))
    receipts_create(
        receipts=[
            Receipt(
                number="GR-ONLY-MARCH",
                line=line,
                receipt_date=dt.date(2026, 3, 12),
                quantity=Decimal("100"),
                cost_currency="EUR",
            )
        ]
    )
    result = scorecard_refresh_pending(as_of=START)
    assert result.supplier_count == 1
    assert kpi.card("2026-03").receipts_count == 1
    assert kpi.card("2025-11").quantity_received == stale.quantity_received == 100
    # … until the weekly full rebuild.
    kpi.recompute(as_of=START)
    assert kpi.card("2025-11").quantity_received == 40


def test_the_nightly_moves_the_as_of_date_for_every_supplier(kpi, supplier_a, supplier_b):
    due_tomorrow = kpi.line(promised=START + DAY, supplier=supplier_b)
    kpi.receive(due_tomorrow, START - DAY, "100")
    kpi.recompute(as_of=START)
    assert kpi.card("2026-03", supplier=supplier_b).lines_due == 0

    scorecard_refresh_nightly(as_of=START + DAY)

    card = kpi.card("2026-03", supplier=supplier_b)
    assert card.lines_due == 1  # no mark: the line's promised date has just passed
    assert kpi.card("rolling-90", supplier=supplier_b).period_end == START + DAY
    assert kpi.card("rolling-90", supplier=supplier_a).period_end == START + DAY


def test_a_contract_change_refreshes_the_months_it_covers(kpi, supplier_a):
    contract = ContractFactory(supplier=supplier_a, valid_from=dt.date(2026, 1, 1))
    line = kpi.line(promised=dt.date(2026, 2, 10))
    kpi.receive(line, dt.date(2026, 2, 12), "100")  # two days late
    kpi.recompute(as_of=START)
    assert kpi.card("2026-02").otd_pct == 0

    from contracts.services import contract_update

    contract_update(contract=contract, late_tolerance_days=2)
    scorecard_refresh_nightly(as_of=START)

    assert kpi.card("2026-02").otd_pct == 100
    assert scorecard_refresh_pending(as_of=START) is None  # the change was consumed once


@pytest.mark.parametrize("few", [0, 2000], ids=["many-suppliers", "a-few-suppliers"])
def test_a_refresh_finds_each_kind_of_fact_of_a_lone_cell(kpi, supplier_a, few):
    """A cell whose only fact is an inspection (its line promised and received months
    before, outside the rolling window too) is rebuilt by the refresh, with the statements
    for a few suppliers and those for many alike."""
    promised = kpi.line(promised=dt.date(2025, 10, 20), order_date=dt.date(2025, 9, 1))
    received = kpi.receive(promised, dt.date(2025, 11, 3), "100")
    inspection = kpi.inspect(received, "100", "2", day=dt.date(2025, 12, 5))
    kpi.recompute(as_of=START)
    with _statements_for(few):
        inspection_update(inspection=inspection, inspection_date=dt.date(2026, 3, 4))
        scorecard_refresh_pending(as_of=START)
    incremental = _rows()
    assert ("SupplierScorecard", supplier_a.pk, "2026-03") in incremental
    assert incremental["SupplierScorecard", supplier_a.pk, "2026-03"]["units_defective"] == 2
    SupplierScorecard.objects.all().delete()
    PartScorecard.objects.all().delete()
    scorecard_recompute(as_of=START)
    _assert_same(incremental, _rows())
