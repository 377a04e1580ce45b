"""Part and source rules live in `parts.services`: units, checklists, shares and the audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parts.models import ApprovedSource, Part, SourceChange
from parts.services import part_create, part_update, source_create, source_update
from tests.factories import ApprovedSourceFactory, PartFactory

pytestmark = pytest.mark.django_db


class TestUnits:
    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            ("pcs", "H87"),
            ("PCS", "H87"),
            ("Piece", "H87"),
            ("ea", "EA"),
            ("each", "EA"),
            ("unit", "C62"),
            ("C62", "C62"),
            ("kg", "KGM"),
            ("kgm", "KGM"),
            ("g", "GRM"),
            ("t", "TNE"),
            ("m", "MTR"),
            ("mm", "MMT"),
            ("m2", "MTK"),
            ("l", "LTR"),
            ("ml", "MLT"),
            ("m3", "MTQ"),
            ("pair", "PR"),
            ("box", "BX"),
            ("pack", "PK"),
            ("roll", "ROL"),
            (" set ", "SET"),
        ],
    )
    def test_aliases_are_stored_as_their_code(self, sent, stored):
        part = part_create(number="P-U", name="Washer", unit=sent)
        assert Part.objects.get(pk=part.pk).unit == stored

    def test_unknown_unit_is_refused_with_examples(self):
        with pytest.raises(ValidationError) as caught:
            part_create(number="P-U", name="Washer", unit="bushel")
        message = caught.value.message_dict["unit"][0]
        assert "'bushel' is not a unit" in message
        assert "H87 (pcs)" in message and "KGM (kg)" in message
        assert not Part.objects.exists()

    def test_update_normalises_too(self):
        part = PartFactory()
        part_update(part=part, data={"unit": "Kg"})
        part.refresh_from_db()
        assert part.unit == "KGM"

    def test_api_takes_aliases_and_answers_the_code(self, api_for, buyer):
        api = api_for(buyer)
        response = api.post(
            "/api/v1/parts/", {"number": "P-1", "name": "Gear", "unit": "pcs"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["unit"] == "H87"
        response = api.patch("/api/v1/parts/P-1/", {"unit": "Litre"}, format="json")
        assert response.json()["unit"] == "LTR"
        assert api.get("/api/v1/parts/?unit=l").json()["count"] == 1

    def test_api_refuses_an_unknown_unit_naming_accepted_ones(self, api_for, buyer):
        response = api_for(buyer).post(
            "/api/v1/parts/", {"number": "P-1", "name": "Gear", "unit": "stone"}, format="json"
        )
        assert response.status_code == 400
        message = response.json()["unit"][0]
        assert "'stone' is not a unit" in message and "EA (each)" in message
        assert not Part.objects.exists()


class TestChecklist:
    def test_repeated_codes_are_refused_and_nothing_is_saved(self):
        with pytest.raises(ValidationError) as caught:
            part_create(
                number="P-C",
                name="Gear",
                unit="ea",
                checklist=[{"code": "DIM", "description": "a"}, {"code": "DIM"}],
            )
        assert "DIM" in caught.value.message_dict["checklist"][0]
        assert not Part.objects.exists()

    def test_update_replaces_the_checklist_by_code(self):
        part = part_create(
            number="P-C", name="Gear", unit="ea", checklist=[{"code": "DIM", "description": "a"}]
        )
        part_update(
            part=part,
            data={},
            checklist=[{"code": "DIM", "description": "b"}, {"code": "SURF", "description": "c"}],
        )
        assert list(part.checklist.values_list("code", "description")) == [
            ("DIM", "b"),
            ("SURF", "c"),
        ]

    def test_the_number_never_changes(self):
        part = PartFactory(number="P-1")
        with pytest.raises(ValidationError):
            part_update(part=part, data={"number": "P-2"})


class TestSources:
    def test_shares_of_a_part_may_not_exceed_100(self, supplier_a, supplier_b):
        part = PartFactory()
        source_create(
            part=part, supplier=supplier_a, target_share_pct=Decimal("70"),
            unit_price=Decimal("1"), currency="EUR", lead_time_days=10,
        )  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            source_create(
                part=part, supplier=supplier_b, target_share_pct=Decimal("40"),
                unit_price=Decimal("1"), currency="EUR", lead_time_days=10,
            )  # fmt: skip
        assert "110" in caught.value.message_dict["target_share_pct"][0]
        assert ApprovedSource.objects.count() == 1

    def test_bounds_hold(self, supplier_a):
        with pytest.raises(ValidationError) as caught:
            source_create(
                part=PartFactory(), supplier=supplier_a, target_share_pct=Decimal("30"),
                min_share_pct=Decimal("40"), unit_price=Decimal("1"), currency="EUR",
                lead_time_days=10,
            )  # fmt: skip
        assert "between the minimum (40)" in caught.value.message_dict["target_share_pct"][0]

    def test_every_change_is_audited_with_before_and_after(self, supplier_a, buyer):
        source = ApprovedSourceFactory(supplier=supplier_a, target_share_pct=Decimal("60"))
        source_update(source=source, data={"target_share_pct": Decimal("45")}, actor=buyer)
        source_update(source=source, data={"target_share_pct": Decimal("45")}, actor=buyer)
        change = SourceChange.objects.get()  # the second call changed nothing
        assert change.actor == buyer
        assert change.action == "update"
        assert change.before == {"target_share_pct": "60.00"}
        assert change.after == {"target_share_pct": "45.00"}
        assert (change.part_number, change.supplier_code) == (source.part.number, "ACME")

    def test_api_change_is_audited(self, world, api_for, buyer):
        source_a, _ = world["sources"]
        response = api_for(buyer).patch(
            f"/api/v1/sources/{source_a.pk}/", {"unit_price": "8.5"}, format="json"
        )
        assert response.status_code == 200
        change = SourceChange.objects.get(source=source_a)
        assert change.actor == buyer
        assert change.before == {"unit_price": "9.0000"}
        assert change.after == {"unit_price": "8.5000"}

    def test_api_share_over_100_is_a_400(self, world, api_for, buyer):
        source_a, _ = world["sources"]
        response = api_for(buyer).patch(
            f"/api/v1/sources/{source_a.pk}/", {"target_share_pct": "70"}, format="json"
        )
        assert response.status_code == 400
        assert "target_share_pct" in response.json()
        assert not SourceChange.objects.exists()


def source_form(source, **changes):
    data = {
        "part": str(source.part_id),
        "supplier": str(source.supplier_id),
        "target_share_pct": str(source.target_share_pct),
        "min_share_pct": str(source.min_share_pct),
        "max_share_pct": str(source.max_share_pct),
        "unit_price": str(source.unit_price),
        "currency": source.currency,
        "lead_time_days": str(source.lead_time_days),
        "monthly_capacity": "",
        "moq": str(source.moq),
        "pack_size": str(source.pack_size),
        "is_active": "on",
    }
    return data | changes


class TestAdmin:
    def test_share_edit_is_audited_with_who_and_before_after(self, world, client_for, admin_user):
        source_a, source_b = world["sources"]
        client = client_for(admin_user)
        url = reverse("admin:parts_approvedsource_change", args=[source_b.pk])
        # 40 → 30: the shares of P-1 then sum to 90, which is allowed.
        response = client.post(url, source_form(source_b, target_share_pct="30"))
        assert response.status_code == 302, response.content.decode()[:3000]
        change = SourceChange.objects.get()
        assert change.actor == admin_user
        assert change.before == {"target_share_pct": "40.00"}
        assert change.after == {"target_share_pct": "30.00"}
        source_b.refresh_from_db()
        assert source_b.target_share_pct == Decimal("30")

    def test_share_over_100_is_shown_on_the_form(self, world, client_for, admin_user):
        _, source_b = world["sources"]
        url = reverse("admin:parts_approvedsource_change", args=[source_b.pk])
        response = client_for(admin_user).post(url, source_form(source_b, target_share_pct="50"))
        assert response.status_code == 200
        assert "more than 100%" in response.content.decode()
        source_b.refresh_from_db()
        assert source_b.target_share_pct == Decimal("40")
        assert not SourceChange.objects.exists()

    def test_moving_share_between_sources_on_the_part_page(self, world, client_for, admin_user):
        source_a, source_b = world["sources"]
        part = source_a.part
        url = reverse("admin:parts_part_change", args=[part.pk])
        data = {
            "number": part.number,
            "name": part.name,
            "unit": "pcs",
            "is_critical": "on",
            "sources-TOTAL_FORMS": "2",
            "sources-INITIAL_FORMS": "2",
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "1000",
            "checklist-TOTAL_FORMS": "0",
            "checklist-INITIAL_FORMS": "0",
            "checklist-MIN_NUM_FORMS": "0",
            "checklist-MAX_NUM_FORMS": "1000",
        }
        # 60/40 → 40/60: A drops first or not, the page is checked as a whole.
        for index, (source, share) in enumerate(((source_a, "40"), (source_b, "60"))):
            for key, value in source_form(source, target_share_pct=share).items():
                data[f"sources-{index}-{key}"] = value
            data[f"sources-{index}-id"] = str(source.pk)
        checklist = list(part.checklist.all())
        data["checklist-TOTAL_FORMS"] = data["checklist-INITIAL_FORMS"] = str(len(checklist))
        for index, item in enumerate(checklist):
            data[f"checklist-{index}-id"] = str(item.pk)
            data[f"checklist-{index}-part"] = str(part.pk)
            data[f"checklist-{index}-code"] = item.code
            data[f"checklist-{index}-description"] = item.description
        response = client_for(admin_user).post(url, data)
        assert response.status_code == 302, response.content.decode()[:5000]
        part.refresh_from_db()
        assert part.unit == "H87"
        shares = dict(
            ApprovedSource.objects.filter(part=part).values_list(
                "supplier__code", "target_share_pct"
            )
        )
        assert shares == {"ACME": Decimal("40"), "BOLT": Decimal("60")}
        assert SourceChange.objects.filter(actor=admin_user, action="update").count() == 2


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_adds_a_part_with_sources_and_checklist(
    supplier_a, supplier_b, client_for, admin_user
):
    data = {"number": "P-NEW", "name": "New part", "unit": "kg", "is_critical": "on"}
    data |= _management("sources", 2) | _management("checklist", 1)
    for index, (supplier, share) in enumerate(((supplier_a, "70"), (supplier_b, "30"))):
        data |= {
            f"sources-{index}-supplier": str(supplier.pk),
            f"sources-{index}-target_share_pct": share,
            f"sources-{index}-min_share_pct": "0",
            f"sources-{index}-max_share_pct": "100",
            f"sources-{index}-unit_price": "2",
            f"sources-{index}-currency": "EUR",
            f"sources-{index}-lead_time_days": "20",
            f"sources-{index}-moq": "1",
            f"sources-{index}-pack_size": "1",
            f"sources-{index}-is_active": "on",
        }
    data |= {"checklist-0-code": "DIM", "checklist-0-description": "Dimensions"}
    response = client_for(admin_user).post(reverse("admin:parts_part_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    part = Part.objects.get(number="P-NEW")
    assert part.unit == "KGM"
    assert list(part.checklist.values_list("code", flat=True)) == ["DIM"]
    assert part.sources.count() == 2
    assert SourceChange.objects.filter(action="create", actor=admin_user).count() == 2
    # Over 100% on a new part is shown on the page, and nothing is saved.
    data |= {"number": "P-NEW2", "sources-1-target_share_pct": "40"}
    response = client_for(admin_user).post(reverse("admin:parts_part_add"), data)
    assert response.status_code == 200
    assert "more than 100%" in response.content.decode()
    assert not Part.objects.filter(number="P-NEW2").exists()
