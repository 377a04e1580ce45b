"""Each page's query count is pinned, and is the same for 2 suppliers as for 20
(docs/performance.md).

Counts include the session and user look-ups of the request. A change here is a change
of a page's cost: look at the new queries before updating a number.
"""

import pytest

from purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db

QUERIES = {
    "/": 15,  # + the invoices' automation-rate figures, the planning slot
    "/suppliers/": 7,
    "/suppliers/?sort=-score&status=approved&grade=D": 7,
    # + the qualification block (gate, assessments, status history, certificates, ESG), the
    # expected OTD of its open lines and its over-delivered lines.
    "/suppliers/ACME/": 24,
    "/parts/": 5,
    "/parts/?sourcing=single": 5,
    "/parts/P-SHARED/": 15,  # + regional risk over the usable sources, stock by site
    "/orders/": 6,
    "/orders/?late=true&supplier=ACME": 7,
    "/orders/{order}/": 11,  # + ordered / received / invoiced / paid per line
    "/kpi/lines/?supplier=ACME": 8,
    "/kpi/lines/": 7,
    "/kpi/receipts/?supplier=ACME&part=P-SHARED": 8,
    "/kpi/inspections/?period=2026-03": 6,
    "/suppliers/new/": 4,
    "/orders/new/": 4,  # the delivery site choices
    "/parts/P-SHARED/edit/": 6,  # + the category picker
}


@pytest.mark.parametrize("data", ["supply_base", "many_suppliers"])
@pytest.mark.parametrize("url", QUERIES)
def test_page_query_counts_are_pinned_and_do_not_grow_with_the_data(
    request, client_for, buyer, django_assert_num_queries, data, url
):
    request.getfixturevalue(data)
    order = PurchaseOrder.objects.filter(supplier__code="ACME").order_by("number").first()
    client = client_for(buyer)
    client.get("/")  # the role and session are cached from here on, as in production
    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url.format(order=order.number))
    assert response.status_code == 200
