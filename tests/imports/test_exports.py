"""CSV and Excel exports of every list: the same rows as the API list, all pages at once."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal, InvalidOperation

import pytest
from openpyxl import load_workbook

RESOURCES = [
    "invoices",
    "suppliers",
    "parts",
    "sources",
    "contracts",
    "purchase-orders",
    "ship-notices",
    "receipts",
    "inspections",
    "inventory-positions",
    "inventory-readings",
    "inventory-rejects",
    "sites",
    "fx-rates",
    "scorecards",
    "part-scorecards",
    "certificates",
    "threads",
    "messages",
    "alerts",
    "rules",
    "allocation-changes",
    "exceptions",
    "part-categories",
    "assessments",
    "esg-answers",
    "prediction-models",
    "demand-plans",
    "replenishment-policies",
    "replenishment-suggestions",
]


def _planning_rows(part, supplier) -> None:
    """A demand plan, a cached policy and a suggested order of one planned part."""
    from planning.models import DemandPlan, ReplenishmentPolicy, ReplenishmentSuggestion

    common = {"part": part, "site": "MAIN"}
    DemandPlan.objects.create(**common, period_start=dt.date(2026, 3, 16), quantity=40)
    ReplenishmentPolicy.objects.create(
        **common,
        kind="cdi",
        parameters={"S_e": 4, "S_r": 9, "q_r_cap": 3},
        lot_size=10,
        expected_cost_per_period=23.12,
        fill_rate=0.99,
        slow_supplier=supplier,
        fingerprint="exports",
        computed_at=dt.datetime(2026, 3, 20, 5, 0, tzinfo=dt.UTC),
    )
    ReplenishmentSuggestion.objects.create(
        **common,
        supplier=supplier,
        quantity=30,
        unit_price="12.34",
        currency="EUR",
        need_date=dt.date(2026, 4, 20),
        reason="position 40 + pipeline 20 < slow level 90: 30 from ACME, 28 days",
        run_date=dt.date(2026, 3, 20),
    )


def csv_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    # Trailing empty cells are not stored: pad each row to the header.
    return [dict(zip(rows[0], [*row, *[None] * len(rows[0])], strict=False)) for row in rows[1:]]


@pytest.fixture
def scorecards(world):
    from scorecards.services import scorecard_recompute

    scorecard_recompute(as_of=dt.date(2026, 3, 31))


@pytest.fixture
def engine_rows(world, buyer, contact_a):
    """A certificate, a message thread per supplier and alerts: the lists the portal,
    messaging and alerts added to the API."""
    from alerts.models import Alert
    from messaging.models import Message, Thread
    from suppliers.models import Certificate

    po_a, po_b, _ = world["orders"]
    for supplier, number in ((po_a.supplier, "Q-ACME"), (po_b.supplier, "Q-BOLT")):
        Certificate.objects.create(
            supplier=supplier,
            kind="iso_9001",
            number=number,
            issued_by="TUV",
            valid_until=dt.date(2027, 1, 1),
        )
    for order, subject, author in ((po_a, "ACME dates", contact_a), (po_b, "BOLT dates", buyer)):
        thread = Thread.objects.create(
            supplier=order.supplier, purchase_order=order, subject=subject, created_by=buyer
        )
        Message.objects.create(thread=thread, author=author, body=f"{subject}?")
    _qualification_rows(world, buyer)
    from contracts.models import ContractRule
    from rules.models import AllocationChange, AllocationException

    contract_a, contract_b = world["contracts"]
    shared = world["parts"][0]
    rule = ContractRule.objects.create(
        contract=contract_b,
        name="BOLT OTD floor",
        metric="otd_pct",
        comparator="lt",
        threshold=Decimal("85"),
        action="notify",
    )
    AllocationChange.objects.create(
        part=shared,
        shares_before={"ACME": "60.00", "BOLT": "40.00"},
        shares_after={"ACME": "70.00", "BOLT": "30.00"},
        rule=rule,
        metric_value=80.0,
        actor=buyer,
        reason="BOLT OTD below 85%",
    )
    AllocationException.objects.create(
        kind="both_in_breach", part=shared, supplier=contract_b.supplier, rule=rule
    )
    seen = dt.datetime(2026, 3, 20, 7, 0, tzinfo=dt.UTC)
    _planning_rows(shared, contract_a.supplier)
    line_a1, _, line_b1, _ = world["lines"]
    from invoicing.services import BilledLine, invoice_submit

    invoice_submit(
        supplier=line_a1.purchase_order.supplier,
        number="INV-A1",
        invoice_date=dt.date(2026, 3, 2),
        currency="EUR",
        lines=[BilledLine(line_a1, Decimal("100"), line_a1.unit_price)],
    )
    for line, kind in ((line_a1, "line_past_due"), (line_b1, "kpi_below_target")):
        Alert.objects.create(
            kind=kind,
            severity="warning",
            dedupe_key=f"{kind}:{line.pk}",
            message=f"{line.purchase_order.number} {kind}",
            supplier=line.purchase_order.supplier,
            purchase_order=line.purchase_order,
            line=line,
            part=line.part,
            first_seen=seen,
            last_seen=seen,
        )
    from prediction.models import PredictionModel

    PredictionModel.objects.create(
        version=1,
        trained_at=seen,
        as_of=seen.date(),
        window_start=dt.date(2025, 3, 20),
        window_end=seen.date(),
        auc=0.8,
        baseline_auc=0.6,
        brier=0.11,
        baseline_brier=0.14,
        in_use="model",
    )


def _qualification_rows(world, buyer):
    """A part category, an assessment and ESG answers (qualification and ESG lists)."""
    from parts.category_services import part_category_update
    from parts.models import PartCategory
    from suppliers.models import EsgAssessment
    from tests.factories import passed_assessment

    part_category_update(
        category=PartCategory.objects.get(code="castings"),
        data={},
        required_certificates=["ISO 9001"],
    )
    po_a, po_b, _ = world["orders"]
    passed_assessment(po_a.supplier, assessed_by=buyer, assessed_on=dt.date(2026, 3, 1))
    EsgAssessment.objects.create(
        supplier=po_b.supplier,
        answered_on=dt.date(2026, 3, 2),
        waste_recycled_pct=Decimal("55"),
        evidence_date=dt.date(2026, 3, 1),
    )


FIGURES = [
    "lines_due",
    "lines_in_full",
    "ordered_quantity",
    "on_time_quantity",
    "receipts_count",
    "quantity_received",
    "priced_receipts_count",
    "fx_missing_receipts",
    "inspections_count",
    "units_inspected",
    "units_defective",
    "otd_pct",
    "otif_pct",
    "defect_ppm",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "low_sample",
    "otd_low_sample",
    "defect_low_sample",
    "lead_time_low_sample",
    "landed_cost_low_sample",
    "computed_at",
]
PERIODS = ["rolling-90", "2026-02"]
# resource → (its columns, in order; the columns that identify a row; the rows, in order)
EXPECTED = {
    "suppliers": (
        ["code", "name", "country", "region", "currency", "status", "owner", "primary_contact"]
        + ["esg_score", "qualification_score", "created_at", "updated_at"],
        ["code", "name", "status"],
        [("ACME", "Acme Castings", "approved"), ("BOLT", "Bolt Forge", "approved")],
    ),
    "parts": (
        ["number", "name", "unit", "category", "specification_reference"]
        + ["specification_revision", "is_critical", "checklist"],
        ["number", "name", "checklist"],
        [
            ("P-1", "Shared bracket", "DIM; SURF"),
            ("P-2", "Acme housing", ""),
            ("P-3", "Bolt shaft", ""),
            ("P-4", "Unsourced part", ""),
        ],
    ),
    "sources": (
        ["id", "part", "supplier", "target_share_pct", "min_share_pct", "max_share_pct"]
        + ["unit_price", "currency", "lead_time_days", "monthly_capacity", "moq", "pack_size"]
        + ["is_active"],
        ["part", "supplier", "target_share_pct", "unit_price"],
        [
            ("P-1", "ACME", "60.00", "9.0000"),
            ("P-1", "BOLT", "40.00", "11.0000"),
            ("P-2", "ACME", "100.00", "10.0000"),
            ("P-3", "BOLT", "100.00", "10.0000"),
        ],
    ),
    "contracts": (
        ["reference", "supplier", "valid_from", "valid_to", "early_tolerance_days"]
        + ["late_tolerance_days", "invoice_quantity_tolerance", "invoice_price_tolerance_pct"]
        + ["otd_target_pct", "defect_ppm_target", "over_delivery_tolerance_pct", "notes"],
        ["reference", "supplier", "early_tolerance_days", "late_tolerance_days"],
        [("C-ACME", "ACME", "3", "0"), ("C-BOLT", "BOLT", "3", "0")],
    ),
    "purchase-orders": (
        ["number", "supplier", "order_date", "currency", "site", "order_status", "created_by"]
        + ["created_at", "spot_buy_lines", "over_delivered_lines", "line", "part", "quantity"]
        + ["unit_price", "requested_date", "promised_date", "expected_date", "acknowledged_at"]
        + ["status", "spot_buy", "over_delivered"]
        + ["late_risk", "expected_days_late"],  # internal roles only
        ["number", "supplier", "currency", "line", "part", "quantity"],
        [
            ("PO-A1", "ACME", "EUR", "1", "P-1", "100.000"),
            ("PO-A1", "ACME", "EUR", "2", "P-2", "100.000"),
            ("PO-A2", "ACME", "EUR", "1", "P-2", "100.000"),
            ("PO-B1", "BOLT", "USD", "1", "P-1", "100.000"),
            ("PO-B1", "BOLT", "USD", "2", "P-3", "100.000"),
        ],
    ),
    "ship-notices": (
        ["id", "number", "supplier", "ship_date", "eta", "carrier", "tracking_number"]
        + ["current_location", "last_event_at", "is_delivered", "arrival_reported_at"]
        + ["purchase_order", "line"]
        + ["part", "quantity", "packs"],
        ["number", "supplier", "eta", "purchase_order", "line", "part", "quantity"],
        [
            ("ASN-1", "BOLT", "2026-02-09", "PO-B1", "1", "P-1", "10.000"),
            ("ASN-1", "ACME", "2026-02-08", "PO-A1", "2", "P-2", "50.000"),
        ],
    ),
    "receipts": (
        ["id", "number", "purchase_order", "line", "part", "supplier", "receipt_date"]
        + ["quantity", "freight", "duty", "other_costs", "cost_currency", "created_at"],
        ["number", "purchase_order", "line", "supplier", "quantity", "cost_currency"],
        [
            ("GR-A1", "PO-A1", "1", "ACME", "100.000", "EUR"),
            ("GR-A2", "PO-A1", "2", "ACME", "20.000", "EUR"),
            ("GR-B1", "PO-B1", "1", "BOLT", "100.000", "USD"),
        ],
    ),
    "inspections": (
        ["id", "receipt", "purchase_order", "line", "part", "supplier", "inspection_date"]
        + ["inspected_quantity", "defective_quantity", "defect_codes", "disposition"]
        + ["created_at"],
        ["receipt", "supplier", "inspected_quantity", "defective_quantity", "disposition"],
        [
            ("GR-B1", "BOLT", "100.000", "0.000", "accept"),
            ("GR-A1", "ACME", "100.000", "0.000", "accept"),
        ],
    ),
    "inventory-positions": (
        ["part", "part_name", "site", "on_hand", "safety_stock", "reorder_point", "read_at"]
        + ["source", "in_transit", "on_order", "days_of_cover", "last_sensor_at", "stale"],
        ["part", "site", "on_hand", "reorder_point", "in_transit", "stale"],
        [("P-1", "PLANT-1", "100.000", "50.000", "0.000", "false")],
    ),
    "inventory-readings": (
        ["id", "part", "site", "on_hand", "safety_stock", "reorder_point", "read_at", "source"]
        + ["sensor"],
        ["part", "site", "on_hand", "reorder_point", "source"],
        [("P-1", "PLANT-1", "100.000", "50.000", "erp")],
    ),
    "inventory-rejects": (
        ["id", "topic", "payload", "reason", "received_at"],
        ["topic", "reason"],
        [("dualsource/stock/PLANT-1/P-NOPE", "No part P-NOPE.")],
    ),
    "sites": (
        ["code", "name", "country"],
        ["code", "country"],
        [("MAIN", ""), ("PLANT-1", "DE"), ("PLANT-2", "DE")],
    ),
    "fx-rates": (
        ["id", "currency", "date", "rate"],
        ["currency", "date", "rate"],
        [("USD", "2026-01-01", "0.90000000")],
    ),
    "scorecards": (
        ["id", "supplier", "period", "window", "period_start", "period_end", *FIGURES]
        + ["landed_cost_index", "composite_score", "grade", "template", "esg_score"],
        ["supplier", "period", "lines_due", "receipts_count", "inspections_count", "template"],
        [
            (supplier, period, lines, receipts, "1", "Standard")
            for supplier, lines, receipts in (("ACME", "3", "2"), ("BOLT", "2", "1"))
            for period in PERIODS
        ],
    ),
    "part-scorecards": (
        ["id", "part", "supplier", "period", "window", "period_start", "period_end", *FIGURES]
        + ["landed_unit_cost"],
        ["part", "supplier", "period", "receipts_count", "landed_unit_cost"],
        [
            # BOLT's line is in USD at 0.9 EUR: 10 USD land at 9 EUR.
            (part, supplier, period, receipts, cost)
            for part, supplier, receipts, cost in (
                ("P-1", "ACME", "1", "10.00000000"),
                ("P-1", "BOLT", "1", "9.00000000"),
                ("P-2", "ACME", "1", "10.00000000"),
                ("P-3", "BOLT", "0", ""),
            )
            for period in PERIODS
        ],
    ),
    "certificates": (
        ["id", "supplier", "kind", "number", "issued_by", "valid_until", "document_url"]
        + ["document_name", "uploaded_at"],
        ["supplier", "kind", "number", "valid_until"],
        [
            ("ACME", "iso_9001", "Q-ACME", "2027-01-01"),
            ("BOLT", "iso_9001", "Q-BOLT", "2027-01-01"),
        ],
    ),
    "threads": (
        ["id", "supplier", "purchase_order", "subject", "created_at", "last_message_at"]
        + ["unread_count"],
        # Newest first; the buyer has not read ACME's contact's message yet.
        ["supplier", "purchase_order", "subject", "unread_count"],
        [("BOLT", "PO-B1", "BOLT dates", "0"), ("ACME", "PO-A1", "ACME dates", "1")],
    ),
    "messages": (
        ["id", "thread", "body", "author", "created_at"],
        ["body", "author"],
        [("BOLT dates?", "buyer"), ("ACME dates?", "contact_a")],
    ),
    "alerts": (
        ["id", "kind", "severity", "state", "supplier", "part", "purchase_order", "line"]
        + ["site", "dedupe_key", "message", "first_seen", "last_seen", "acknowledged_by"]
        + ["acknowledged_at", "resolved_by", "resolved_at", "owner", "notes"],
        ["kind", "state", "supplier", "purchase_order", "line"],
        [
            ("kpi_below_target", "open", "BOLT", "PO-B1", "1"),
            ("line_past_due", "open", "ACME", "PO-A1", "1"),
        ],
    ),
    "rules": (
        ["id", "contract", "name", "part", "metric", "window", "window_days", "comparator"]
        + ["threshold", "action", "amount", "cooldown_days", "is_active", "last_fired_at"]
        + ["sentence"],
        ["contract", "name", "metric", "comparator", "threshold", "action"],
        [("C-BOLT", "BOLT OTD floor", "otd_pct", "lt", "85.0000", "notify")],
    ),
    "allocation-changes": (
        ["id", "part", "shares_before", "shares_after", "rule", "metric_value", "actor"]
        + ["reason", "created_at"],
        ["part", "shares_before", "shares_after", "rule", "actor"],
        [
            (
                "P-1",
                '{"ACME": "60.00", "BOLT": "40.00"}',
                '{"ACME": "70.00", "BOLT": "30.00"}',
                "BOLT OTD floor",
                "buyer",
            )
        ],
    ),
    "invoices": (
        ["id", "number", "supplier", "invoice_date", "due_date", "currency", "freight"]
        + ["other_charges", "total_amount", "corrects", "status", "approved_by_engine"]
        + ["decided_by", "decided_at", "reason", "paid_at", "payment_reference", "created_at"]
        + ["purchase_order", "line", "part", "quantity", "unit_price", "match"]
        + ["ordered_quantity", "received_quantity", "invoiced_before", "expected_price"]
        + ["price_difference"],
        ["number", "supplier", "status", "purchase_order", "line", "quantity", "match"],
        [("INV-A1", "ACME", "approved", "PO-A1", "1", "100.000", "ok")],
    ),
    "part-categories": (
        ["code", "name", "required_certificates"],
        ["code", "name", "required_certificates"],
        [("castings", "Castings", "iso_9001")],
    ),
    "assessments": (
        ["id", "supplier", "category", "state", "assessed_at", "scores", "weighted_score"]
        + ["passed", "reason", "assessed_by", "comments_by_criterion", "notes"],
        ["supplier", "state", "assessed_at", "weighted_score", "passed", "assessed_by"],
        [("ACME", "submitted", "2026-03-01", "4.00", "true", "buyer")],
    ),
    "esg-answers": (
        ["id", "supplier", "emissions_kg_co2e_per_eur", "waste_recycled_pct", "labour"]
        + ["traceability_pct", "evidence_date", "comments", "answered_at", "esg_score", "stale"],
        ["supplier", "waste_recycled_pct", "evidence_date", "esg_score"],
        [("BOLT", "55.00", "2026-03-01", "50.0")],
    ),
    "exceptions": (
        ["id", "kind", "part", "supplier", "rule", "proposed_shares", "evidence", "state"]
        + ["decided_by", "decided_at", "comment", "created_at"],
        ["kind", "part", "supplier", "rule", "evidence", "state"],
        [("both_in_breach", "P-1", "BOLT", "BOLT OTD floor", "{}", "open")],
    ),
    "prediction-models": (
        ["version", "trained_at", "auc", "baseline_auc", "brier", "baseline_brier", "in_use"]
        + ["window_start", "window_end", "samples", "lines"],
        ["version", "auc", "baseline_auc", "in_use"],
        [("1", "0.8", "0.6", "model")],
    ),
    "demand-plans": (
        ["id", "part", "site", "period_start", "quantity"],
        ["part", "site", "period_start", "quantity"],
        [("P-1", "MAIN", "2026-03-16", "40.000")],
    ),
    "replenishment-policies": (
        ["id", "part", "site", "kind", "parameters", "lot_size", "expected_cost_per_period"]
        + ["cost_exact", "cost_stderr", "fill_rate", "share_fast", "saving_vs_single_pct"]
        + ["saving_vs_split_pct"]
        + ["single_cost", "split_cost", "fast_supplier", "slow_supplier", "inputs", "computed_at"],
        ["part", "site", "kind", "lot_size", "slow_supplier"],
        [("P-1", "MAIN", "cdi", "10.000", "ACME")],
    ),
    "replenishment-suggestions": (
        ["id", "part", "site", "supplier", "quantity", "unit_price", "currency", "need_date"]
        + ["reason", "state", "purchase_order", "auto_released", "run_date", "created_at"],
        ["part", "site", "supplier", "quantity", "need_date", "state"],
        [("P-1", "MAIN", "ACME", "30.000", "2026-04-20", "open")],
    ),
}


def test_every_api_list_has_its_expected_export():
    from dualsource.api_urls import router
    from tests.routes import exportable_prefixes

    assert set(RESOURCES) == set(EXPECTED) == set(exportable_prefixes())
    # What does not list rows (a split to compute, one figure) has no export.
    assert {prefix for prefix, _, _ in router.registry} - set(RESOURCES) == {
        "allocations",
        "automation-rate",
        "sourcing-risk",  # computed per request over the usable sources
    }


def test_lists_that_are_not_rows_have_no_export(client_for, buyer):
    for resource in ("allocations", "automation-rate"):
        assert client_for(buyer).get(f"/exports/{resource}.csv").status_code == 404


def _text(value) -> str:
    """A cell as the CSV writes it (Excel keeps numbers and dates typed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports_its_exact_rows_and_columns(
    world, scorecards, engine_rows, client_for, buyer, resource, fmt
):
    response = client_for(buyer).get(f"/exports/{resource}.{fmt}")
    assert response.status_code == 200, response.content[:300]
    from django.utils import timezone

    from dualsource.api_urls import router

    basename = {prefix: name for prefix, _, name in router.registry}[resource]
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{basename}-{today}.{fmt}"'
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    columns, identity, expected = EXPECTED[resource]
    assert list(rows[0]) == columns
    seen = [tuple(_text(row[c]) for c in identity) for row in rows]
    if fmt == "xlsx":  # numbers come back as numbers: compare them as numbers
        expected = [tuple(_number_or_text(v) for v in row) for row in expected]
        seen = [tuple(_number_or_text(v) for v in row) for row in seen]
    assert seen == expected


def _number_or_text(value: str):
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def _joined(values: list) -> str:
    # A nested object in a list (a checklist item) is named by its first value.
    return "; ".join(str(next(iter(v.values()))) if isinstance(v, dict) else str(v) for v in values)


FLAT = [r for r in RESOURCES if r not in ("purchase-orders", "ship-notices", "invoices")]


@pytest.mark.parametrize("resource", FLAT)
def test_a_csv_export_holds_the_api_lists_values(
    world, scorecards, engine_rows, api_for, buyer, resource
):
    """Column for field and row for item, the CSV says what the API list says."""
    api = api_for(buyer)
    items = api.get(f"/api/v1/{resource}/?page_size=1000").json()["results"]
    rows = csv_rows(api.get(f"/api/v1/{resource}/?format=csv"))
    as_csv = [
        {k: _joined(v) if isinstance(v, list) else _text(v) for k, v in item.items()}
        for item in items
    ]
    assert rows == as_csv


def test_receipts_csv_through_the_api(world, api_for, buyer):
    response = api_for(buyer).get("/api/v1/receipts/?format=csv&supplier=ACME")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [r["number"] for r in rows] == ["GR-A1", "GR-A2"]
    assert rows[0]["purchase_order"] == "PO-A1"
    assert rows[0]["quantity"] == "100.000"
    assert rows[0]["supplier"] == "ACME"


def test_export_respects_scoping(world, api_for, client_for, contact_a):
    api_rows = csv_rows(api_for(contact_a).get("/api/v1/receipts/?format=csv"))
    page_rows = csv_rows(client_for(contact_a).get("/exports/receipts.csv"))
    assert {r["number"] for r in api_rows} == {r["number"] for r in page_rows} == {"GR-A1", "GR-A2"}
    assert csv_rows(client_for(contact_a).get("/exports/fx-rates.csv")) == []


def test_a_contacts_exports_of_the_portal_lists_hold_its_own_rows_only(
    world, engine_rows, client_for, contact_a
):
    client = client_for(contact_a)
    certificates = csv_rows(client.get("/exports/certificates.csv"))
    assert [r["number"] for r in certificates] == ["Q-ACME"]
    threads = csv_rows(client.get("/exports/threads.csv"))
    assert [(r["supplier"], r["subject"]) for r in threads] == [("ACME", "ACME dates")]
    assert [r["body"] for r in csv_rows(client.get("/exports/messages.csv"))] == ["ACME dates?"]
    # Only its own late line: a KPI alert is internal, and BOLT's are BOLT's.
    alerts = csv_rows(client.get("/exports/alerts.csv"))
    assert [(r["kind"], r["supplier"]) for r in alerts] == [("line_past_due", "ACME")]


def test_contact_export_of_sources_has_no_shares(world, client_for, contact_a):
    rows = csv_rows(client_for(contact_a).get("/exports/sources.csv"))
    assert rows and not any("share" in column for column in rows[0])


def test_scorecard_export_is_scoped(world, scorecards, client_for, buyer, contact_a):
    everyone = {r["supplier"] for r in csv_rows(client_for(buyer).get("/exports/scorecards.csv"))}
    assert everyone == {"ACME", "BOLT"}
    own = {r["supplier"] for r in csv_rows(client_for(contact_a).get("/exports/scorecards.csv"))}
    assert own == {"ACME"}


def test_purchase_orders_export_one_row_per_line(world, api_for, buyer):
    rows = csv_rows(api_for(buyer).get("/api/v1/purchase-orders/?format=csv&supplier=ACME"))
    assert [(r["number"], r["line"], r["part"]) for r in rows] == [
        ("PO-A1", "1", "P-1"),
        ("PO-A1", "2", "P-2"),
        ("PO-A2", "1", "P-2"),
    ]
    assert rows[0]["supplier"] == "ACME"
    assert rows[0]["status"] == "open"  # the line's status
    assert rows[0]["order_status"] == "open"


def test_xlsx_cells_are_typed(world, api_for, buyer):
    response = api_for(buyer).get("/api/v1/receipts/?format=xlsx&number=GR-A1")
    assert response.status_code == 200
    (row,) = xlsx_rows(response)
    assert row["number"] == "GR-A1"
    assert row["quantity"] == 100  # a number, not text
    assert isinstance(row["receipt_date"], dt.datetime)  # Excel stores dates as date-times
    assert row["receipt_date"].date() == dt.date(2026, 2, 10)


def test_list_columns_are_joined(world, api_for, buyer):
    from purchasing.models import Inspection

    Inspection.objects.filter(pk=world["inspections"][0].pk).update(defect_codes=["DIM", "SURF"])
    rows = csv_rows(api_for(buyer).get("/api/v1/inspections/?format=csv&receipt=GR-A1"))
    assert rows[0]["defect_codes"] == "DIM; SURF"


def test_export_ignores_pagination(world, api_for, buyer):
    from tests.factories import ReceiptFactory

    for n in range(120):
        ReceiptFactory(number=f"GR-X{n:03d}", line=world["lines"][0], quantity=Decimal("1"))
    rows = csv_rows(api_for(buyer).get("/api/v1/receipts/?format=csv&page_size=10"))
    assert len(rows) == 123


def test_invalid_filter_on_export_is_400(world, client_for, buyer):
    response = client_for(buyer).get("/exports/receipts.csv?receipt_date_after=soon")
    assert response.status_code == 400


def test_unknown_resource_is_404(world, client_for, buyer):
    assert client_for(buyer).get("/exports/secrets.csv").status_code == 404


def test_anonymous_export_goes_to_login(world, client):
    response = client.get("/exports/receipts.csv")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_large_csv_export_streams(world, api_for, buyer, monkeypatch):
    from core import exports

    monkeypatch.setattr(exports, "IN_MEMORY_LIMIT", 1)
    response = api_for(buyer).get("/api/v1/receipts/?format=csv")
    assert response.streaming
    assert {r["number"] for r in csv_rows(response)} == {"GR-A1", "GR-A2", "GR-B1"}


def test_control_characters_do_not_break_excel(world, api_for, buyer):
    from suppliers.models import Supplier

    Supplier.objects.filter(code="ACME").update(name="Acme\x02 Castings\x1b")
    response = api_for(buyer).get("/api/v1/suppliers/?format=xlsx")
    assert response.status_code == 200
    names = {row["code"]: row["name"] for row in xlsx_rows(response)}
    assert names["ACME"] == "Acme Castings"
    bad_filter = api_for(buyer).get("/api/v1/suppliers/?format=xlsx&status=\x02")
    assert bad_filter.status_code == 400
