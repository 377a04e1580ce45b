"""The one permission selector scopes every model for every role (SPEC §1)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import scope_for_user
from contracts.models import ContractChange, ContractRule, PriceTier, VolumeCommitment
from purchasing.models import PromiseRevision, ShipNotice, ShipNoticeLine, TransitEvent
from scorecards.models import ScorecardAssignment, ScorecardTemplate
from scorecards.services import scorecard_recompute
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
)
from suppliers.selectors import visible_suppliers
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    FxRateFactory,
    InspectionFactory,
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    UserFactory,
)

PROJECT_APPS = {
    "accounts",
    "suppliers",
    "parts",
    "contracts",
    "purchasing",
    "inventory",
    "scorecards",
    "imports",
    "demo",
}


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def scoped_models():
    return [m for m in project_models() if getattr(m, "supplier_field", None)]


def build_business(supplier, part):
    """One of everything a supplier owns, on a part it shares with the other supplier."""
    ApprovedSourceFactory(part=part, supplier=supplier, target_share_pct=Decimal("50"))
    contract = ContractFactory(supplier=supplier)
    ContractRule.objects.create(
        contract=contract,
        name="OTD floor",
        metric="otd_pct",
        comparator="lt",
        threshold=Decimal("85"),
        action="notify",
    )
    PriceTier.objects.create(
        contract=contract, part=part, min_quantity=Decimal("1000"), unit_price=Decimal("9")
    )
    VolumeCommitment.objects.create(contract=contract, part=part, min_quantity_per_year=100)
    ContractChange.objects.create(
        contract=contract, object_type="contract", object_id=contract.pk, kind="created"
    )
    line = PurchaseOrderLineFactory(purchase_order__supplier=supplier, part=part)
    PromiseRevision.objects.create(
        line=line, previous_date=line.promised_date, new_date=line.promised_date, reason="capacity"
    )
    notice = ShipNotice.objects.create(
        number=f"ASN-{part.number}",
        supplier=supplier,
        ship_date=dt.date(2026, 2, 1),
        eta=dt.date(2026, 2, 9),
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal("10"))
    TransitEvent.objects.create(
        ship_notice=notice, occurred_at=dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
    )
    InspectionFactory(receipt=ReceiptFactory(line=line))
    Certificate.objects.create(
        supplier=supplier,
        kind="iso_9001",
        number=f"Q-{part.number}",
        valid_until=dt.date(2027, 1, 1),
    )
    EsgAssessment.objects.create(
        supplier=supplier,
        answered_on=dt.date(2026, 1, 1),
        emissions_score=3,
        waste_score=3,
        labour_score=4,
        traceability_score=2,
    )
    assessment = QualificationAssessment.objects.create(
        supplier=supplier, assessed_on=dt.date(2025, 6, 1)
    )
    for criterion in QualificationCriterion.objects.all():
        QualificationScore.objects.create(
            assessment=assessment, criterion=criterion, score=4, weight=criterion.weight
        )
    part.checklist.get_or_create(code="DIM", defaults={"description": "Dimensions"})


@pytest.fixture
def business(supplier_a, supplier_b, contact_a, contact_b):
    shared_part = PartFactory(number="P-SHARED")
    build_business(supplier_a, shared_part)
    build_business(supplier_b, shared_part)
    build_business(supplier_b, PartFactory(number="P-ONLY-B"))
    FxRateFactory()
    InventoryPositionFactory(part=shared_part)
    template = ScorecardTemplate.objects.create(name="Strict", otd_target_pct=99)
    for supplier in (supplier_a, supplier_b):
        ScorecardAssignment.objects.create(supplier=supplier, template=template)
    scorecard_recompute(as_of=dt.date(2026, 3, 31))


def linked_to(model, code):
    """Primary keys of the objects linked to a supplier through the model's supplier path."""
    field = model.supplier_field
    lookup = "code" if field == "pk" else f"{field}__code"
    return set(model._default_manager.filter(**{lookup: code}).values_list("pk", flat=True))


def test_every_project_model_declares_its_supplier_path():
    missing = [m.__name__ for m in project_models() if not hasattr(m, "supplier_field")]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m.__name__)
def test_supplier_contact_sees_only_its_own_supplier(model, business, contact_a, contact_b):
    everything = model._default_manager.all()
    for contact, own in ((contact_a, "ACME"), (contact_b, "BOLT")):
        visible = scope_for_user(everything, contact)
        assert visible.exists(), f"{contact} should see its own {model.__name__}"
        visible_pks = list(visible.values_list("pk", flat=True))
        assert len(visible_pks) == len(set(visible_pks)), "rows repeat"
        assert set(visible_pks) == linked_to(model, own)


@pytest.mark.django_db
@pytest.mark.parametrize("model", project_models(), ids=lambda m: m.__name__)
def test_internal_roles_see_everything_and_outsiders_nothing(
    model, business, buyer, viewer, admin_user
):
    everything = model._default_manager.all()
    total = everything.count()
    for user in (buyer, viewer, admin_user):
        assert scope_for_user(everything, user).count() == total
    roleless = UserFactory(username="nobody")
    for user in (AnonymousUser(), roleless):
        assert scope_for_user(everything, user).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [m for m in project_models() if not getattr(m, "supplier_field", None)],
    ids=lambda m: m.__name__,
)
def test_internal_data_is_hidden_from_supplier_contacts(model, business, contact_a):
    assert scope_for_user(model._default_manager.all(), contact_a).count() == 0


@pytest.mark.django_db
def test_a_contact_never_sees_the_alternate_source_of_a_shared_part(business, contact_a):
    from parts.models import ApprovedSource, Part

    sources = scope_for_user(ApprovedSource.objects.filter(part__number="P-SHARED"), contact_a)
    assert list(sources.values_list("supplier__code", flat=True)) == ["ACME"]
    assert set(scope_for_user(Part.objects.all(), contact_a).values_list("number", flat=True)) == {
        "P-SHARED"
    }
    assert list(visible_suppliers(contact_a).values_list("code", flat=True)) == ["ACME"]
