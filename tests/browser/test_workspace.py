"""A buyer's day in the browser: dashboard, a supplier, a part, the rows behind a figure,
and a new purchase order, with every chart drawn, nothing fetched from outside the
portal and no error in the console. Screenshots go to var/screenshots/ (CI artifacts)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from purchasing.models import PurchaseOrder
from scorecards import kpis
from scorecards.models import ScorecardTemplate, SupplierScorecard
from scorecards.services import scorecard_recompute
from tests.factories import PASSWORD, ApprovedSourceFactory, PartFactory
from tests.workspace.conftest import deliveries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def portfolio(supplier_a, supplier_b):
    # Transactional tests flush the table the migrations seeded with the default template.
    ScorecardTemplate.objects.get_or_create(is_default=True, defaults={"name": "Standard"})
    part = PartFactory(number="P-SHARED", name="Shared bracket")
    ApprovedSourceFactory(part=part, supplier=supplier_a, target_share_pct=Decimal("60"))
    ApprovedSourceFactory(part=part, supplier=supplier_b, target_share_pct=Decimal("40"))
    for month in (1, 2, 3):
        deliveries(supplier_a, part, month=month, delays=[0, 0, 1, -1, 0])
        deliveries(supplier_b, part, month=month, delays=[2, 5, 0], defective="3")
    scorecard_recompute(as_of=dt.date(2026, 3, 31))
    return part


def charts_drawn(page) -> int:
    """Wait until plotly drew every chart of the page; the number of charts."""
    charts = page.locator("[data-figure]:not(.chart-empty)")
    count = charts.count()
    for index in range(count):
        charts.nth(index).locator(".main-svg").first.wait_for()
    return count


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_buyer_works_through_the_workspace_offline(page, live_server, buyer, portfolio):
    outside, errors = [], []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#tiles")
    assert charts_drawn(page) == 2
    shot(page, "dashboard")

    page.click("nav >> text=Suppliers")
    page.click("table#suppliers >> text=BOLT")
    page.wait_for_selector("#tiles")
    assert charts_drawn(page) == 6
    shot(page, "supplier")

    # The OTD figure leads to exactly the lines behind it.
    page.click("#tiles .tile:first-child a")
    page.wait_for_selector("table#rows")
    card = SupplierScorecard.objects.get(supplier__code="BOLT", period=kpis.ROLLING_PERIOD)
    assert page.locator("table#rows tbody tr").count() == card.lines_due
    shot(page, "drilldown")

    page.goto(f"{live_server.url}/parts/P-SHARED/")
    assert charts_drawn(page) == 4
    assert page.locator("#charts .boxlayer .trace").count() == 2  # a lead-time box per source
    shot(page, "part")

    page.goto(f"{live_server.url}/orders/new/?supplier=ACME")
    page.fill("#id_number", "PO-BROWSER")
    page.fill("#id_order_date", "2026-04-01")
    page.fill("#id_lines-0-part", "P-SHARED")
    page.fill("#id_lines-0-quantity", "250")
    page.fill("#id_lines-0-unit_price", "9.75")
    page.fill("#id_lines-0-requested_date", "2026-05-04")
    page.click("button:has-text('Create order')")
    page.wait_for_selector("h1:has-text('PO-BROWSER')")
    shot(page, "order")
    order = PurchaseOrder.objects.get(number="PO-BROWSER")
    assert (order.supplier.code, order.currency, order.lines.count()) == ("ACME", "EUR", 1)

    # A tablet in portrait: the menu folds, nothing runs off the side of the page.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/")
    assert charts_drawn(page) == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not page.locator("nav.mainnav").is_visible()
    page.click("label.nav-toggle-label")
    assert page.locator("nav.mainnav").is_visible()
    shot(page, "dashboard-tablet")

    assert outside == []
    assert errors == []
