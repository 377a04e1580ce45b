"""What a buyer reads on the dashboard, the lists and the detail pages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from pytest import approx

from parts.services import source_create
from purchasing.models import PurchaseOrderLine
from purchasing.services import purchase_order_line_acknowledge, ship_notice_create
from scorecards import kpis
from scorecards.models import SupplierScorecard
from scorecards.services import scorecard_recompute
from suppliers import filters as supplier_filters
from tests.factories import SupplierFactory, UserFactory
from tests.workspace.conftest import AS_OF, deliveries

pytestmark = pytest.mark.django_db


def test_the_dashboard_tiles_add_up_the_supply_base_and_link_to_their_rows(
    client_for, buyer, supply_base
):
    response = client_for(buyer).get("/")
    assert response.status_code == 200
    march = SupplierScorecard.objects.filter(period="2026-03")
    tiles = {t["name"]: t for t in response.context["tiles"]}
    on_time = sum(c.on_time_quantity for c in march)
    ordered = sum(c.ordered_quantity for c in march)
    assert float(tiles["OTD %"]["value"]) == approx(100 * on_time / ordered)
    assert float(tiles["OTD %"]["change"]) == approx(0)  # February was the same
    defective = sum(c.units_defective for c in march)
    inspected = sum(c.units_inspected for c in march)
    assert float(tiles["Defects PPM"]["value"]) == approx(1e6 * defective / inspected)
    content = response.content.decode()
    assert 'href="/kpi/lines/?period=2026-03"' in content
    assert 'href="/kpi/inspections/?period=2026-03"' in content


def test_the_dashboard_names_the_sourcing_risks(client_for, buyer, supply_base):
    context = client_for(buyer).get("/").context
    assert [p.number for p in context["single_sourced"]] == ["P-SOLO"]
    assert [(p.number, p.region) for p in context["one_region"]] == [("P-SHARED", "EMEA")]
    assert context["grades"]["D"] == 2


def test_worst_movers_are_the_suppliers_whose_score_fell(client_for, buyer, supply_base):
    slipping = SupplierFactory(code="SLIP")
    deliveries(slipping, supply_base["shared"], month=2, delays=[0, 0, 0])
    deliveries(slipping, supply_base["shared"], month=3, delays=[9, 9, 0])
    scorecard_recompute(as_of=AS_OF)
    movers = client_for(buyer).get("/").context["movers"]
    assert [m.code for m in movers] == ["SLIP"]
    assert movers[0].change < 0


def test_a_new_install_says_how_to_start_and_the_slots_say_nothing_waits(client_for, buyer):
    content = client_for(buyer).get("/").content.decode()
    assert "No figures yet" in content and "seed_demo" in content
    assert "Nothing to review" in content
    assert "No open alerts" in content and "No rule decisions this month yet" in content


def test_the_dashboard_shows_what_waits_for_a_buyer(client_for, buyer):
    from django.utils import timezone

    from alerts.models import Alert
    from rules.models import AllocationException
    from tests.factories import SupplierFactory

    supplier = SupplierFactory(code="HOLDME")
    seen = {"first_seen": timezone.now(), "last_seen": timezone.now()}
    AllocationException.objects.create(kind=AllocationException.Kind.HOLD, supplier=supplier)
    for n, severity in enumerate(["critical", "warning", "warning"]):
        Alert.objects.create(
            kind="line_past_due",
            severity=severity,
            dedupe_key=f"k{n}",
            message="late",
            supplier=supplier,
            **seen,
        )
    Alert.objects.create(
        kind="line_past_due",
        severity="info",
        state="resolved",
        dedupe_key="gone",
        message="was late",
        supplier=supplier,
        **seen,
    )
    content = client_for(buyer).get("/").content.decode()
    assert "Put the supplier on hold" in content and "HOLDME" in content
    assert "Review all 1" in content
    alerts = content[content.index('id="slot-alerts"') :]
    assert "critical</span> 1" in alerts and "warning</span> 2" in alerts
    assert "info</span>" not in alerts.split("</section>")[0]  # resolved ones do not count


def test_the_supplier_list_sorts_and_filters_by_grade_and_owner(client_for, buyer, supply_base):
    client = client_for(buyer)
    rows = client.get("/suppliers/?sort=-otd").context["page"].object_list
    assert [s.code for s in rows] == ["ACME", "BOLT"]
    rows = client.get("/suppliers/?sort=otd").context["page"].object_list
    assert [s.code for s in rows] == ["BOLT", "ACME"]
    SupplierFactory(code="NOCARD")  # no scorecard: no grade, sorts last both ways
    assert [s.code for s in client.get("/suppliers/?sort=-otd").context["page"]][-1] == "NOCARD"
    assert [s.code for s in client.get("/suppliers/?grade=none").context["page"]] == ["NOCARD"]
    assert client.get("/suppliers/?grade=A").context["page"].paginator.count == 0
    owner = UserFactory(username="olga", role="buyer")
    SupplierFactory(code="OWNED", owner=owner)
    assert [s.code for s in client.get("/suppliers/?owner=olga").context["page"]] == ["OWNED"]


def test_the_grade_filter_speaks_the_scorecards_names():
    assert supplier_filters.CURRENT_SCORECARD_PERIOD == kpis.ROLLING_PERIOD
    grades = [g for g, _ in kpis.GRADE_BANDS] + [kpis.LOWEST_GRADE]
    assert list(supplier_filters.GRADES) == grades


def test_the_supplier_export_holds_what_the_list_shows(client_for, buyer, supply_base):
    SupplierFactory(code="HOLD", status="on_hold")
    client = client_for(buyer)
    shown = [s.code for s in client.get("/suppliers/?status=approved&sort=-score").context["page"]]
    response = client.get("/suppliers/?status=approved&sort=-score&format=csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in table] == shown == ["ACME", "BOLT"]
    assert float(table[1]["otd_pct"]) == approx(50)
    response = client.get("/suppliers/?status=approved&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_supplier_page_shows_the_criteria_targets_and_flags_low_samples(
    client_for, buyer, supply_base
):
    response = client_for(buyer).get("/suppliers/BOLT/")
    criteria = {c["kpi"]: c for c in response.context["criteria"]}
    assert criteria["otd_pct"]["score"] == 0  # 50 % is under the 80 % floor
    assert criteria["otd_pct"]["weight"] == 40
    assert response.context["contract"].reference == "C-BOLT"
    assert len(response.context["trend_charts"]) == 6
    content = response.content.decode()
    assert 'class="low-sample"' in content  # four lines a month
    assert "/kpi/lines/?period=2026-03&amp;supplier=BOLT" in content


def test_the_part_page_compares_sources_with_capacity_and_charts(client_for, buyer, supply_base):
    source = supply_base["shared"].sources.get(supplier__code="BOLT")
    source.monthly_capacity = Decimal("1000")
    source.save()
    today = dt.date.today()
    PurchaseOrderLine.objects.filter(purchase_order__supplier__code="BOLT", status="open").update(
        expected_date=today
    )
    response = client_for(buyer).get("/parts/P-SHARED/")
    sources = {s.supplier.code: s for s in response.context["sources"]}
    assert sources["BOLT"].free_capacity == Decimal("1000") - sources["BOLT"].due_this_month
    assert sources["BOLT"].due_this_month == 800
    assert sources["ACME"].free_capacity is None  # unlimited
    assert len(response.context["charts"]) == 4
    assert "Landed unit cost (EUR)" in response.content.decode()


def test_the_order_page_keeps_the_baseline_next_to_revisions_and_notices(
    client_for, buyer, supply_base
):
    # A line with nothing received yet: a notice can only ship what is still open.
    line = PurchaseOrderLine.objects.filter(
        purchase_order__supplier__code="ACME", status="open", receipts__isnull=True
    ).first()
    purchase_order_line_acknowledge(line=line, promised_date=dt.date(2026, 6, 1))
    purchase_order_line_acknowledge(
        line=line, promised_date=dt.date(2026, 6, 15), reason="capacity", comment="furnace"
    )
    ship_notice_create(
        supplier=line.purchase_order.supplier,
        number="ASN-1",
        ship_date=dt.date(2026, 6, 10),
        eta=dt.date(2026, 6, 14),
        lines=[(line, Decimal("40"))],
        carrier="DHL",
    )
    response = client_for(buyer).get(f"/orders/{line.purchase_order.number}/")
    content = response.content.decode()
    assert "1 Jun 2026" in content and "15 Jun 2026" in content  # baseline and expected
    assert "furnace" in content and "Capacity" in content
    assert "ASN-1" in content and "DHL" in content


def test_the_order_list_filters_late_orders(client_for, buyer, supply_base):
    client = client_for(buyer)
    everything = client.get("/orders/").context["page"].paginator.count
    PurchaseOrderLine.objects.filter(purchase_order__supplier__code="ACME").update(
        expected_date=dt.date.today() + dt.timedelta(days=30)
    )
    late = client.get("/orders/?late=true").context["page"].object_list
    assert late and {po.supplier.code for po in late} == {"BOLT"}
    on_time = client.get("/orders/?late=false").context["page"].paginator.count
    assert on_time + len(late) == everything


def test_numbers_follow_the_browsers_language(client_for, buyer, supply_base):
    client = client_for(buyer)
    english = client.get("/suppliers/BOLT/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    german = client.get("/suppliers/BOLT/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "50,000" in english and "50.000" in german  # thousands: comma in en, dot in de
    assert "33.2" in english and "33,2" in german
    assert 'lang="de"' in german


def test_every_page_has_a_favicon(client_for, buyer):
    content = client_for(buyer).get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in content


def test_a_new_source_takes_a_part_off_the_single_sourced_list_at_once(
    client_for, buyer, supply_base, supplier_b
):
    client = client_for(buyer)
    assert [p.number for p in client.get("/").context["single_sourced"]] == ["P-SOLO"]
    source_create(
        part=supply_base["solo"],
        supplier=supplier_b,
        actor=buyer,
        target_share_pct=Decimal("0"),
        unit_price=Decimal("9"),
        currency="EUR",
        lead_time_days=20,
    )
    assert client.get("/").context["single_sourced"] == []


def test_the_part_list_shows_every_part_at_risk(client_for, buyer, supply_base):
    client = client_for(buyer)
    assert [p.number for p in client.get("/parts/?sourcing=single").context["page"]] == ["P-SOLO"]
    one_region = client.get("/parts/?sourcing=one_region").context["page"]
    assert [p.number for p in one_region] == ["P-SHARED"]
    assert one_region.object_list[0].usable_sources == 2
    filtered = client.get("/parts/?sourcing=single&q=SHARED").context["page"]
    assert list(filtered) == []
    everything = client.get("/parts/?q=P-").context["page"]
    assert [p.number for p in everything] == ["P-SHARED", "P-SOLO"]


def test_the_api_filters_suppliers_by_grade_like_the_page(api_for, buyer, supply_base):
    SupplierFactory(code="NOCARD")
    response = api_for(buyer).get("/api/v1/suppliers/", {"grade": "D"})
    assert response.status_code == 200
    assert sorted(s["code"] for s in response.json()["results"]) == ["ACME", "BOLT"]
    response = api_for(buyer).get("/api/v1/suppliers/", {"grade": "none"})
    assert [s["code"] for s in response.json()["results"]] == ["NOCARD"]
    assert api_for(buyer).get("/api/v1/suppliers/", {"grade": "E"}).status_code == 400
