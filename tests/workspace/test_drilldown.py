"""The rows behind a figure are exactly the scorecard's population (docs/kpis.md)."""

import csv
import io

import pytest
from pytest import approx

from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard

pytestmark = pytest.mark.django_db


def rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    listed = list(page.object_list)
    # The pager may take its size from the scorecards; the rows themselves must match it.
    assert len(listed) == page.paginator.count <= page.paginator.per_page
    return listed, page.paginator.count


@pytest.mark.parametrize("period", [kpis.ROLLING_PERIOD, "2026-02", "2026-03"])
@pytest.mark.parametrize("code", ["ACME", "BOLT"])
def test_the_lines_behind_otd_are_the_lines_the_scorecard_counted(
    client_for, buyer, supply_base, code, period
):
    card = SupplierScorecard.objects.get(supplier__code=code, period=period)
    lines, count = rows(client_for(buyer), f"/kpi/lines/?supplier={code}&period={period}")
    assert count == card.lines_due
    assert float(sum(line.on_time_quantity for line in lines)) == approx(card.on_time_quantity)
    assert float(sum(line.quantity for line in lines)) == approx(card.ordered_quantity)
    assert sum(line.is_in_full for line in lines) == card.lines_in_full


def test_receipts_and_inspections_behind_a_figure_match_its_population(
    client_for, buyer, supply_base
):
    client = client_for(buyer)
    for code in ("ACME", "BOLT"):
        card = SupplierScorecard.objects.get(supplier__code=code, period=kpis.ROLLING_PERIOD)
        receipts, count = rows(client, f"/kpi/receipts/?supplier={code}")
        assert count == card.receipts_count
        mean = sum(r.lead_time_days for r in receipts) / len(receipts)
        assert mean == approx(card.lead_time_mean_days)
        inspections, count = rows(client, f"/kpi/inspections/?supplier={code}")
        assert count == card.inspections_count
        assert float(sum(i.defective_quantity for i in inspections)) == approx(card.units_defective)


def test_the_rows_behind_a_source_on_the_part_page_are_that_sources_alone(
    client_for, buyer, supply_base
):
    card = PartScorecard.objects.get(
        supplier__code="ACME", part__number="P-SHARED", period=kpis.ROLLING_PERIOD
    )
    lines, count = rows(client_for(buyer), "/kpi/lines/?supplier=ACME&part=P-SHARED")
    assert count == card.lines_due
    assert {line.part.number for line in lines} == {"P-SHARED"}
    receipts, _ = rows(client_for(buyer), "/kpi/receipts/?supplier=ACME&part=P-SHARED")
    luc = sum(r.landed_cost for r in receipts) / sum(r.quantity for r in receipts)
    assert float(luc) == approx(card.landed_unit_cost)


def test_the_whole_supply_base_lists_every_suppliers_rows_and_no_cancelled_line(
    client_for, buyer, supply_base
):
    cards = SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD)
    lines, count = rows(client_for(buyer), "/kpi/lines/")
    assert count == sum(c.lines_due for c in cards) == 24
    _, receipts = rows(client_for(buyer), "/kpi/receipts/")
    assert receipts == sum(c.receipts_count for c in cards)


def test_the_tolerance_window_comes_from_the_contract_in_force(client_for, buyer, supply_base):
    lines, _ = rows(client_for(buyer), "/kpi/lines/?supplier=BOLT&period=2026-03")
    for line in lines:
        assert (line.window_from - line.promised_date).days == -3  # default early tolerance
        assert (line.window_to - line.promised_date).days == 2  # C-BOLT's late tolerance
    # Delays 1, 3, 7, 2: the 1- and 2-day late deliveries are inside the window.
    assert [line.is_in_full for line in lines] == [True, False, False, True]


def test_the_export_holds_every_row_of_the_filtered_list(client_for, buyer, supply_base):
    response = client_for(buyer).get("/kpi/lines/?supplier=BOLT&format=csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    card = SupplierScorecard.objects.get(supplier__code="BOLT", period=kpis.ROLLING_PERIOD)
    assert len(table) == card.lines_due
    assert {row["supplier"] for row in table} == {"BOLT"}
    assert sum(float(row["on_time_quantity"]) for row in table) == approx(card.on_time_quantity)


def test_filters_narrow_the_list_and_bad_input_is_a_clear_400(client_for, buyer, supply_base):
    client = client_for(buyer)
    lines, count = rows(client, "/kpi/lines/?supplier=BOLT&promised_date_after=2026-03-01")
    assert count == 4 and all(line.promised_date.month == 3 for line in lines)
    response = client.get("/kpi/lines/?period=2026-13")
    assert response.status_code == 400
    assert "is not a period" in response.content.decode()
    response = client.get("/kpi/receipts/?receipt_date_after=yesterday")
    assert response.status_code == 400
    assert client.get("/kpi/lines/?supplier=NOPE").status_code == 404


def test_a_supplier_contact_drills_into_its_own_rows_only(client_for, contact_a, supply_base):
    client = client_for(contact_a)
    card = SupplierScorecard.objects.get(supplier__code="ACME", period=kpis.ROLLING_PERIOD)
    lines, count = rows(client, "/kpi/lines/")
    assert count == card.lines_due
    assert {line.purchase_order.supplier.code for line in lines} == {"ACME"}
    assert client.get("/kpi/inspections/?supplier=BOLT").status_code == 404


def test_before_the_first_recompute_the_page_says_how_figures_appear(client_for, buyer):
    response = client_for(buyer).get("/kpi/lines/")
    assert response.status_code == 200
    assert "No scorecards yet" in response.content.decode()
