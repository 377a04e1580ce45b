"""In the browser: deleting a contract rule asks first and can be undone; a buyer decides
several exceptions with one click."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import ContractRule
from rules.models import AllocationException
from rules.services import rules_evaluate
from scorecards.models import SupplierScorecard
from tests.factories import PASSWORD, ApprovedSourceFactory, ContractFactory, PartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _rule(contract, **fields):
    values = {
        "contract": contract, "name": "OTD floor", "metric": "otd_pct",
        "window": "rolling_days", "window_days": 90, "comparator": "lt",
        "threshold": Decimal("90"), "action": "shift_share", "amount": Decimal("65"),
        "cooldown_days": 30,
    }  # fmt: skip
    values.update(fields)
    return ContractRule.objects.create(**values)


def test_deleting_a_rule_asks_first_and_can_be_undone(page, live_server, buyer, supplier_a):
    ApprovedSourceFactory(supplier=supplier_a)
    contract = ContractFactory(supplier=supplier_a, reference="C-ACME")
    rule = _rule(contract)
    _login(page, live_server)
    page.goto(f"{live_server.url}/contracts/C-ACME/")
    page.click("table.rules >> text=Delete…")
    assert "Delete this rule?" in page.locator("h1").inner_text()
    page.click("text=Cancel")
    assert ContractRule.objects.filter(pk=rule.pk).exists()
    page.click("table.rules >> text=Delete…")
    page.click("text=Yes, delete")
    page.wait_for_selector("#undo-delete")
    assert not ContractRule.objects.filter(pk=rule.pk).exists()
    assert "Rule deleted" in page.locator("#undo-delete").inner_text()
    page.click("#undo-delete >> text=Undo")
    page.wait_for_selector("text=Restored the rule")
    assert ContractRule.objects.get(pk=rule.pk).name == "OTD floor"


def test_a_buyer_approves_several_exceptions_with_one_click(
    page, live_server, buyer, supplier_a, supplier_b
):
    contract = ContractFactory(supplier=supplier_a, reference="C-ACME")
    for number in ("P-100", "P-200"):
        part = PartFactory(number=number)
        ApprovedSourceFactory(part=part, supplier=supplier_a, target_share_pct=Decimal("80"),
                              min_share_pct=Decimal("20"), max_share_pct=Decimal("90"))  # fmt: skip
        ApprovedSourceFactory(part=part, supplier=supplier_b, target_share_pct=Decimal("20"),
                              min_share_pct=Decimal("10"), max_share_pct=Decimal("80"))  # fmt: skip
    _rule(contract)
    today = timezone.localdate()
    SupplierScorecard.objects.create(
        supplier=supplier_a, period="rolling-90", period_start=today - dt.timedelta(days=89),
        period_end=today, computed_at=timezone.now(), lines_due=20, receipts_count=20,
        inspections_count=20, priced_receipts_count=20, otd_pct=82.0,
    )  # fmt: skip
    rules_evaluate(as_of=today)
    assert AllocationException.objects.filter(state="open").count() == 2
    _login(page, live_server)
    page.goto(f"{live_server.url}/exceptions/")
    for box in page.locator("input[name=ids][form=bulk-decide]").all():
        box.check()
    page.click("text=Approve selected")
    page.wait_for_selector("text=2 exception(s) approved")
    assert set(AllocationException.objects.values_list("state", flat=True)) == {"approved"}
