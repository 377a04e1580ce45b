"""The scan: every kind of docs/alerts.md raised, resolved when its condition clears, and raised
again as a new alert when it returns; one alert per condition however often it runs."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from alerts.kinds import Kind
from alerts.models import Alert, AlertSeverity
from alerts.services import alerts_resolve, alerts_scan
from contracts.models import ContractRule
from purchasing.models import PurchaseOrderLine, ShipNotice, ShipNoticeLine, TransitEvent
from rules.models import AllocationException, RuleFiring
from scorecards import kpis
from scorecards.models import SupplierScorecard
from suppliers.models import Certificate
from tests.alerts.conftest import NOW, TODAY
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def alerts_of(kind, **filters):
    return list(Alert.objects.filter(kind=kind, **filters).order_by("id"))


def open_of(kind):
    return alerts_of(kind, state__in=["open", "acknowledged"])


def scan(at=None):
    return alerts_scan(as_of=at or timezone.now())


def past_due_line(supplier, *, days=3, **kwargs):
    return PurchaseOrderLineFactory(
        purchase_order__supplier=supplier,
        purchase_order__order_date=TODAY - dt.timedelta(days=40),
        requested_date=TODAY - dt.timedelta(days=days),
        acknowledged_at=NOW - dt.timedelta(days=30),
        **kwargs,
    )


# --- raised, resolved, reopened --------------------------------------------------------


def test_a_past_due_line_is_raised_resolved_by_its_receipt_and_reopened_as_a_new_alert(
    clock, supplier_a
):
    line = past_due_line(supplier_a)
    scan()
    [alert] = open_of(Kind.LINE_PAST_DUE)
    assert (alert.supplier, alert.line, alert.purchase_order) == (
        supplier_a,
        line,
        line.purchase_order,
    )
    assert alert.dedupe_key == f"line_past_due:{line.pk}"
    assert "3 days past the promised date" in alert.message
    assert "100 of 100 still open" in alert.message

    receipt = ReceiptFactory(line=line, receipt_date=TODAY)
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED
    assert alert.resolved_by is None and alert.resolved_at == NOW

    receipt.delete()  # the receipt was booked against the wrong line
    scan()
    assert len(alerts_of(Kind.LINE_PAST_DUE)) == 2
    [again] = open_of(Kind.LINE_PAST_DUE)
    assert again.pk != alert.pk and again.state == Alert.State.OPEN


def test_a_partial_receipt_keeps_the_line_past_due_with_what_is_still_open(clock, supplier_a):
    line = past_due_line(supplier_a)
    ReceiptFactory(line=line, quantity=Decimal("60"))
    scan()
    [alert] = open_of(Kind.LINE_PAST_DUE)
    assert "40 of 100 still open" in alert.message


def test_closed_and_cancelled_lines_are_not_past_due(clock, supplier_a):
    past_due_line(supplier_a, status=PurchaseOrderLine.Status.CLOSED)
    past_due_line(supplier_a, status=PurchaseOrderLine.Status.CANCELLED)
    scan()
    assert open_of(Kind.LINE_PAST_DUE) == []


def test_an_unconfirmed_line_is_raised_after_three_days_and_resolved_by_its_acknowledgement(
    clock, supplier_a
):
    from purchasing.services import purchase_order_line_acknowledge

    fresh = PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a,
        purchase_order__order_date=TODAY - dt.timedelta(days=2),
        requested_date=TODAY + dt.timedelta(days=30),
    )
    late = PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a,
        purchase_order__order_date=TODAY - dt.timedelta(days=3),
        requested_date=TODAY + dt.timedelta(days=30),
    )
    scan()
    [alert] = open_of(Kind.LINE_NOT_ACKNOWLEDGED)
    assert alert.line == late and fresh.pk != late.pk
    purchase_order_line_acknowledge(line=late, promised_date=TODAY + dt.timedelta(days=32))
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED


def test_low_stock_counts_what_is_in_transit_and_is_critical_below_safety_stock(clock, supplier_a):
    part = PartFactory()
    InventoryPositionFactory(
        part=part,
        on_hand=Decimal("100"),
        read_at=NOW - dt.timedelta(days=2),
        reorder_point=Decimal("50"),
    )
    # The latest reading is the position: 20 on hand, 10 safety, 50 reorder point.
    InventoryPositionFactory(
        part=part,
        on_hand=Decimal("20"),
        safety_stock=Decimal("10"),
        reorder_point=Decimal("50"),
        read_at=NOW - dt.timedelta(hours=1),
    )
    scan()
    [alert] = open_of(Kind.LOW_STOCK)
    assert alert.severity == "warning" and alert.part == part and alert.site == "PLANT-1"

    # 40 more on a ship notice in transit to that site: 60 available, above the reorder point.
    line = PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a,
        purchase_order__site=SiteFactory(code="PLANT-1"),
        part=part,
    )
    notice = ShipNotice.objects.create(
        supplier=supplier_a, number="ASN-1", ship_date=TODAY, eta=TODAY + dt.timedelta(days=3)
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal("40"))
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED

    # Received from that notice but not yet counted in stock, then a reading of 5.
    ReceiptFactory(line=line, ship_notice=notice, quantity=Decimal("40"))
    InventoryPositionFactory(
        part=part,
        on_hand=Decimal("5"),
        safety_stock=Decimal("10"),
        reorder_point=Decimal("50"),
        read_at=NOW,
    )
    scan()
    [critical] = open_of(Kind.LOW_STOCK)
    assert critical.pk != alert.pk
    assert critical.severity == "critical"
    assert "below the safety stock 10" in critical.message


def test_a_sensor_silent_too_long_is_raised_and_resolved_by_its_next_reading(clock, settings):
    settings.DUALSOURCE_SENSOR_STALE_HOURS = 6
    part = PartFactory(number="P-SENSE")
    site = SiteFactory(code="BIN-SITE")
    InventoryPositionFactory(
        part=part, site=site, source="iot", sensor="bin-1", read_at=NOW - dt.timedelta(hours=7)
    )
    # A later manual count does not feed the sensor: still silent.
    InventoryPositionFactory(part=part, site=site, source="manual", read_at=NOW)
    scan()
    [alert] = open_of(Kind.SENSOR_STALE)
    assert alert.part == part and alert.site == "BIN-SITE"
    assert "P-SENSE at BIN-SITE: no sensor reading for more than 6 h" in alert.message

    InventoryPositionFactory(
        part=part, site=site, source="iot", sensor="bin-1", read_at=NOW - dt.timedelta(hours=1)
    )
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED and not open_of(Kind.SENSOR_STALE)


def test_a_ship_notice_is_delayed_when_its_eta_passes_the_promise_or_it_goes_silent(
    clock, supplier_a
):
    line = PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a,
        requested_date=TODAY + dt.timedelta(days=5),
        acknowledged_at=NOW,
    )
    notice = ShipNotice.objects.create(
        supplier=supplier_a,
        number="ASN-7",
        ship_date=TODAY - dt.timedelta(days=1),
        eta=TODAY + dt.timedelta(days=4),
        last_event_at=NOW - dt.timedelta(hours=2),
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal("100"))
    scan()
    assert open_of(Kind.TRANSIT_DELAYED) == []

    notice.eta = TODAY + dt.timedelta(days=8)
    notice.save()
    scan()
    [late] = open_of(Kind.TRANSIT_DELAYED)
    assert "is after the promised date" in late.message
    assert (late.ship_notice, late.line) == (notice, line)

    notice.eta = TODAY + dt.timedelta(days=4)
    notice.last_event_at = NOW - dt.timedelta(hours=49)
    notice.save()
    scan()
    [silent] = open_of(Kind.TRANSIT_DELAYED)
    assert silent.pk == late.pk  # the same condition: one alert, its message updated
    assert "no transit event since" in silent.message

    TransitEvent.objects.create(ship_notice=notice, occurred_at=NOW)
    notice.last_event_at = NOW
    notice.save()
    scan()
    silent.refresh_from_db()
    assert silent.state == Alert.State.RESOLVED


def test_certificates_expiring_then_expired_and_renewed(clock, supplier_a):
    cert = Certificate.objects.create(
        supplier=supplier_a,
        kind=Certificate.Kind.choices[0][0],
        number="ISO-1",
        valid_until=TODAY + dt.timedelta(days=30),
    )
    scan()
    [expiring] = open_of(Kind.CERTIFICATE_EXPIRING)
    assert expiring.severity == "warning" and expiring.certificate == cert

    later = NOW + dt.timedelta(days=31)
    scan(later)
    expiring.refresh_from_db()
    assert expiring.state == Alert.State.RESOLVED
    [expired] = open_of(Kind.CERTIFICATE_EXPIRED)
    assert expired.severity == "critical"

    Certificate.objects.create(
        supplier=supplier_a,
        kind=cert.kind,
        number="ISO-2",
        valid_until=TODAY + dt.timedelta(days=400),
    )
    scan(later)
    expired.refresh_from_db()
    assert expired.state == Alert.State.RESOLVED
    assert open_of(Kind.CERTIFICATE_EXPIRING) == []


def _rolling(supplier, **figures):
    start, end = kpis.rolling_window(TODAY)
    defaults = {
        "period": kpis.ROLLING_PERIOD,
        "period_start": start,
        "period_end": end,
        "computed_at": NOW,
    }
    return SupplierScorecard.objects.update_or_create(
        supplier=supplier, period=kpis.ROLLING_PERIOD, defaults={**defaults, **figures}
    )[0]


def test_kpis_below_the_contract_targets_but_not_on_a_low_sample(clock, supplier_a, supplier_b):
    ContractFactory(supplier=supplier_a, otd_target_pct=Decimal("95"), defect_ppm_target=500)
    ContractFactory(supplier=supplier_b, otd_target_pct=Decimal("95"))
    _rolling(supplier_a, otd_pct=90.0, lines_due=20, defect_ppm=800.0, inspections_count=10)
    _rolling(supplier_b, otd_pct=50.0, lines_due=4)  # 4 lines: too few to judge
    scan()
    alerts = open_of(Kind.KPI_BELOW_TARGET)
    assert {a.dedupe_key for a in alerts} == {
        f"kpi_below_target:{supplier_a.pk}:otd_pct",
        f"kpi_below_target:{supplier_a.pk}:defect_ppm",
    }
    assert all(a.supplier == supplier_a and a.contract is not None for a in alerts)

    _rolling(supplier_a, otd_pct=96.0, lines_due=20, defect_ppm=800.0, inspections_count=10)
    scan()
    [left] = open_of(Kind.KPI_BELOW_TARGET)
    assert left.dedupe_key.endswith(":defect_ppm")


def test_a_supplier_without_a_contract_in_force_has_no_kpi_target(clock, supplier_a):
    ContractFactory(
        supplier=supplier_a, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 12, 31)
    )
    _rolling(supplier_a, otd_pct=10.0, lines_due=50)
    scan()
    assert open_of(Kind.KPI_BELOW_TARGET) == []


def test_a_part_with_one_source_is_single_sourced_until_a_second_is_approved(
    clock, supplier_a, supplier_b
):
    source = ApprovedSourceFactory(supplier=supplier_a, target_share_pct=Decimal("100"))
    scan()
    [alert] = [a for a in open_of(Kind.SINGLE_SOURCED) if a.part_id == source.part_id]
    assert alert.severity == "info" and alert.supplier == supplier_a
    ApprovedSourceFactory(part=source.part, supplier=supplier_b)
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED


def _rule(supplier):
    contract = ContractFactory(supplier=supplier)
    return ContractRule.objects.create(
        contract=contract,
        name="OTD floor",
        metric="otd_pct",
        comparator="lt",
        threshold=Decimal("90"),
        action="shift_share",
        amount=Decimal("10"),
    )


def test_rule_firings_are_info_when_a_shift_was_applied_and_age_out(clock, supplier_a):
    rule = _rule(supplier_a)
    part = PartFactory()
    applied = RuleFiring.objects.create(
        rule=rule,
        part=part,
        supplier=supplier_a,
        metric_value=82.5,
        outcome="applied",
        fired_at=NOW - dt.timedelta(hours=1),
    )
    notified = RuleFiring.objects.create(
        rule=rule, part=part, supplier=supplier_a, outcome="notified", fired_at=NOW
    )
    RuleFiring.objects.create(
        rule=rule, part=part, supplier=supplier_a, outcome="skipped", fired_at=NOW
    )
    scan()
    severity = {a.rule_firing_id: a.severity for a in open_of(Kind.RULE_FIRED)}
    assert severity == {applied.pk: "info", notified.pk: "warning"}
    scan(NOW + dt.timedelta(days=8))
    assert open_of(Kind.RULE_FIRED) == []


def test_an_exception_is_open_until_a_buyer_decides_it(clock, supplier_a):
    exception = AllocationException.objects.create(
        kind="bound_break", part=PartFactory(), supplier=supplier_a, rule=_rule(supplier_a)
    )
    scan()
    [alert] = open_of(Kind.EXCEPTION_OPEN)
    assert alert.exception == exception and alert.severity == "warning"
    exception.state = AllocationException.State.APPROVED
    exception.save()
    scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED


# --- severities --------------------------------------------------------------------------


def test_a_past_due_line_turns_critical_on_its_seventh_day_late(clock, supplier_a):
    past_due_line(supplier_a, days=6)
    scan()
    [alert] = open_of(Kind.LINE_PAST_DUE)
    assert alert.severity == "warning"
    scan(NOW + dt.timedelta(days=1))
    alert.refresh_from_db()
    assert alert.severity == "critical"
    assert len(alerts_of(Kind.LINE_PAST_DUE)) == 1


def test_an_admin_changes_a_severity_and_the_next_scan_applies_it(clock, supplier_a):
    past_due_line(supplier_a, days=2)
    scan()
    AlertSeverity.objects.create(kind=Kind.LINE_PAST_DUE, variant="base", severity="critical")
    scan()
    [alert] = open_of(Kind.LINE_PAST_DUE)
    assert alert.severity == "critical"


# --- dedupe ------------------------------------------------------------------------------


def test_repeated_scans_keep_one_alert_per_condition_and_bump_last_seen(clock, supplier_a):
    past_due_line(supplier_a)
    first = scan()
    clock.shift(dt.timedelta(minutes=15))
    second = scan()
    [alert] = alerts_of(Kind.LINE_PAST_DUE)
    assert alert.first_seen == NOW and alert.last_seen == NOW + dt.timedelta(minutes=15)
    assert first.opened[Kind.LINE_PAST_DUE] == 1
    assert second.opened.get(Kind.LINE_PAST_DUE, 0) == 0
    assert second.still_open[Kind.LINE_PAST_DUE] == 1


def test_an_acknowledged_alert_stays_acknowledged_while_its_condition_holds(
    clock, supplier_a, buyer
):
    past_due_line(supplier_a)
    scan()
    Alert.objects.update(state=Alert.State.ACKNOWLEDGED, acknowledged_by=buyer)
    scan()
    [alert] = alerts_of(Kind.LINE_PAST_DUE)
    assert alert.state == Alert.State.ACKNOWLEDGED


def test_resolved_by_hand_while_the_condition_holds_opens_no_new_alert_until_it_clears(
    clock, supplier_a, buyer
):
    line = past_due_line(supplier_a)
    scan()
    alerts_resolve(alerts=Alert.objects.filter(kind=Kind.LINE_PAST_DUE), user=buyer)
    scan()
    [alert] = alerts_of(Kind.LINE_PAST_DUE)
    assert alert.state == Alert.State.RESOLVED and alert.resolved_by == buyer

    receipt = ReceiptFactory(line=line)
    scan()  # cleared
    receipt.delete()
    scan()  # returned: a new alert
    assert [a.state for a in alerts_of(Kind.LINE_PAST_DUE)] == ["resolved", "open"]


def test_the_database_refuses_a_second_open_alert_for_one_dedupe_key(clock, supplier_a):
    from django.db import IntegrityError, transaction

    past_due_line(supplier_a)
    scan()
    alert = Alert.objects.get(kind=Kind.LINE_PAST_DUE)
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
def test_concurrent_scans_raise_one_alert_per_condition(supplier_a):
    past_due_line(supplier_a)
    errors = []

    def run():
        try:
            alerts_scan()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Alert.objects.filter(kind=Kind.LINE_PAST_DUE).count() == 1


def test_a_scan_requested_before_the_last_one_started_is_skipped(clock, supplier_a):
    past_due_line(supplier_a)
    requested = timezone.now()
    clock.shift(dt.timedelta(seconds=1))
    assert scan().skipped is False
    assert alerts_scan(requested_at=requested).skipped is True
    clock.shift(dt.timedelta(seconds=1))
    assert alerts_scan(requested_at=timezone.now()).skipped is False


def test_an_older_low_reading_does_not_count_once_a_newer_one_is_fine(clock):
    part = PartFactory()
    InventoryPositionFactory(part=part, on_hand=Decimal("1"), read_at=NOW - dt.timedelta(days=1))
    InventoryPositionFactory(part=part, on_hand=Decimal("90"), read_at=NOW)
    scan()
    assert open_of(Kind.LOW_STOCK) == []
