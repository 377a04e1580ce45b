"""A contact of ACME asks for BOLT's things by every portal field and link: nothing of
BOLT comes back, neither figures, names, numbers nor files."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from scorecards.models import SupplierScorecard
from suppliers.models import Certificate, EsgAssessment
from suppliers.selectors import esg_assessments_visible
from tests.factories import (
    ApprovedSourceFactory,
    InspectionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
)

pytestmark = pytest.mark.django_db


def _card(supplier, **figures):
    return SupplierScorecard.objects.create(
        supplier=supplier,
        period=figures.pop("period", "rolling-90"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        computed_at=timezone.now(),
        **figures,
    )


@pytest.fixture
def bolt_world(supplier_a, supplier_b):
    """A part both suppliers make; BOLT has its own order, receipt and inspection."""
    part = PartFactory(number="P-SHARED")
    ApprovedSourceFactory(part=part, supplier=supplier_a, target_share_pct=60)
    ApprovedSourceFactory(part=part, supplier=supplier_b, target_share_pct=40, unit_price="7.7700")
    own = PurchaseOrderLineFactory(
        purchase_order=PurchaseOrderFactory(number="PO-ACME", supplier=supplier_a), part=part
    )
    theirs = PurchaseOrderLineFactory(
        purchase_order=PurchaseOrderFactory(number="PO-BOLT", supplier=supplier_b), part=part
    )
    receipt = ReceiptFactory(number="GR-BOLT", line=theirs)
    InspectionFactory(receipt=receipt, defect_codes=["BOLT-CRACK"], defective_quantity=3)
    ReceiptFactory(number="GR-ACME", line=own)
    Certificate.objects.create(
        supplier=supplier_b, kind="iso_9001", number="CERT-BOLT", valid_until=dt.date(2026, 1, 9)
    )
    EsgAssessment.objects.create(
        supplier=supplier_b,
        answered_on=dt.date(2026, 1, 1),
        emissions_score=1,
        waste_score=1,
        labour_score=1,
        traceability_score=1,
        comments="BOLT-ESG-SECRET",
    )
    _card(supplier_a, otd_pct=91.25, composite_score=77.0, grade="B", landed_cost_index=1.0832)
    _card(supplier_b, otd_pct=45.5, composite_score=31.0, grade="D", landed_cost_index=0.9123)
    _card(supplier_b, period="2026-02", otd_pct=44.4)
    return theirs


SECRETS = [b"BOLT", b"Bolt Forge", b"45.5", b"7.77", b"0.91", b"BOLT-CRACK", b"40.00"]

PAGES = [
    "/portal/",
    "/portal/lines/",
    "/portal/lines/?purchase_order=PO-BOLT",
    "/portal/lines/?part=P-SHARED",
    "/portal/lines/acknowledge/?show=all",
    "/portal/ship-notices/",
    "/portal/ship-notices/new/",
    "/portal/receipts/",
    "/portal/receipts/?purchase_order=PO-BOLT",
    "/portal/receipts/?number=GR-BOLT",
    "/portal/receipts/?supplier=BOLT",
    "/portal/inspections/",
    "/portal/inspections/?receipt=GR-BOLT",
    "/portal/inspections/?supplier=BOLT",
    "/portal/scorecard/",
    "/portal/certificates/",
    "/portal/esg/",
    "/portal/colleagues/",
    "/portal/account/",
    "/messages/",
    "/messages/?supplier=BOLT",
]


@pytest.mark.parametrize("url", PAGES)
def test_no_portal_page_shows_anything_of_the_other_supplier(portal_a, bolt_world, url):
    response = portal_a.get(url)
    assert response.status_code in (200, 400), url
    body = response.content
    # Search boxes echo what was typed; the rows must not contain it.
    for echoed in (b'value="PO-BOLT"', b'value="GR-BOLT"', b'value="BOLT"'):
        body = body.replace(echoed, b"")
    # So do the list's download links (the same filters, as typed).
    for pair in url.partition("?")[2].split("&"):
        if pair:
            body = body.replace(pair.encode(), b"")
    for secret in SECRETS:
        assert secret not in body, (url, secret)


def test_the_scorecard_shows_own_figures_without_the_landed_cost_index(portal_a, bolt_world):
    page = portal_a.get("/portal/scorecard/").content.decode()
    assert "91.2" in page and "77" in page
    assert "Landed cost" not in page and "1.08" not in page
    assert "weight" not in page.lower()


def test_objects_of_the_other_supplier_answer_404(portal_a, bolt_world):
    theirs = bolt_world
    certificate = Certificate.objects.get(number="CERT-BOLT")
    for url in (
        f"/portal/lines/{theirs.pk}/",
        f"/certificates/{certificate.pk}/document/",
        "/messages/new/?purchase_order=PO-BOLT",
    ):
        assert portal_a.get(url).status_code == 404, url


def test_the_buyer_sees_each_suppliers_esg_answers(client, buyer, bolt_world, supplier_b):
    history = list(esg_assessments_visible(user=buyer, supplier_id=supplier_b.pk))
    html = render_to_string("suppliers/_esg_summary.html", {"esg_history": history})
    assert "BOLT-ESG-SECRET" in html


def test_scorecard_figures_open_the_rows_behind_them(portal_a, bolt_world, supplier_a):
    page = portal_a.get("/portal/scorecard/").content.decode()
    assert (
        "/portal/lines/?promised_date_after=2026-01-01&amp;promised_date_before=2026-03-31" in page
    )
    assert "/portal/inspections/?inspection_date_after=2026-01-01" in page
    assert "/portal/receipts/?receipt_date_after=2026-01-01" in page
    inside = PurchaseOrderLineFactory(
        purchase_order=PurchaseOrderFactory(number="PO-IN", supplier=supplier_a),
        requested_date=dt.date(2026, 2, 1),
    )
    PurchaseOrderLineFactory(
        purchase_order=PurchaseOrderFactory(number="PO-OUT", supplier=supplier_a),
        requested_date=dt.date(2026, 6, 1),
    )
    rows = portal_a.get(
        "/portal/lines/?promised_date_after=2026-01-01&promised_date_before=2026-03-31"
    ).content
    assert f"/portal/lines/{inside.pk}/".encode() in rows
    assert b"PO-OUT" not in rows and b"PO-BOLT" not in rows
