"""A buyer edits a contract rule in the browser; the contract page shows who changed what."""

import pytest

from contracts.models import ContractChange, ContractRule
from tests.factories import PASSWORD, ApprovedSourceFactory, ContractFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rule_edited_in_the_browser_is_explained_and_audited(
    page, live_server, buyer, supplier_a
):
    ApprovedSourceFactory(supplier=supplier_a)
    ContractFactory(supplier=supplier_a, reference="C-ACME")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/contracts/C-ACME/rules/new/")
    page.fill("#id_name", "OTD floor")
    page.select_option("#id_metric", "otd_pct")
    page.select_option("#id_comparator", "lt")
    page.fill("#id_threshold", "90")
    page.select_option("#id_action", "shift_share")
    page.fill("#id_amount", "10")
    page.click("button[name=preview]")
    sentence = page.locator("#rule-sentence").inner_text()
    assert sentence.startswith("If Acme Castings's 90-day OTD falls below 90 %, move 10 points")
    assert not ContractRule.objects.exists()

    page.click("text=Save rule")
    page.wait_for_url(f"{live_server.url}/contracts/C-ACME/")
    assert "at most once every 30 days" in page.locator("table.rules").inner_text()
    history = page.locator("table.history").inner_text()
    assert "buyer" in history and "Rule 'OTD floor' created: threshold" in history
    assert ContractChange.objects.get(object_type="contractrule").actor == buyer


def test_the_sentence_follows_the_form_as_it_is_filled_in(page, live_server, buyer, supplier_a):
    ApprovedSourceFactory(supplier=supplier_a)
    ContractFactory(supplier=supplier_a, reference="C-ACME")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/contracts/C-ACME/rules/new/")
    page.fill("#id_name", "Quality gate")
    page.select_option("#id_metric", "defect_ppm")
    page.select_option("#id_comparator", "gt")
    page.fill("#id_threshold", "5000")
    page.select_option("#id_action", "hold")
    page.locator("#id_cooldown_days").fill("14")
    page.locator("#id_cooldown_days").dispatch_event("change")
    sentence = page.locator("#rule-sentence")
    sentence.filter(has_text="on hold").wait_for()
    assert "defect rate rises above 5000 PPM" in sentence.inner_text()
    assert "at most once every 14 days" in sentence.inner_text()
    assert not ContractRule.objects.exists()
