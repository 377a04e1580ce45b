"""Regional risk over usable sources: HHI on hand-computed cases, the filters, the API and
the page; contacts never see it."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from parts.category_services import part_category_create
from parts.models import Part
from parts.risk import hhi, shares_by, sourcing_risk
from suppliers.models import Certificate
from tests.factories import ApprovedSourceFactory, PartFactory, SupplierFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_hhi_hand_computed():
    assert hhi({"EMEA": D("100")}) == D("1.0000")
    assert hhi({"EMEA": D("50"), "APAC": D("50")}) == D("0.5000")
    # 0.6² + 0.4² = 0.36 + 0.16
    assert hhi({"EMEA": D("60"), "APAC": D("40")}) == D("0.5200")
    # 0.5² + 0.3² + 0.2² = 0.25 + 0.09 + 0.04
    assert hhi({"A": D("50"), "B": D("30"), "C": D("20")}) == D("0.3800")
    assert hhi({}) is None


def test_shares_are_rebased_over_the_usable_sources():
    # 30 + 30 usable of 100: each region holds half of what the part can count on.
    assert shares_by([("EMEA", D("30")), ("APAC", D("30"))]) == {
        "EMEA": D("50.00"),
        "APAC": D("50.00"),
    }
    assert shares_by([("EMEA", D("0")), ("EMEA", D("0"))]) == {"EMEA": D("100.00")}


@pytest.fixture
def portfolio():
    """P-EU: two EMEA sources (single-region); P-MIX: EMEA 60 / APAC 40 (DE, CN);
    P-ONE: one source; P-HELD: its second source is on hold."""
    de = SupplierFactory(code="DE1", country="DE", region="EMEA")
    fr = SupplierFactory(code="FR1", country="FR", region="EMEA")
    cn = SupplierFactory(code="CN1", country="CN", region="APAC")
    held = SupplierFactory(code="HELD", country="US", region="AMER", status="on_hold")
    category = part_category_create(code="castings", name="Castings")
    parts = {}
    for number, sources in {
        "P-EU": [(de, 70), (fr, 30)],
        "P-MIX": [(de, 60), (cn, 40)],
        "P-ONE": [(cn, 100)],
        "P-HELD": [(de, 50), (held, 50)],
    }.items():
        part = PartFactory(number=number, category=category if number == "P-MIX" else None)
        for supplier, share in sources:
            ApprovedSourceFactory(part=part, supplier=supplier, target_share_pct=D(share))
        parts[number] = part
    return parts


def _by_number(rows):
    return {r.part.number: r for r in rows}


def test_regional_risk_per_part(portfolio):
    rows = _by_number(sourcing_risk(Part.objects.all(), as_of=TODAY))
    eu, mix, one, held = rows["P-EU"], rows["P-MIX"], rows["P-ONE"], rows["P-HELD"]
    assert (eu.regions, eu.region_hhi, eu.single_region) == ({"EMEA": D("100.00")}, 1, True)
    # countries DE 70, FR 30: 0.49 + 0.09
    assert eu.country_hhi == D("0.5800") and not eu.single_sourced
    assert mix.regions == {"EMEA": D("60.00"), "APAC": D("40.00")}
    assert (mix.region_hhi, mix.single_region) == (D("0.5200"), False)
    assert one.single_sourced and not one.single_region
    # The on-hold source is not usable: P-HELD rests on DE alone.
    assert (held.usable_sources, held.countries, held.single_sourced) == (
        1,
        {"DE": D("100.00")},
        True,
    )


def test_an_expired_required_certificate_takes_the_source_out(portfolio):
    category = part_category_create(
        code="fasteners", name="Fasteners", required_certificates=["ISO 9001"]
    )
    part = portfolio["P-MIX"]
    part.category = category
    part.save()
    Certificate.objects.create(
        supplier=part.sources.get(supplier__code="CN1").supplier,
        kind="iso_9001",
        number="Q",
        valid_until=TODAY - dt.timedelta(days=1),
    )
    row = _by_number(sourcing_risk(Part.objects.filter(pk=part.pk), as_of=TODAY))["P-MIX"]
    assert row.regions == {"EMEA": D("100.00")} and row.region_hhi == 1


def test_api_lists_filters_and_ranks(api_for, buyer, portfolio):
    api = api_for(buyer)
    body = api.get("/api/v1/sourcing-risk/").json()
    numbers = [row["part"] for row in body["results"]]
    assert numbers[-1] == "P-MIX"  # the least concentrated last
    mix = body["results"][-1]
    assert mix["regions"] == {"EMEA": "60.00", "APAC": "40.00"}
    assert (mix["region_hhi"], mix["country_hhi"], mix["category"]) == (
        "0.5200",
        "0.5200",
        "castings",
    )

    def parts(query):
        return sorted(
            r["part"] for r in api.get(f"/api/v1/sourcing-risk/?{query}").json()["results"]
        )

    assert parts("single_region=true") == ["P-EU"]
    assert parts("single_sourced=true") == ["P-HELD", "P-ONE"]
    assert parts("part=P-MIX") == ["P-MIX"]
    assert parts("category=castings") == ["P-MIX"]
    assert parts("region=apac") == ["P-MIX", "P-ONE"]
    assert api.get("/api/v1/sourcing-risk/?single_region=maybe").status_code == 400


def test_contacts_and_strangers_find_no_sourcing_risk(api_for, client_for, contact_a, portfolio):
    assert api_for(contact_a).get("/api/v1/sourcing-risk/").status_code == 404
    assert client_for(contact_a).get(reverse("parts:sourcing_risk")).status_code == 404


def test_the_page_ranks_filters_and_charts(client_for, viewer, portfolio):
    response = client_for(viewer).get(reverse("parts:sourcing_risk") + "?single_region=true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "P-EU" in page and "P-MIX" not in page and "single-region" in page
    assert "vendor/plotly/plotly.min.js" in page and "cdn" not in page.lower()
    detail = client_for(viewer).get(reverse("parts:detail", args=["P-MIX"])).content.decode()
    assert "region HHI 0.5200" in detail
