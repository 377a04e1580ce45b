"""Assessments, certificates (kinds, filters, renewal), ESG answers and the supplier read
fields through /api/v1/; contacts see only their own, and only the outcome."""

import datetime as dt
from decimal import Decimal

import pytest

from suppliers.models import Certificate, QualificationAssessment
from tests.factories import passed_assessment

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
ALL_FOUR = {
    "financial_stability": "4",
    "quality_system": "3.5",
    "spare_capacity": "3",
    "cultural_fit": "2",
    "esg": "4",
}


def test_open_score_and_submit_an_assessment(api_for, supplier_a, buyer):
    api = api_for(buyer)
    response = api.post(
        "/api/v1/assessments/",
        {
            "supplier": "ACME",
            "scores": {"financial_stability": "4", "quality_system": "3.5"},
            "comments": {"quality_system": "Audit found two minor gaps."},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["passed"] is False
    assert body["assessed_by"] == "buyer"
    url = f"/api/v1/assessments/{body['id']}/"
    response = api.patch(
        url, {"scores": {"spare_capacity": 3, "cultural_fit": 2, "esg": 4}}, format="json"
    )
    assert response.status_code == 200
    # (25·4 + 30·3.5 + 20·3 + 10·2 + 15·4) / 100 = 3.45
    response = api.post(f"{url}submit/")
    assert response.status_code == 200
    assert response.json()["weighted_score"] == "3.45" and response.json()["passed"] is True
    response = api.patch(url, {"scores": {"esg": 1}}, format="json")
    assert response.status_code == 400 and "never edited" in str(response.json())
    assert api.post(f"{url}submit/").status_code == 400


def test_a_knock_out_is_named_in_the_outcome(api_for, supplier_a, buyer):
    scores = dict(ALL_FOUR, financial_stability="5", quality_system="1.5")
    response = api_for(buyer).post(
        "/api/v1/assessments/",
        {"supplier": "ACME", "scores": scores, "state": "submitted"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["passed"] is False
    assert "knocked out: Quality system 1.5" in response.json()["reason"]


@pytest.mark.parametrize(
    ("scores", "message"),
    [({"quality_system": "6"}, "0 to 5"), ({"quality_system": "2.3"}, "half"), ({"x": 1}, "")],
)
def test_bad_scores_are_a_400(api_for, supplier_a, buyer, scores, message):
    response = api_for(buyer).post(
        "/api/v1/assessments/", {"supplier": "ACME", "scores": scores}, format="json"
    )
    assert response.status_code == 400
    assert not QualificationAssessment.objects.exists()


def test_contacts_read_their_own_outcome_only(api_for, supplier_a, supplier_b, contact_a, buyer):
    own = passed_assessment(supplier_a, assessed_by=buyer)
    own.scores.filter(criterion__code="esg").update(comment="Internal: weak on scope 3")
    other = passed_assessment(supplier_b, assessed_by=buyer)
    api = api_for(contact_a)
    listed = api.get("/api/v1/assessments/").json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert listed[0]["passed"] is True and listed[0]["weighted_score"] == "4.00"
    assert "comments_by_criterion" not in listed[0] and "assessed_by" not in listed[0]
    assert "scope 3" not in str(listed)
    assert api.get(f"/api/v1/assessments/{other.pk}/").status_code == 404
    response = api.post("/api/v1/assessments/", {"supplier": "ACME"}, format="json")
    assert response.status_code == 403


def test_viewer_reads_but_does_not_assess(api_for, supplier_a, viewer):
    assert api_for(viewer).get("/api/v1/assessments/").status_code == 200
    response = api_for(viewer).post("/api/v1/assessments/", {"supplier": "ACME"}, format="json")
    assert response.status_code == 403


def test_suppliers_api_reads_qualification_and_esg_scores(api_for, supplier_a, buyer):
    passed_assessment(supplier_a, assessed_by=buyer)
    api_for(buyer).post(
        "/api/v1/esg-answers/",
        {
            "supplier": "ACME",
            "emissions_kg_co2e_per_eur": "0.55",
            "waste_recycled_pct": "55",
            "labour": "code_of_conduct",
            "traceability_pct": "80",
            "evidence_date": str(TODAY - dt.timedelta(days=30)),
        },
        format="json",
    )
    row = api_for(buyer).get("/api/v1/suppliers/ACME/").json()
    assert (row["qualification_score"], row["esg_score"]) == (4.0, 57.5)
    listed = api_for(buyer).get("/api/v1/suppliers/").json()["results"]
    assert listed[0]["esg_score"] == 57.5


# --- certificates -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ISO 9001", "iso9001", "ISO-9001", "iso_9001"])
def test_certificate_kinds_are_stored_as_codes(api_for, supplier_a, buyer, kind):
    response = api_for(buyer).post(
        "/api/v1/certificates/",
        {"supplier": "ACME", "kind": kind, "number": "Q-1", "valid_until": "2027-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "iso_9001"
    assert Certificate.objects.get().kind == "iso_9001"


def test_an_unknown_certificate_kind_is_a_400_naming_accepted_ones(api_for, supplier_a, buyer):
    response = api_for(buyer).post(
        "/api/v1/certificates/",
        {"supplier": "ACME", "kind": "ISO 9002", "number": "Q-1", "valid_until": "2027-01-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "ISO 9001, IATF 16949" in response.json()["kind"][0]


def test_certificate_filters(api_for, supplier_a, supplier_b, buyer):
    for supplier, kind, until in (
        (supplier_a, "iso_9001", dt.date(2026, 3, 1)),
        (supplier_a, "iatf_16949", dt.date(2027, 3, 1)),
        (supplier_b, "iso_9001", dt.date(2026, 5, 1)),
    ):
        Certificate.objects.create(supplier=supplier, kind=kind, number="N", valid_until=until)
    api = api_for(buyer)

    def numbers(query):
        response = api.get(f"/api/v1/certificates/?{query}")
        assert response.status_code == 200, response.json()
        return sorted((r["supplier"], r["kind"]) for r in response.json()["results"])

    assert numbers("supplier=ACME") == [("ACME", "iatf_16949"), ("ACME", "iso_9001")]
    assert numbers("kind=ISO%209001") == [("ACME", "iso_9001"), ("BOLT", "iso_9001")]
    assert numbers("kind=IATF16949&supplier=acme") == [("ACME", "iatf_16949")]
    assert numbers("valid_until__lte=2026-04-01") == [("ACME", "iso_9001")]
    response = api.get("/api/v1/certificates/?kind=ISO%209002")
    assert response.status_code == 400


def test_contact_certificates_are_its_own(api_for, supplier_a, supplier_b, contact_a):
    Certificate.objects.create(
        supplier=supplier_b, kind="iso_9001", number="B", valid_until=dt.date(2027, 1, 1)
    )
    response = api_for(contact_a).get("/api/v1/certificates/?supplier=BOLT")
    assert response.status_code == 200 and response.json()["results"] == []


# --- ESG answers --------------------------------------------------------------------------


def test_a_contact_posts_its_own_esg_answers_and_never_sees_another(
    api_for, supplier_a, supplier_b, contact_a, buyer
):
    body = {"waste_recycled_pct": "90", "labour": "audit", "evidence_date": str(TODAY)}
    refused = api_for(contact_a).post("/api/v1/esg-answers/", body | {"supplier": "BOLT"}, "json")
    assert refused.status_code == 400 and "No supplier" in str(refused.json())
    response = api_for(contact_a).post("/api/v1/esg-answers/", body, format="json")
    assert response.status_code == 201
    assert response.json()["supplier"] == "ACME" and response.json()["esg_score"] == 100.0
    other = api_for(buyer).post("/api/v1/esg-answers/", body | {"supplier": "BOLT"}, "json")
    assert other.status_code == 201
    listed = api_for(contact_a).get("/api/v1/esg-answers/").json()["results"]
    assert [row["supplier"] for row in listed] == ["ACME"]
    assert api_for(contact_a).get(f"/api/v1/esg-answers/{other.json()['id']}/").status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"waste_recycled_pct": "120"},
        {"labour": "maybe"},
        {"emissions_kg_co2e_per_eur": "-1"},
        {"evidence_date": "2099-01-01"},
    ],
)
def test_bad_esg_answers_are_a_400(api_for, supplier_a, buyer, bad):
    response = api_for(buyer).post(
        "/api/v1/esg-answers/", {"supplier": "ACME"} | bad, format="json"
    )
    assert response.status_code == 400


def test_stale_answers_count_half_in_the_api(api_for, supplier_a, buyer):
    response = api_for(buyer).post(
        "/api/v1/esg-answers/",
        {
            "supplier": "ACME",
            "traceability_pct": "80",
            "evidence_date": str(TODAY - dt.timedelta(days=800)),
        },
        format="json",
    )
    assert response.json()["esg_score"] == 40.0 and response.json()["stale"] is True
    assert Decimal(str(api_for(buyer).get("/api/v1/suppliers/ACME/").json()["esg_score"])) == 40


# --- countries and currencies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"), [("DE", "DE"), ("de", "DE"), ("Germany", "DE"), ("GERMANY", "DE")]
)
def test_country_codes_and_english_names(api_for, buyer, sent, stored):
    response = api_for(buyer).post(
        "/api/v1/suppliers/",
        {"code": "NEW", "name": "New", "country": sent, "currency": "eur"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["country"], response.json()["currency"]) == (stored, "EUR")


@pytest.mark.parametrize("country", ["Germanyy", "DEU1", "Atlantis", "G"])
def test_a_country_that_is_not_a_code_or_name_is_a_400(api_for, buyer, country):
    response = api_for(buyer).post(
        "/api/v1/suppliers/",
        {"code": "NEW", "name": "New", "country": country, "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 400 and "country" in response.json()
