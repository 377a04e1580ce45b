"""Suppliers, parts, sources, contracts and FX rates through the API."""

import pytest

from contracts.models import Contract, ContractChange
from parts.models import ApprovedSource, InspectionCharacteristic
from purchasing.models import FxRate
from suppliers.models import Supplier


class TestSuppliers:
    def test_create_normalises_codes(self, db, api_for, buyer):
        response = api_for(buyer).post(
            "/api/v1/suppliers/",
            {"code": "NEW-1", "name": "New", "country": "fr", "currency": " eur", "owner": "buyer"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["country"] == "FR"
        supplier = Supplier.objects.get(code="NEW-1")
        assert (supplier.currency, supplier.owner.username, supplier.status) == (
            "EUR",
            "buyer",
            "prospect",
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"country": "XX"}, "country"),
            ({"country": "DEU"}, "country"),
            ({"currency": "EUE"}, "currency"),
            ({"status": "sleeping"}, "status"),
            ({"code": "with space"}, "code"),
            ({"owner": "nobody"}, "owner"),
            ({"name": ""}, "name"),
        ],
    )
    def test_invalid_supplier(self, db, api_for, buyer, change, field):
        body = {"code": "NEW", "name": "New", "country": "DE", "currency": "EUR", **change}
        response = api_for(buyer).post("/api/v1/suppliers/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_owner_must_be_a_buyer(self, db, api_for, buyer, viewer):
        body = {"code": "NEW", "name": "New", "country": "DE", "currency": "EUR", "owner": "viewer"}
        assert api_for(buyer).post("/api/v1/suppliers/", body, format="json").status_code == 400

    def test_status_follows_the_lifecycle(self, world, api_for, buyer):
        api = api_for(buyer)
        response = api.patch("/api/v1/suppliers/ACME/", {"status": "on_hold"}, format="json")
        assert response.status_code == 200
        response = api.patch("/api/v1/suppliers/ACME/", {"status": "prospect"}, format="json")
        assert response.status_code == 400
        assert "status" in response.json()
        assert Supplier.objects.get(code="ACME").status == "on_hold"

    def test_code_cannot_change(self, world, api_for, buyer):
        response = api_for(buyer).patch("/api/v1/suppliers/ACME/", {"code": "ACME2"}, format="json")
        assert response.status_code == 400
        assert Supplier.objects.filter(code="ACME").exists()

    @pytest.mark.parametrize(
        ("query", "expected"),
        [("status=approved", {"ACME", "BOLT"}), ("q=bolt", {"BOLT"}), ("code=acme", {"ACME"})],
    )
    def test_filters(self, world, api_for, buyer, query, expected):
        results = api_for(buyer).get(f"/api/v1/suppliers/?{query}").json()["results"]
        assert {s["code"] for s in results} == expected


class TestParts:
    def test_create_with_checklist(self, db, api_for, buyer):
        response = api_for(buyer).post(
            "/api/v1/parts/",
            {
                "number": "P-10",
                "name": "Gear",
                "unit": "ea",
                "checklist": [{"code": "DIM", "description": "Dimensions", "is_critical": True}],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["checklist"][0]["code"] == "DIM"

    def test_checklist_is_replaced_as_a_whole(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/parts/P-1/",
            {
                "checklist": [
                    {"code": "SURF", "description": "Finish"},
                    {"code": "HARD", "description": "Hardness"},
                ]
            },
            format="json",
        )
        assert response.status_code == 200
        assert {c["code"] for c in response.json()["checklist"]} == {"SURF", "HARD"}
        codes = set(
            InspectionCharacteristic.objects.filter(part__number="P-1").values_list(
                "code", flat=True
            )
        )
        assert codes == {"SURF", "HARD"}
        assert (
            InspectionCharacteristic.objects.get(part__number="P-1", code="SURF").description
            == "Finish"
        )

    def test_duplicate_checklist_codes(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/parts/P-1/",
            {"checklist": [{"code": "A", "description": "x"}, {"code": "A", "description": "y"}]},
            format="json",
        )
        assert response.status_code == 400
        assert "checklist" in response.json()

    def test_part_used_on_orders_cannot_be_deleted(self, world, api_for, buyer):
        assert api_for(buyer).delete("/api/v1/parts/P-1/").status_code == 409

    def test_unit_must_be_known(self, db, api_for, buyer):
        response = api_for(buyer).post(
            "/api/v1/parts/", {"number": "P-11", "name": "x", "unit": "bag"}, format="json"
        )
        assert response.status_code == 400
        assert "unit" in response.json()


class TestSources:
    def payload(self, **change):
        return {
            "part": "P-4",
            "supplier": "ACME",
            "target_share_pct": "60",
            "min_share_pct": "20",
            "max_share_pct": "80",
            "unit_price": "3.5",
            "currency": "EUR",
            "lead_time_days": 20,
            **change,
        }

    def test_two_sources_of_a_part(self, world, api_for, buyer):
        api = api_for(buyer)
        assert api.post("/api/v1/sources/", self.payload(), format="json").status_code == 201
        second = api.post(
            "/api/v1/sources/", self.payload(supplier="BOLT", target_share_pct="40"), format="json"
        )
        assert second.status_code == 201
        results = api.get("/api/v1/sources/?part=P-4").json()["results"]
        assert [(s["supplier"], s["target_share_pct"]) for s in results] == [
            ("ACME", "60.00"),
            ("BOLT", "40.00"),
        ]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"target_share_pct": "90"}, "target_share_pct"),  # above max 80
            ({"target_share_pct": "10"}, "target_share_pct"),  # below min 20
            ({"target_share_pct": "101", "max_share_pct": "100"}, "target_share_pct"),
            ({"unit_price": "-1"}, "unit_price"),
            ({"part": "P-NOPE"}, "part"),
            ({"supplier": "NOPE"}, "supplier"),
            ({"lead_time_days": -3}, "lead_time_days"),
            ({"currency": "eu"}, "currency"),
        ],
    )
    def test_invalid_source(self, world, api_for, buyer, change, field):
        response = api_for(buyer).post("/api/v1/sources/", self.payload(**change), format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_shares_of_a_part_stay_within_100(self, world, api_for, buyer):
        """P-1 is already split 60/40 between ACME and BOLT."""
        api = api_for(buyer)
        other = Supplier.objects.create(code="CAST", name="Cast", country="DE", currency="EUR")
        response = api.post(
            "/api/v1/sources/",
            self.payload(part="P-1", supplier=other.code, target_share_pct="30", min_share_pct="0"),
            format="json",
        )
        assert response.status_code == 400
        assert "100%" in response.json()["target_share_pct"][0]
        # Lowering one source first makes room.
        source_a = world["sources"][0]
        assert (
            api.patch(
                f"/api/v1/sources/{source_a.pk}/", {"target_share_pct": "30"}, format="json"
            ).status_code
            == 200
        )
        response = api.post(
            "/api/v1/sources/",
            self.payload(part="P-1", supplier=other.code, target_share_pct="30", min_share_pct="0"),
            format="json",
        )
        assert response.status_code == 201

    def test_one_source_per_supplier_and_part(self, world, api_for, buyer):
        response = api_for(buyer).post(
            "/api/v1/sources/",
            self.payload(part="P-2", target_share_pct="0", min_share_pct="0"),
            format="json",
        )
        assert response.status_code == 400
        assert "already a source" in response.json()["supplier"][0]
        assert ApprovedSource.objects.filter(part__number="P-2").count() == 1


class TestContracts:
    def test_create_and_update_are_audited(self, world, api_for, buyer):
        api = api_for(buyer)
        response = api.post(
            "/api/v1/contracts/",
            {
                "supplier": "ACME",
                "reference": "C-2027",
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["early_tolerance_days"] == 3
        assert response.json()["late_tolerance_days"] == 0
        response = api.patch("/api/v1/contracts/C-2027/", {"late_tolerance_days": 2}, format="json")
        assert response.status_code == 200
        changes = ContractChange.objects.filter(contract__reference="C-2027").order_by("id")
        assert [c.kind for c in changes] == ["created", "updated"]
        assert changes[1].actor.username == "buyer"
        assert changes[1].before["late_tolerance_days"] == 0
        assert changes[1].after["late_tolerance_days"] == 2

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"valid_to": "2025-12-31"}, "valid_to"),
            ({"early_tolerance_days": -1}, "early_tolerance_days"),
            ({"late_tolerance_days": 1000}, "late_tolerance_days"),
            ({"supplier": "NOPE"}, "supplier"),
            ({"reference": "C-ACME"}, "reference"),
        ],
    )
    def test_invalid_contract(self, world, api_for, buyer, change, field):
        body = {"supplier": "ACME", "reference": "C-NEW", "valid_from": "2026-01-01", **change}
        response = api_for(buyer).post("/api/v1/contracts/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Contract.objects.filter(reference="C-NEW").exists()

    def test_valid_on_filter(self, world, api_for, buyer):
        Contract.objects.filter(reference="C-BOLT").update(valid_to="2025-12-31")
        results = api_for(buyer).get("/api/v1/contracts/?valid_on=2026-06-01").json()["results"]
        assert [c["reference"] for c in results] == ["C-ACME"]


class TestFxRates:
    def test_create_and_filter(self, world, api_for, buyer):
        api = api_for(buyer)
        response = api.post(
            "/api/v1/fx-rates/",
            {"currency": "gbp", "date": "2026-02-01", "rate": 1.17},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["rate"] == "1.17000000"
        results = api.get("/api/v1/fx-rates/?currency=GBP&date_after=2026-01-15").json()["results"]
        assert len(results) == 1

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"currency": "EUR"}, "currency"),  # the base currency is always 1
            ({"rate": "0"}, "rate"),
            ({"rate": "-1"}, "rate"),
            ({"date": "2026-01-01", "currency": "USD"}, "date"),  # one rate per day
        ],
    )
    def test_invalid_rate(self, world, api_for, buyer, change, field):
        body = {"currency": "GBP", "date": "2026-02-01", "rate": "1.1", **change}
        response = api_for(buyer).post("/api/v1/fx-rates/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert FxRate.objects.count() == 1


class TestPagination:
    def test_page_size_parameter_is_capped(self, db, api_for, buyer):
        Supplier.objects.bulk_create(
            [
                Supplier(code=f"S{n:04d}", name="x", country="DE", currency="EUR")
                for n in range(1205)
            ]
        )
        api = api_for(buyer)
        assert len(api.get("/api/v1/suppliers/").json()["results"]) == 50
        assert len(api.get("/api/v1/suppliers/?page_size=7").json()["results"]) == 7
        body = api.get("/api/v1/suppliers/?page_size=5000").json()
        assert len(body["results"]) == 1000
        assert body["count"] == 1205
        assert body["next"].endswith("page=2&page_size=5000")
