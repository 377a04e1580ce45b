"""`seed_demo` loads the portfolio the demo promises, the same every run."""

import datetime as dt
import hashlib
from collections import defaultdict
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from contracts.models import Contract
from demo.services import DEMO_LOGINS, demo_data_seed
from inventory.models import InventoryPosition
from parts.models import ApprovedSource, Part
from purchasing.models import (
    FxRate,
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from purchasing.services import kpi_refresh_deferred, kpi_refresh_queue
from suppliers.models import Supplier
from tests.factories import SupplierFactory

TODAY = dt.date(2026, 6, 15)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def degrading_codes(output: str) -> list[str]:
    block = output.split("OTD falling, PPM rising):")[1].split("Demo logins")[0]
    return [line.split()[0] for line in block.strip().splitlines()]


def _on_time_shares(supplier_codes, *, split: dt.date):
    """Share of received quantity inside the contract's delivery window, before and after
    `split`, per supplier (the window of the contract valid on the promised date)."""
    contracts = defaultdict(list)
    for code, start, end, early, late in Contract.objects.filter(
        supplier__code__in=supplier_codes
    ).values_list(
        "supplier__code", "valid_from", "valid_to", "early_tolerance_days", "late_tolerance_days"
    ):
        contracts[code].append((start, end, early, late))
    totals = defaultdict(lambda: [0, 0, 0, 0])  # on time before, all before, on time after, all
    rows = Receipt.objects.filter(line__purchase_order__supplier__code__in=supplier_codes)
    for code, received, promised, quantity in rows.values_list(
        "line__purchase_order__supplier__code",
        "receipt_date",
        "line__promised_date",
        "quantity",
    ):
        valid = [
            c for c in contracts[code] if c[0] <= promised and (c[1] is None or promised <= c[1])
        ]
        early, late = max(valid)[2:] if valid else (3, 0)
        on_time = -early <= (received - promised).days <= late
        offset = 0 if promised < split else 2
        totals[code][offset] += quantity if on_time else 0
        totals[code][offset + 1] += quantity
    return {
        code: (100 * t[0] / t[1], 100 * t[2] / t[3]) for code, t in totals.items() if t[1] and t[3]
    }


def _digest() -> str:
    """A fingerprint of the key columns of everything the demo loads, by natural keys."""
    parts = [
        Supplier.objects.order_by("code").values_list(
            "code", "name", "country", "region", "currency", "status", "owner__username"
        ),
        Part.objects.order_by("number").values_list("number", "name", "unit", "category__code"),
        ApprovedSource.objects.order_by("part__number", "supplier__code").values_list(
            "part__number",
            "supplier__code",
            "target_share_pct",
            "unit_price",
            "currency",
            "lead_time_days",
            "monthly_capacity",
            "moq",
        ),
        Contract.objects.order_by("reference").values_list(
            "reference", "valid_from", "valid_to", "early_tolerance_days", "late_tolerance_days"
        ),
        FxRate.objects.order_by("currency", "date").values_list("currency", "date", "rate"),
        PurchaseOrderLine.objects.order_by("purchase_order__number", "line_number").values_list(
            "purchase_order__number",
            "purchase_order__supplier__code",
            "purchase_order__order_date",
            "line_number",
            "part__number",
            "quantity",
            "unit_price",
            "requested_date",
            "promised_date",
            "expected_date",
            "acknowledged_at",
            "status",
        ),
        PromiseRevision.objects.order_by(
            "line__purchase_order__number", "line__line_number", "created_at"
        ).values_list("line__purchase_order__number", "new_date", "reason", "created_at"),
        Receipt.objects.order_by("number").values_list(
            "number",
            "line__purchase_order__number",
            "line__line_number",
            "receipt_date",
            "quantity",
            "freight",
            "duty",
            "other_costs",
            "cost_currency",
            "ship_notice__number",
        ),
        Inspection.objects.order_by("receipt__number").values_list(
            "receipt__number",
            "inspection_date",
            "inspected_quantity",
            "defective_quantity",
            "defect_codes",
            "disposition",
        ),
        InventoryPosition.objects.order_by("part__number", "site__code", "read_at").values_list(
            "part__number", "site__code", "on_hand", "reorder_point", "read_at"
        ),
    ]
    digest = hashlib.sha256()
    for rows in parts:
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _seeded_digest(seed: int) -> str:
    with transaction.atomic():
        demo_data_seed(size="tiny", seed=seed, today=TODAY, recompute_kpis=False)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


# --- the one run at the documented size ---------------------------------------------------------


@pytest.mark.django_db
def test_small_demo_has_the_promised_portfolio_and_history():
    out = StringIO()
    call_command(
        "seed_demo",
        "--size",
        "small",
        "--seed",
        "1",
        "--today",
        "2026-06-15",
        "--skip-kpis",
        verbosity=0,
        stdout=out,
    )

    assert Supplier.objects.count() == 40
    assert Part.objects.count() == 300
    lines = PurchaseOrderLine.objects.count()
    assert 16_000 <= lines <= 24_000
    assert Receipt.objects.count() > lines  # partial deliveries come in several receipts
    months = {
        d.strftime("%Y-%m")
        for d in PurchaseOrderLine.objects.values_list("promised_date", flat=True).distinct()
    }
    assert {"2024-07", "2025-06", "2026-06"} <= months  # 24 months ending this month

    parts = Part.objects.annotate(
        sources_count=Count("sources"), share_sum=Sum("sources__target_share_pct")
    )
    assert parts.filter(sources_count__gte=2).count() >= 0.8 * parts.count()
    assert not parts.exclude(share_sum=100).exists()
    assert set(Supplier.objects.values_list("region", flat=True)) == {"EMEA", "Americas", "APAC"}
    assert Supplier.objects.values("currency").distinct().count() >= 5

    # Degrading suppliers are named in the output and really slide in the last six months,
    # while the others hold their level.
    degrading = degrading_codes(out.getvalue())
    assert len(degrading) == 3
    split = TODAY - dt.timedelta(days=182)
    others = list(
        Supplier.objects.exclude(code__in=degrading)
        .filter(status=Supplier.Status.APPROVED)
        .values_list("code", flat=True)
    )
    shares = _on_time_shares(degrading + others, split=split)
    for code in degrading:
        before, after = shares[code]
        assert before >= 85, code
        assert after <= before - 20, code
    steady = [shares[c] for c in others if c in shares]
    assert sum(after for _, after in steady) / len(steady) >= 85

    # …which the contract rules see: OTD below 85 and PPM above 5,000 over the last 90 days.
    recent = TODAY - dt.timedelta(days=90)
    for code in degrading:
        _, last_90 = _on_time_shares([code], split=recent)[code]
        assert last_90 < 85, code
        inspected = Inspection.objects.filter(
            receipt__line__purchase_order__supplier__code=code, inspection_date__gt=recent
        ).aggregate(defective=Sum("defective_quantity"), inspected=Sum("inspected_quantity"))
        assert 1_000_000 * inspected["defective"] / inspected["inspected"] > 5000, code


# --- behaviour of the command ------------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = _seeded_digest(5)
    assert _seeded_digest(5) == first
    assert _seeded_digest(6) != first


@pytest.mark.django_db
def test_if_empty_leaves_a_populated_database_alone():
    SupplierFactory(code="ACME")
    out = StringIO()
    call_command("seed_demo", "--size", "tiny", "--if-empty", stdout=out)
    assert "already holds suppliers" in out.getvalue()
    assert list(Supplier.objects.values_list("code", flat=True)) == ["ACME"]
    assert not PurchaseOrder.objects.exists()
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_demo", "--size", "tiny", stdout=StringIO())


@pytest.mark.django_db
def test_command_names_degrading_suppliers_and_logins(monkeypatch):
    monkeypatch.setenv("DUALSOURCE_DEMO_PASSWORD", "another-secret")
    out = StringIO()
    call_command(
        "seed_demo",
        "--size",
        "tiny",
        "--seed",
        "2",
        "--today",
        "2026-06-15",
        "--skip-kpis",
        verbosity=0,
        stdout=out,
    )
    text = out.getvalue()
    assert "purchasing.PurchaseOrderLine" in text
    for login in DEMO_LOGINS:
        assert login.username in text
    assert "$DUALSOURCE_DEMO_PASSWORD" in text and "another-secret" not in text
    codes = degrading_codes(text)
    assert len(codes) == 2 and Supplier.objects.filter(code__in=codes).count() == 2
    assert get_user_model().objects.get(username="buyer").check_password("another-secret")


@pytest.mark.django_db
def test_bad_today_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", "--today", "15/06/2026")


@pytest.mark.django_db
def test_seeding_queues_no_refresh_per_chunk_and_recomputes_once(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch("engine.tasks.engine_run.delay") as delay,
        mock.patch("demo.services._kpis_recompute", return_value=("recomputed", 0.1)) as kpis,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = demo_data_seed(size="tiny", seed=3, today=TODAY)
    assert not delay.called
    kpis.assert_called_once_with(TODAY)
    assert result.kpis == "recomputed"


@pytest.mark.django_db
def test_deferred_kpi_refresh_collects_suppliers_instead_of_queueing(
    django_capture_on_commit_callbacks,
):
    with mock.patch("engine.tasks.engine_run.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True), kpi_refresh_deferred() as ids:
            kpi_refresh_queue(supplier_ids=[3, 1])
            kpi_refresh_queue(supplier_ids=[1, 2])
        assert ids == {1, 2, 3}
        assert not delay.called
        supplier = SupplierFactory()
        with django_capture_on_commit_callbacks(execute=True):
            kpi_refresh_queue(supplier_ids=[supplier.pk])
        delay.assert_called_once_with([supplier.pk], mock.ANY)
