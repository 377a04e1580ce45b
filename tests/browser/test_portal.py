import datetime as dt

import pytest

from purchasing.models import ShipNotice
from tests.factories import PASSWORD, PurchaseOrderFactory, PurchaseOrderLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contact_acknowledges_two_lines_at_once_and_posts_a_ship_notice(
    page, live_server, contact_a, supplier_a
):
    # The live server runs on today's date: a contact confirms only dates from today on.
    today = dt.date.today()
    order = PurchaseOrderFactory(number="PO-77", supplier=supplier_a, order_date=today)
    first, second = (
        PurchaseOrderLineFactory(
            purchase_order=order, line_number=n, requested_date=today + dt.timedelta(days=10 + n)
        )
        for n in (1, 2)
    )
    later = today + dt.timedelta(days=20)
    page.goto(f"{live_server.url}/login/?next=/portal/")
    page.fill("#id_username", "contact_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#waiting-count")
    assert page.inner_text("#waiting-count") == "2"

    page.click("text=Lines to acknowledge")
    page.check(f"#line-{first.pk}")
    page.check(f"#line-{second.pk}")
    page.fill(f"input[name=date_{second.pk}]", later.isoformat())
    page.click("text=Acknowledge selected lines")
    page.wait_for_selector(".messages")
    assert "2 line(s) confirmed" in page.inner_text(".messages")
    assert "Nothing to acknowledge." in page.content()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.promised_date == today + dt.timedelta(days=11)
    assert second.promised_date == later

    page.goto(f"{live_server.url}/portal/ship-notices/new/")
    page.fill("#id_number", "ASN-900")
    page.fill("#id_ship_date", today.isoformat())
    page.fill("#id_eta", (today + dt.timedelta(days=4)).isoformat())
    page.fill("#id_carrier", "Rhenus")
    page.fill("#id_tracking_number", "RH-123")
    page.fill(f"input[name=qty_{first.pk}]", "100")
    page.fill(f"input[name=qty_{second.pk}]", "25")
    page.click("text=Send ship notice")
    page.wait_for_selector("#asn-eta")
    assert "Ship notice ASN-900" in page.inner_text("h1")
    assert "PO-77/2" in page.content()
    notice = ShipNotice.objects.get(number="ASN-900")
    assert notice.supplier == supplier_a and notice.lines.count() == 2
    assert sorted(notice.lines.values_list("quantity", flat=True)) == [25, 100]
