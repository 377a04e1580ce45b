"""Rules the purchasing services own, whichever entry point calls them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from purchasing.models import FxRate, Inspection, PurchaseOrder, Receipt, ShipNotice
from purchasing.services import (
    fx_rate_update,
    fx_rates_upsert,
    inspection_create,
    purchase_order_create,
    purchase_order_line_build,
    receipt_create,
    receipt_update,
    ship_notice_create,
)
from scorecards.models import PartScorecard
from tests.factories import FxRateFactory, PartFactory
from tests.scorecards.conftest import Kpi
from tests.scorecards.test_rules import approx

pytestmark = pytest.mark.django_db
FEB_10 = dt.date(2026, 2, 10)


def _line(part):
    return purchase_order_line_build(
        line_number=1,
        part=part,
        quantity=Decimal("5"),
        unit_price=Decimal("2"),
        requested_date=dt.date(2026, 3, 1),
    )


class TestPurchaseOrderCreate:
    @pytest.mark.parametrize("status", ["on_hold", "disqualified"])
    def test_supplier_that_takes_no_orders_is_refused(self, supplier_a, status):
        supplier_a.status = status
        supplier_a.save()
        with pytest.raises(ValidationError) as caught:
            purchase_order_create(
                number="PO-9",
                supplier=supplier_a,
                order_date=dt.date(2026, 2, 1),
                currency="EUR",
                lines=[_line(PartFactory())],
            )
        assert "takes no new orders" in caught.value.message_dict["supplier"][0]
        assert not PurchaseOrder.objects.filter(number="PO-9").exists()

    def test_approved_supplier_takes_the_order_and_the_actor_is_recorded(self, supplier_a, buyer):
        po = purchase_order_create(
            number="PO-9",
            supplier=supplier_a,
            order_date=dt.date(2026, 2, 1),
            currency="EUR",
            lines=[_line(PartFactory())],
            actor=buyer,
        )
        assert po.created_by == buyer
        assert po.lines.count() == 1

    def test_api_answers_400_with_the_supplier_error(self, supplier_a, api_for, buyer):
        supplier_a.status = "on_hold"
        supplier_a.save()
        part = PartFactory(number="P-77")
        body = {
            "number": "PO-9",
            "supplier": supplier_a.code,
            "order_date": "2026-02-01",
            "lines": [
                {
                    "line": 1,
                    "part": part.number,
                    "quantity": "5",
                    "unit_price": "2",
                    "requested_date": "2026-03-01",
                }
            ],
        }
        response = api_for(buyer).post("/api/v1/purchase-orders/", body, format="json")
        assert response.status_code == 400
        assert "takes no new orders" in response.json()["supplier"][0]
        assert not PurchaseOrder.objects.exists()


@pytest.fixture
def usd_receipt(supplier_a, settings):
    """One USD line of 10 × 10 USD received on Feb 10, priced at 0.9 EUR per USD."""
    settings.BASE_CURRENCY = "EUR"
    FxRateFactory(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9"))
    kpi = Kpi(supplier_a)
    kpi.receive(kpi.line(currency="USD", unit_price="10", quantity="10"), FEB_10, "10")
    kpi.recompute()
    card = PartScorecard.objects.get(supplier=supplier_a, period="2026-02")
    assert card.landed_unit_cost == Decimal("9")
    return kpi


class TestFxRates:
    def test_an_fx_list_upserts_and_refreshes_landed_cost(
        self, usd_receipt, supplier_a, api_for, buyer, settings, django_capture_on_commit_callbacks
    ):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        body = [
            {"currency": "USD", "date": "2026-01-01", "rate": "0.8"},  # corrects the stored one
            {"currency": "GBP", "date": "2026-01-01", "rate": "1.2"},
        ]
        with django_capture_on_commit_callbacks(execute=True):
            response = api_for(buyer).post("/api/v1/fx-rates/", body, format="json")
        assert response.status_code == 201, response.json()
        assert [r["rate"] for r in response.json()] == ["0.80000000", "1.20000000"]
        assert FxRate.objects.get(currency="USD", date=dt.date(2026, 1, 1)).rate == Decimal("0.8")
        assert FxRate.objects.count() == 2
        card = PartScorecard.objects.get(supplier=supplier_a, period="2026-02")
        assert card.landed_unit_cost == approx(8, 8)

    def test_a_rate_dated_after_the_receipts_requests_no_refresh(
        self, usd_receipt, supplier_a, django_capture_on_commit_callbacks, monkeypatch
    ):
        from engine import tasks

        queued = []
        monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
        with django_capture_on_commit_callbacks(execute=True):
            fx_rates_upsert(rates=[FxRate(currency="USD", date=dt.date(2026, 3, 1), rate=1)])
        assert queued == []
        with django_capture_on_commit_callbacks(execute=True):
            fx_rates_upsert(rates=[FxRate(currency="USD", date=dt.date(2026, 2, 10), rate=1)])
        assert queued == [[supplier_a.pk]]

    def test_a_correction_refreshes_landed_cost(
        self, usd_receipt, supplier_a, settings, django_capture_on_commit_callbacks
    ):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        rate = FxRate.objects.get(currency="USD")
        with django_capture_on_commit_callbacks(execute=True):
            fx_rate_update(fx_rate=rate, data={"rate": Decimal("1.1")})
        card = PartScorecard.objects.get(supplier=supplier_a, period="2026-02")
        assert card.landed_unit_cost == approx(11, 8)

    def test_one_bad_rate_in_a_list_writes_nothing(self, db, api_for, buyer):
        body = [
            {"currency": "USD", "date": "2026-01-01", "rate": "0.9"},
            {"currency": "GBP", "date": "2026-01-01", "rate": "-1"},
            {"currency": "XXQ", "date": "2026-01-01", "rate": "1"},
            {"currency": "USD", "date": "2026-01-01", "rate": "0.95"},
        ]
        response = api_for(buyer).post("/api/v1/fx-rates/", body, format="json")
        assert response.status_code == 400
        payload = response.json()
        assert payload["detail"] == "Nothing was created: 3 of 4 items are invalid."
        by_index = {(e["index"], e["field"]) for e in payload["errors"]}
        assert by_index == {(1, "rate"), (2, "currency"), (3, "date")}
        assert not FxRate.objects.exists()

    def test_one_object_for_a_day_already_rated_points_to_the_correction(self, db, api_for, buyer):
        FxRateFactory(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9"))
        body = {"currency": "USD", "date": "2026-01-01", "rate": "0.8"}
        response = api_for(buyer).post("/api/v1/fx-rates/", body, format="json")
        assert response.status_code == 400
        assert "PATCH" in response.json()["date"][0]
        assert FxRate.objects.get().rate == Decimal("0.9")

    def test_the_base_currency_is_refused_by_the_service(self, db, settings):
        settings.BASE_CURRENCY = "EUR"
        with pytest.raises(ValidationError):
            fx_rates_upsert(
                rates=[FxRate(currency="EUR", date=dt.date(2026, 1, 1), rate=1)], validate=True
            )
        assert not FxRate.objects.exists()


class TestAcknowledgementReasons:
    def test_reason_codes_are_an_enum_in_the_schema(self, api_for, buyer):
        schema = api_for(buyer).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert schema.status_code == 200
        body = schema.json()
        enum = body["components"]["schemas"]["PromiseRevisionReasonEnum"]["enum"]
        assert {"capacity", "material", "transport", "quality", "other"} <= set(enum)

    def test_a_wrong_reason_names_the_valid_ones(self, api_for, contact_a, supplier_a):
        kpi = Kpi(supplier_a)
        line = kpi.line()
        number = line.purchase_order.number
        api = api_for(contact_a)
        url = f"/api/v1/purchase-orders/{number}/lines/{line.line_number}/acknowledge/"
        assert api.post(url, {"promised_date": "2026-02-12"}, format="json").status_code == 200
        response = api.post(
            url, {"promised_date": "2026-02-14", "reason": "weather"}, format="json"
        )
        assert response.status_code == 400
        message = response.json()["reason"][0]
        assert "'weather' is not a reason code" in message
        assert "capacity" in message and "customer_request" in message


class TestReceiptsAndInspections:
    def test_receipt_on_a_cancelled_line_is_refused(self, supplier_a):
        line = Kpi(supplier_a).line(status="cancelled")
        with pytest.raises(ValidationError) as caught:
            receipt_create(number="GR-1", line=line, receipt_date=FEB_10, quantity=Decimal("5"))
        assert "cancelled" in caught.value.message_dict["line"][0]
        assert not Receipt.objects.exists()

    def test_receipt_costs_default_to_the_order_currency_and_refresh(
        self, supplier_a, django_capture_on_commit_callbacks, monkeypatch
    ):
        from engine import tasks

        queued = []
        monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
        line = Kpi(supplier_a).line(currency="USD")
        with django_capture_on_commit_callbacks(execute=True):
            receipt = receipt_create(
                number="GR-1", line=line, receipt_date=FEB_10, quantity=Decimal("5")
            )
        assert receipt.cost_currency == "USD"
        assert queued == [[supplier_a.pk]]
        with pytest.raises(ValidationError) as caught:
            receipt_create(number="GR-1", line=line, receipt_date=FEB_10, quantity=Decimal("1"))
        assert "already exists" in caught.value.message_dict["number"][0]

    def test_inspection_rules(self, supplier_a):
        kpi = Kpi(supplier_a)
        kpi.part.checklist.create(code="DIM", description="Dimensions")
        receipt = kpi.receive(kpi.line(), FEB_10, "10")
        cases = [
            ({"inspected_quantity": Decimal("11")}, "inspected_quantity"),
            ({"defective_quantity": Decimal("6"), "inspected_quantity": Decimal("5")},
             "defective_quantity"),
            ({"inspection_date": dt.date(2026, 2, 9)}, "inspection_date"),
            ({"defect_codes": ["DIM", "DIM"]}, "defect_codes"),
            ({"defect_codes": ["PAINT"]}, "defect_codes"),
        ]  # fmt: skip
        for change, field in cases:
            fields = {"inspection_date": FEB_10, "inspected_quantity": Decimal("5")} | change
            with pytest.raises(ValidationError) as caught:
                inspection_create(receipt=receipt, **fields)
            assert field in caught.value.message_dict, change
        inspection = inspection_create(
            receipt=receipt,
            inspection_date=FEB_10,
            inspected_quantity=Decimal("10"),
            defective_quantity=Decimal("1"),
            defect_codes=["DIM"],
        )
        assert Inspection.objects.get() == inspection

    def test_correcting_a_receipt_keeps_the_rules(self, supplier_a):
        kpi = Kpi(supplier_a)
        receipt = kpi.receive(kpi.line(), FEB_10, "10")
        with pytest.raises(ValidationError):
            receipt_update(receipt=receipt, quantity=Decimal("0"))
        receipt.refresh_from_db()
        assert receipt.quantity == Decimal("10")


class TestShipNotices:
    def test_lines_of_another_supplier_and_eta_before_shipping_are_refused(
        self, supplier_a, supplier_b
    ):
        kpi = Kpi(supplier_a)
        own, other = kpi.line(), kpi.line(supplier=supplier_b)
        with pytest.raises(ValidationError) as caught:
            ship_notice_create(
                supplier=supplier_a,
                number="ASN-9",
                ship_date=FEB_10,
                eta=FEB_10 + dt.timedelta(days=3),
                lines=[(own, Decimal("5")), (other, Decimal("5"))],
            )
        assert "not an order line of ACME" in caught.value.message_dict["lines"][0]
        with pytest.raises(ValidationError) as caught:
            ship_notice_create(
                supplier=supplier_a,
                number="ASN-9",
                ship_date=FEB_10,
                eta=FEB_10 - dt.timedelta(days=1),
                lines=[(own, Decimal("5"))],
            )
        assert "eta" in caught.value.message_dict
        assert not ShipNotice.objects.exists()
