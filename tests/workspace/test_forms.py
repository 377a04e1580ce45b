"""Forms call the services: bad input comes back with field errors and nothing is written."""

import pytest

from parts.models import ApprovedSource, InspectionCharacteristic, Part
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from suppliers.models import Supplier
from tests.factories import passed_assessment

pytestmark = pytest.mark.django_db


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def errors(response, field=None):
    form = response.context["form"]
    return form.errors.get(field or "__all__", []) if field else form.errors


SUPPLIER = {
    "code": "NEWCO",
    "name": "New Co",
    "country": "fr",
    "region": "EMEA",
    "currency": "eur",
    "status": "prospect",
    "owner": "buyer",
}


def test_a_buyer_creates_a_supplier(client_for, buyer):
    response = client_for(buyer).post("/suppliers/new/", SUPPLIER)
    assert response.status_code == 302 and response["Location"] == "/suppliers/NEWCO/"
    supplier = Supplier.objects.get(code="NEWCO")
    assert (supplier.country, supplier.currency, supplier.owner) == ("FR", "EUR", buyer)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"country": "XX"}, "country"),
        ({"currency": "EUE"}, "currency"),
        ({"code": "ACME"}, "code"),
        ({"owner": "viewer"}, "owner"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_supplier_is_refused_with_the_field_named(
    client_for, buyer, viewer, supplier_a, change, field
):
    response = client_for(buyer).post("/suppliers/new/", {**SUPPLIER, **change})
    assert response.status_code == 400
    assert errors(response, field), response.context["form"].errors
    assert not Supplier.objects.filter(code="NEWCO").exists()


def test_the_status_follows_the_lifecycle(client_for, buyer):
    Supplier.objects.create(code="PROS", name="P", country="DE", currency="EUR")
    client = client_for(buyer)
    data = {**SUPPLIER, "code": "PROS", "status": "approved"}  # prospect cannot jump
    response = client.post("/suppliers/PROS/edit/", data)
    assert response.status_code == 400 and errors(response, "status")
    assert Supplier.objects.get(code="PROS").status == "prospect"
    response = client.post("/suppliers/PROS/edit/", {**data, "status": "qualified"})
    assert response.status_code == 400 and "passed assessment" in response.content.decode()
    passed_assessment(Supplier.objects.get(code="PROS"))
    response = client.post("/suppliers/PROS/edit/", {**data, "status": "qualified"})
    assert response.status_code == 302
    assert Supplier.objects.get(code="PROS").status == "qualified"


def part_data(**checklist):
    data = {
        "number": "P-NEW",
        "name": "New part",
        "unit": "EA",
        "is_critical": "on",
        **management("checklist", 2),
    }
    for index, (code, description) in enumerate(checklist.items()):
        data[f"checklist-{index}-code"] = code
        data[f"checklist-{index}-description"] = description
    return data


def test_a_buyer_creates_a_part_with_its_checklist(client_for, buyer):
    response = client_for(buyer).post("/parts/new/", part_data(DIM="Diameter", SURF="Finish"))
    assert response.status_code == 302
    part = Part.objects.get(number="P-NEW")
    assert sorted(part.checklist.values_list("code", flat=True)) == ["DIM", "SURF"]


def test_a_checklist_row_without_a_description_saves_nothing(client_for, buyer):
    data = part_data(DIM="Diameter")
    data["checklist-1-code"] = "SURF"  # no description
    response = client_for(buyer).post("/parts/new/", data)
    assert response.status_code == 400
    assert response.context["checklist"].errors[1]["description"]
    assert not Part.objects.filter(number="P-NEW").exists()
    assert not InspectionCharacteristic.objects.exists()


def test_a_part_number_taken_is_refused(client_for, buyer, supply_base):
    response = client_for(buyer).post("/parts/new/", {**part_data(), "number": "P-SOLO"})
    assert response.status_code == 400 and errors(response, "number")


SOURCE = {
    "supplier": "BOLT",
    "target_share_pct": "0",
    "min_share_pct": "0",
    "max_share_pct": "100",
    "unit_price": "9.5",
    "currency": "usd",
    "lead_time_days": "20",
    "monthly_capacity": "",
    "moq": "10",
    "is_active": "on",
}


def test_a_second_source_over_the_100_percent_is_refused(client_for, buyer, supply_base):
    client = client_for(buyer)
    response = client.post("/parts/P-SOLO/sources/new/", {**SOURCE, "target_share_pct": "20"})
    assert response.status_code == 400 and errors(response, "target_share_pct")
    assert ApprovedSource.objects.filter(part__number="P-SOLO").count() == 1
    response = client.post("/parts/P-SOLO/sources/new/", SOURCE)
    assert response.status_code == 302
    source = ApprovedSource.objects.get(part__number="P-SOLO", supplier__code="BOLT")
    assert (source.currency, source.monthly_capacity) == ("USD", None)


def test_a_source_edit_keeps_the_bounds(client_for, buyer, supply_base):
    data = {**SOURCE, "target_share_pct": "30", "min_share_pct": "40"}
    response = client_for(buyer).post("/parts/P-SHARED/sources/BOLT/edit/", data)
    assert response.status_code == 400
    assert errors(response)  # min above target
    source = ApprovedSource.objects.get(part__number="P-SHARED", supplier__code="BOLT")
    assert source.min_share_pct == 0 and source.unit_price == 12.5


def order_data(*lines, number="PO-NEW", supplier="ACME"):
    data = {
        "number": number,
        "supplier": supplier,
        "order_date": "2026-04-01",
        "currency": "EUR",
        **management("lines", max(len(lines), 1)),
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


LINE = {
    "part": "P-SOLO",
    "quantity": "50",
    "unit_price": "10",
    "requested_date": "2026-05-01",
    "status": "open",
}


def test_a_buyer_places_an_order_with_lines(client_for, buyer, supply_base):
    response = client_for(buyer).post(
        "/orders/new/", order_data(LINE, {**LINE, "part": "P-SHARED", "quantity": "20"})
    )
    assert response.status_code == 302 and response["Location"] == "/orders/PO-NEW/"
    lines = PurchaseOrderLine.objects.filter(purchase_order__number="PO-NEW").order_by(
        "line_number"
    )
    assert [(line.line_number, line.part.number) for line in lines] == [
        (1, "P-SOLO"),
        (2, "P-SHARED"),
    ]
    assert lines[0].promised_date == lines[0].requested_date  # not confirmed yet


@pytest.mark.parametrize(
    "data, where",
    [
        (order_data({**LINE, "part": "NOPE"}), "line"),
        (order_data({**LINE, "quantity": "0"}), "line"),
        (order_data({**LINE, "requested_date": "tomorrow"}), "line"),
        (order_data({**LINE, "requested_date": "1926-05-01"}), "line"),
        (order_data(), "lines"),
        (order_data(LINE, supplier="NOPE"), "supplier"),
        (order_data(LINE, number="TAKEN"), "number"),
    ],
)
def test_a_bad_order_is_refused_and_nothing_is_half_saved(
    client_for, buyer, supply_base, data, where
):
    if data["number"] == "TAKEN":
        data["number"] = PurchaseOrder.objects.first().number
    before = PurchaseOrder.objects.count(), PurchaseOrderLine.objects.count()
    response = client_for(buyer).post("/orders/new/", data)
    assert response.status_code == 400
    lines = response.context["lines"]
    form = response.context["form"]
    if where == "line":
        assert lines.errors[0]
    elif where == "lines":
        assert lines.non_form_errors() or lines.errors[0]  # an order needs a line
    else:
        assert form.errors[where]
    assert (PurchaseOrder.objects.count(), PurchaseOrderLine.objects.count()) == before


def test_a_supplier_on_hold_takes_no_new_order(client_for, buyer, supply_base):
    Supplier.objects.filter(code="BOLT").update(status="on_hold")
    response = client_for(buyer).post("/orders/new/", order_data(LINE, supplier="BOLT"))
    assert response.status_code == 400 and errors(response, "supplier")
    assert not PurchaseOrder.objects.filter(number="PO-NEW").exists()


def test_a_share_change_shows_in_the_parts_share_history(client_for, buyer, supply_base):
    client = client_for(buyer)
    data = {
        **SOURCE,
        "target_share_pct": "20",
        "unit_price": "12.5",
        "currency": "EUR",
        "lead_time_days": "30",
        "moq": "1",
    }
    assert client.post("/parts/P-SHARED/sources/BOLT/edit/", data).status_code == 302
    content = client.get("/parts/P-SHARED/").content.decode()
    history = content[content.index('id="slot-share-history"') :]
    assert "target_share 30.00 → 20.00" in history and "buyer" in history


def test_a_rule_that_moved_shares_shows_in_the_parts_share_history(client_for, buyer, supply_base):
    from parts.models import Part
    from rules.models import AllocationChange

    AllocationChange.objects.create(
        part=Part.objects.get(number="P-SHARED"),
        shares_before={"ACME": 70, "BOLT": 30},
        shares_after={"ACME": 60, "BOLT": 40},
        metric_value=81.5,
        reason="OTD 81.5 % below 90 %",
    )
    content = client_for(buyer).get("/parts/P-SHARED/").content.decode()
    history = content[content.index('id="slot-share-history"') :].split("</section>")[0]
    assert "ACME 70 / BOLT 30" in history and "ACME 60 / BOLT 40" in history
    assert "OTD 81.5 % below 90 %" in history and "system" in history
