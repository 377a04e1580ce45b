"""Contract pages: buyers edit with an audit trail, viewers read, contacts get 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import ContractChange, ContractRule
from tests.factories import ApprovedSourceFactory, ContractFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(supplier_a):
    ApprovedSourceFactory(supplier=supplier_a, part=PartFactory(number="P-1"))
    return ContractFactory(supplier=supplier_a, reference="C-ACME")


RULE_FORM = {
    "name": "OTD floor",
    "part": "",
    "metric": "otd_pct",
    "window": "rolling_days",
    "window_days": "90",
    "comparator": "lt",
    "threshold": "90",
    "action": "shift_share",
    "amount": "10",
    "cooldown_days": "30",
    "is_active": "on",
}


def test_a_buyer_edits_a_contract_and_sees_the_change_in_its_history(
    contract, buyer, client_for, django_capture_on_commit_callbacks
):
    client = client_for(buyer)
    with django_capture_on_commit_callbacks():
        response = client.post(
            "/contracts/C-ACME/edit/",
            {"valid_from": "2020-01-01", "valid_to": "", "early_tolerance_days": "3",
             "late_tolerance_days": "2", "otd_target_pct": "95", "defect_ppm_target": "500",
             "notes": ""},
        )  # fmt: skip
    assert response.status_code == 302
    change = ContractChange.objects.get(kind="updated")
    assert change.actor == buyer and change.after["late_tolerance_days"] == 2
    page = client.get("/contracts/C-ACME/").content.decode()
    assert "Contract changed: late tolerance 0 days → 2 days" in page and "buyer" in page
    assert "late_tolerance_days" not in page and "95 % → 95 %" not in page


def test_a_bad_contract_form_shows_field_errors_and_saves_nothing(contract, buyer, client_for):
    response = client_for(buyer).post(
        "/contracts/C-ACME/edit/",
        {"valid_from": "2026-05-01", "valid_to": "2026-01-01", "early_tolerance_days": "3",
         "late_tolerance_days": "0", "otd_target_pct": "95", "defect_ppm_target": "500"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not ContractChange.objects.exists()


def test_a_buyer_creates_a_contract(
    supplier_a, buyer, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = client_for(buyer).post(
            "/contracts/new/",
            {"supplier": "ACME", "reference": "C-NEW", "valid_from": "2026-01-01",
             "early_tolerance_days": "3", "late_tolerance_days": "0", "otd_target_pct": "95",
             "defect_ppm_target": "500"},
        )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/contracts/C-NEW/"


def test_the_rule_form_explains_itself_and_saves(contract, buyer, client_for):
    client = client_for(buyer)
    preview = client.post("/contracts/C-ACME/rules/new/", {**RULE_FORM, "preview": "1"})
    assert preview.status_code == 200
    assert (
        "If Acme Castings&#x27;s 90-day OTD falls below 90 %, move 10 points of share on each "
        "part Acme Castings supplies to the other source, at most once every 30 days."
    ) in preview.content.decode()
    assert not ContractRule.objects.exists()
    assert client.post("/contracts/C-ACME/rules/new/", RULE_FORM).status_code == 302
    rule = ContractRule.objects.get()
    assert ContractChange.objects.get(object_type="contractrule").actor == buyer
    detail = client.get("/contracts/C-ACME/").content.decode()
    assert "at most once every 30 days" in detail
    edit = client.post(f"/contracts/C-ACME/rules/{rule.pk}/", {**RULE_FORM, "threshold": "85"})
    assert edit.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == Decimal("85")


def test_a_bad_rule_is_shown_on_its_field(contract, buyer, client_for):
    response = client_for(buyer).post(
        "/contracts/C-ACME/rules/new/", {**RULE_FORM, "window_days": "30"}
    )
    assert response.status_code == 200
    assert "90-day rolling window" in response.content.decode()
    assert not ContractRule.objects.exists()


def test_tiers_and_commitments_from_the_browser(contract, buyer, client_for):
    client = client_for(buyer)
    part = contract.supplier.sources.get().part
    assert client.post(
        "/contracts/C-ACME/tiers/new/",
        {"part": part.pk, "min_quantity": "1000", "unit_price": "9.5"},
    ).status_code == 302  # fmt: skip
    bad = client.post(
        "/contracts/C-ACME/commitments/new/",
        {"part": part.pk, "min_quantity_per_year": "500", "max_quantity_per_year": "100"},
    )
    assert bad.status_code == 200 and "cannot be below the minimum" in bad.content.decode()
    tier = contract.price_tiers.get()
    url = f"/contracts/C-ACME/tiers/{tier.pk}/delete/"
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    kinds = list(ContractChange.objects.order_by("id").values_list("object_type", "kind"))
    assert kinds == [("pricetier", "created"), ("pricetier", "deleted")]


def test_viewers_read_but_cannot_change(contract, viewer, client_for):
    client = client_for(viewer)
    assert client.get("/contracts/").status_code == 200
    page = client.get("/contracts/C-ACME/").content.decode()
    assert "Edit contract" not in page and "Add a rule" not in page
    assert client.get("/contracts/C-ACME/edit/").status_code == 403
    assert client.post("/contracts/C-ACME/rules/new/", RULE_FORM).status_code == 403
    assert not ContractRule.objects.exists()


def test_a_supplier_contact_gets_404_even_for_its_own_contract(contract, contact_a, client_for):
    client = client_for(contact_a)
    for url in ("/contracts/", "/contracts/C-ACME/", "/contracts/C-ACME/edit/",
                "/contracts/C-ACME/rules/new/", "/exceptions/", "/allocations/split/"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_admin_edits_are_audited(contract, admin_user, client_for):
    client = client_for(admin_user)
    response = client.post(
        f"/admin/contracts/contract/{contract.pk}/change/",
        {"supplier": contract.supplier_id, "reference": "C-ACME", "valid_from": "2020-01-01",
         "early_tolerance_days": "5", "late_tolerance_days": "0", "otd_target_pct": "95",
         "defect_ppm_target": "500", "notes": "",
         "invoice_quantity_tolerance": "0", "invoice_price_tolerance_pct": "0.5",
         "rules-TOTAL_FORMS": "0", "rules-INITIAL_FORMS": "0",
         "price_tiers-TOTAL_FORMS": "0", "price_tiers-INITIAL_FORMS": "0",
         "commitments-TOTAL_FORMS": "0", "commitments-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ContractChange.objects.get()
    assert change.actor == admin_user and change.after["early_tolerance_days"] == 5
    assert timezone.now() - change.changed_at < dt.timedelta(minutes=1)


def test_deleting_a_rule_asks_first_is_audited_and_can_be_undone(contract, buyer, client_for):
    from contracts.services import contract_rule_create

    rule = contract_rule_create(contract=contract, actor=buyer, **{
        **RULE_FORM, "part": None, "threshold": 90, "amount": 10, "window_days": 90,
        "cooldown_days": 30, "is_active": True,
    })  # fmt: skip
    client = client_for(buyer)
    url = f"/contracts/C-ACME/rules/{rule.pk}/delete/"
    page = client.get("/contracts/C-ACME/").content.decode()
    assert f'href="{url}"' in page  # a link to the question, not a one-click delete
    asked = client.get(url)
    assert asked.status_code == 200 and "Delete this rule?" in asked.content.decode()
    assert client.post(url).status_code == 200  # a bare POST only asks again
    assert ContractRule.objects.filter(pk=rule.pk).exists()
    done = client.post(url, {"confirm": "yes"}, follow=True)
    assert not ContractRule.objects.filter(pk=rule.pk).exists()
    assert "Rule deleted — <button" in done.content.decode()
    deleted = ContractChange.objects.get(kind="deleted")
    assert deleted.actor == buyer and deleted.before["name"] == "OTD floor"
    client.post(f"/contracts/C-ACME/history/{deleted.pk}/restore/")
    restored = ContractRule.objects.get(pk=rule.pk)
    assert (restored.name, restored.threshold) == ("OTD floor", 90)
    assert ContractChange.objects.order_by("-id").first().kind == "created"
    again = client.post(f"/contracts/C-ACME/history/{deleted.pk}/restore/", follow=True)
    assert "Nothing to restore" in again.content.decode()


@pytest.mark.parametrize(
    "metric, threshold",
    [
        ("defect_ppm", "-5"),
        ("otd_pct", "120"),
        ("otif_pct", "-1"),
        ("composite_score", "101"),
        ("lead_time_mean_days", "-3"),
        ("landed_cost_index", "-0.5"),
    ],
)
def test_a_threshold_that_makes_no_sense_is_refused(contract, buyer, client_for, metric, threshold):
    response = client_for(buyer).post(
        "/contracts/C-ACME/rules/new/", {**RULE_FORM, "metric": metric, "threshold": threshold}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["threshold"]
    assert not ContractRule.objects.exists()


def test_the_history_reads_as_sentences(contract, buyer, client_for):
    from contracts.services import contract_rule_create, contract_rule_update

    rule = contract_rule_create(contract=contract, actor=buyer, **{
        **RULE_FORM, "part": None, "threshold": 90, "amount": 10, "window_days": 90,
        "cooldown_days": 30, "is_active": True,
    })  # fmt: skip
    contract_rule_update(rule=rule, actor=buyer, threshold=85, cooldown_days=14)
    page = client_for(buyer).get("/contracts/C-ACME/").content.decode()
    assert "Rule &#x27;OTD floor&#x27; created: threshold 90 %, amount 10" in page
    assert (
        "Rule &#x27;OTD floor&#x27; changed: threshold 90 % → 85 %; cooldown 30 days → 14 days"
        in page
    )
    assert "contractrule" not in page and "window_days" not in page
