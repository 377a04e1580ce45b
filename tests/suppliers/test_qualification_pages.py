"""The buyer's qualification pages and the contact's portal view of its own outcome and
ESG score."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parts.category_services import part_category_create
from suppliers.models import EsgAssessment, QualificationAssessment, Supplier
from tests.factories import ApprovedSourceFactory, PartFactory, SupplierFactory, passed_assessment

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
PDF = b"%PDF-1.4\n%%EOF\n"
CODES = ["cultural_fit", "esg", "financial_stability", "quality_system", "spare_capacity"]


@pytest.fixture
def qualified(buyer):
    """QUAL: qualified, sources a Fasteners part (ISO 9001 required), assessed by `buyer`."""
    supplier = SupplierFactory(code="QUAL", name="Qual GmbH", status=Supplier.Status.QUALIFIED)
    category = part_category_create(
        code="fasteners", name="Fasteners", required_certificates=["iso9001"]
    )
    ApprovedSourceFactory(part=PartFactory(category=category), supplier=supplier)
    passed_assessment(supplier, assessed_by=buyer)
    return supplier


def test_the_supplier_page_shows_the_gate_history_and_certificates(client_for, viewer, qualified):
    page = client_for(viewer).get(reverse("suppliers:detail", args=["QUAL"])).content.decode()
    assert (
        "Qualified; to approve: ISO 9001 missing for category Fasteners; needs a second buyer"
        in page
    )
    assert 'id="assessments"' in page and "4.00" in page and "passed" in page
    assert 'id="certificates-required"' in page and "missing" in page
    assert "no assessment on file" not in page


def test_a_buyer_opens_saves_and_submits_an_assessment(client_for, buyer, supplier_a):
    client = client_for(buyer)
    form = {"assessed_on": str(TODAY), "category": "", "notes": "Site visit"}
    form |= {f"score_{code}": "4" for code in CODES}
    form["score_quality_system"] = "1.5"
    form["comment_quality_system"] = "No documented process control."
    form["evidence_quality_system"] = SimpleUploadedFile("audit.pdf", PDF, "application/pdf")
    response = client.post(
        reverse("suppliers:assessment_create", args=["ACME"]), form | {"draft": ""}
    )
    assert response.status_code == 302
    assessment = QualificationAssessment.objects.get()
    assert assessment.state == "draft" and assessment.assessed_by == buyer
    score = assessment.scores.get(criterion__code="quality_system")
    assert score.evidence_name == "audit.pdf" and score.evidence_content_type == "application/pdf"
    edit = reverse("suppliers:assessment_edit", args=["ACME", assessment.pk])
    form.pop("evidence_quality_system")
    response = client.post(edit, form | {"submit": ""})
    assert response.status_code == 302
    detail = client.get(reverse("suppliers:assessment", args=["ACME", assessment.pk]))
    page = detail.content.decode()
    assert "failed" in page and "knocked out" in page and "No documented process control" in page
    # Submitted: the edit page sends back to the outcome.
    assert client.get(edit).status_code == 302


def test_a_bad_score_or_file_is_shown_on_the_form(client_for, buyer, supplier_a):
    form = {"assessed_on": str(TODAY), "score_esg": "7", "draft": ""}
    response = client_for(buyer).post(reverse("suppliers:assessment_create", args=["ACME"]), form)
    assert response.status_code == 400
    form = {
        "assessed_on": str(TODAY),
        "evidence_esg": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/pdf"),
    }
    response = client_for(buyer).post(reverse("suppliers:assessment_create", args=["ACME"]), form)
    assert response.status_code == 400 and "PDF, PNG or JPEG" in response.content.decode()
    assert not QualificationAssessment.objects.exists()


def test_permissions_on_assessment_pages(client_for, viewer, contact_a, supplier_b, buyer):
    other = passed_assessment(supplier_b, assessed_by=buyer)
    create = reverse("suppliers:assessment_create", args=["BOLT"])
    detail = reverse("suppliers:assessment", args=["BOLT", other.pk])
    assert client_for(viewer).get(create).status_code == 403
    assert client_for(viewer).get(detail).status_code == 200
    client_for(contact_a)
    assert client_for(contact_a).get(detail).status_code == 404
    assert client_for(contact_a).get(create).status_code == 404
    assert client_for(contact_a).get(reverse("suppliers:requalification")).status_code == 404


def test_the_requalification_list(client_for, viewer):
    soon = SupplierFactory(code="SOON")
    passed_assessment(soon, assessed_on=TODAY - dt.timedelta(days=300))
    passed_assessment(SupplierFactory(code="FRESH"), assessed_on=TODAY - dt.timedelta(days=10))
    page = client_for(viewer).get(reverse("suppliers:requalification")).content.decode()
    assert "SOON" in page and "FRESH" not in page


def test_the_portal_shows_the_own_outcome_without_comments(
    client_for, contact_a, supplier_a, supplier_b, buyer
):
    own = passed_assessment(supplier_a, assessed_by=buyer)
    own.scores.filter(criterion__code="esg").update(comment="Internal note about ACME")
    passed_assessment(supplier_b, assessed_by=buyer, score="2")
    page = client_for(contact_a).get(reverse("portal:qualification")).content.decode()
    assert "4.00" in page and "passed" in page
    assert "Internal note" not in page and "buyer" not in page and "2.00" not in page


def test_the_portal_esg_page_scores_and_says_what_would_raise_it(client_for, contact_a, supplier_a):
    client = client_for(contact_a)
    response = client.post(
        reverse("portal:esg"),
        {
            "emissions_kg_co2e_per_eur": "0.55",
            "waste_recycled_pct": "55",
            "labour": "code_of_conduct",
            "traceability_origin_known_pct": "80",
            "evidence_date": str(TODAY - dt.timedelta(days=800)),
            "evidence": SimpleUploadedFile("esg.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    answer = EsgAssessment.objects.get(supplier=supplier_a)
    assert answer.evidence_name == "esg.pdf"
    page = client.get(reverse("portal:esg")).content.decode()
    # (50 + 50 + 50 + 80) / 4 = 57.5, halved for evidence older than 24 months.
    assert "Your ESG score: 29 / 100" in page
    assert "older evidence counts half" in page and "SA8000 or ISO 45001" in page
    scorecard = client.get(reverse("portal:scorecard")).content.decode()
    assert 'id="esg-tile"' in scorecard


def test_the_esg_weight_enters_the_composite(supplier_a, buyer):
    """With weight 0 (the default) the composite ignores ESG; with weight 100 against the
    others' 100 it counts half."""
    from scorecards.models import ScorecardTemplate, SupplierScorecard
    from scorecards.services import scorecard_recompute
    from tests.factories import PurchaseOrderLineFactory, ReceiptFactory

    template = ScorecardTemplate.objects.get(is_default=True)
    ScorecardTemplate.objects.filter(pk=template.pk).update(
        defect_ppm_weight=0, lead_time_weight=0, landed_cost_weight=0, otd_weight=100
    )
    line = PurchaseOrderLineFactory(purchase_order__supplier=supplier_a)
    ReceiptFactory(line=line)  # on time in full: OTD 100 → criterion score 100
    EsgAssessment.objects.create(
        supplier=supplier_a,
        answered_on=TODAY,
        waste_recycled_pct=Decimal("20"),  # 0 points
        evidence_date=TODAY,
    )
    scorecard_recompute(as_of=dt.date(2026, 3, 31))
    card = SupplierScorecard.objects.get(supplier=supplier_a, period="2026-02")
    assert card.composite_score == 100
    ScorecardTemplate.objects.filter(pk=template.pk).update(esg_weight=100)
    scorecard_recompute(as_of=dt.date(2026, 3, 31))
    card.refresh_from_db()
    assert card.composite_score == 50  # (100·100 + 100·0) / 200


def test_a_newer_certificate_renews_the_older_in_the_portal(client_for, contact_a, supplier_a):
    from suppliers.models import Certificate

    for number, until in (
        ("OLD", TODAY - dt.timedelta(days=5)),
        ("NEW", TODAY + dt.timedelta(days=400)),
    ):
        Certificate.objects.create(
            supplier=supplier_a, kind="iso_9001", number=number, valid_until=until
        )
    page = client_for(contact_a).get(reverse("portal:certificates")).content.decode()
    assert "Renewed by a newer certificate" in page and "Expired" not in page
