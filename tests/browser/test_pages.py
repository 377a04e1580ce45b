import datetime as dt

import pytest

from scorecards.services import scorecard_recompute
from tests.factories import PASSWORD, PurchaseOrderLineFactory, ReceiptFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_trend_chart_draws_offline_from_the_portals_own_static_files(
    page, live_server, buyer, supplier_a
):
    for month in (1, 2, 3):
        line = PurchaseOrderLineFactory(
            purchase_order__supplier=supplier_a, requested_date=dt.date(2026, month, 10)
        )
        ReceiptFactory(line=line)
    scorecard_recompute(as_of=dt.date(2026, 3, 31))
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/suppliers/ACME/")
    page.wait_for_selector("#trend .main-svg")  # plotly drew the chart
    assert page.locator("#trend .scatterlayer .trace").count() >= 3
    assert outside == []
