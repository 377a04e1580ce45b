"""Every contract write is audited; tolerance and validity changes refresh the scorecards."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from contracts import services
from contracts.models import ContractChange
from tests.factories import ApprovedSourceFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued():
    with mock.patch("contracts.services.task_queue_safely") as task_queue:
        yield task_queue


def _contract(supplier, buyer, **fields):
    return services.contract_create(
        actor=buyer, supplier=supplier, reference="C-1", valid_from=dt.date(2026, 1, 1), **fields
    )


def test_contract_create_and_update_are_audited_with_before_and_after(
    supplier_a, buyer, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contract = _contract(supplier_a, buyer)
        services.contract_update(contract=contract, actor=buyer, late_tolerance_days=2)
    created, updated = contract.changes.order_by("id")
    assert (created.kind, created.actor, created.before) == ("created", buyer, None)
    assert (updated.before["late_tolerance_days"], updated.after["late_tolerance_days"]) == (0, 2)
    assert queued.call_args_list == [
        mock.call("engine.run", [supplier_a.pk], mock.ANY),
        mock.call("engine.run", [supplier_a.pk], mock.ANY),
    ]


def test_a_change_outside_tolerances_and_validity_does_not_refresh_scorecards(
    supplier_a, buyer, queued, django_capture_on_commit_callbacks
):
    contract = _contract(supplier_a, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_update(contract=contract, actor=buyer, notes="Renegotiated")
        services.contract_update(contract=contract, actor=buyer, notes="Renegotiated")
    assert not queued.called
    assert contract.changes.filter(kind="updated").count() == 1  # no change, no audit row


def test_reference_and_supplier_are_fixed(supplier_a, supplier_b, buyer, queued):
    contract = _contract(supplier_a, buyer)
    with pytest.raises(ValidationError) as error:
        services.contract_update(contract=contract, actor=buyer, supplier=supplier_b)
    assert "supplier" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.contract_update(contract=contract, actor=buyer, valid_to=dt.date(2025, 1, 1))
    assert "valid_to" in error.value.message_dict


def test_tiers_and_commitments_are_validated_and_audited(supplier_a, buyer, queued):
    contract = _contract(supplier_a, buyer)
    part = PartFactory()
    tier = services.price_tier_create(
        contract=contract, actor=buyer, part=part, min_quantity=Decimal("1000"),
        unit_price=Decimal("9.5"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.price_tier_create(
            contract=contract, actor=buyer, part=part, min_quantity=Decimal("1000"),
            unit_price=Decimal("9"),
        )  # fmt: skip
    assert "min_quantity" in error.value.message_dict
    services.price_tier_update(tier=tier, actor=buyer, unit_price=Decimal("9.25"))
    services.price_tier_delete(tier=tier, actor=buyer)
    with pytest.raises(ValidationError) as error:
        services.volume_commitment_create(
            contract=contract, actor=buyer, part=part, min_quantity_per_year=Decimal("500"),
            max_quantity_per_year=Decimal("100"),
        )  # fmt: skip
    assert "max_quantity_per_year" in error.value.message_dict
    commitment = services.volume_commitment_create(
        contract=contract, actor=buyer, part=part, min_quantity_per_year=Decimal("100")
    )
    services.volume_commitment_delete(commitment=commitment, actor=buyer)
    rows = list(
        ContractChange.objects.filter(contract=contract)
        .order_by("id")
        .values_list("object_type", "kind")
    )
    assert rows == [
        ("contract", "created"),
        ("pricetier", "created"),
        ("pricetier", "updated"),
        ("pricetier", "deleted"),
        ("volumecommitment", "created"),
        ("volumecommitment", "deleted"),
    ]


def test_a_contract_with_rules_cannot_be_deleted(supplier_a, buyer, queued):
    contract = _contract(supplier_a, buyer)
    source = ApprovedSourceFactory(supplier=supplier_a)
    services.contract_rule_create(
        contract=contract, actor=buyer, name="OTD", part=source.part, metric="otd_pct",
        comparator="lt", threshold=Decimal("90"), action="notify",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.contract_delete(contract=contract, actor=buyer)


def test_unknown_fields_are_refused(supplier_a, buyer, queued):
    with pytest.raises(ValidationError) as error:
        _contract(supplier_a, buyer, colour="red")
    assert "colour" in error.value.message_dict


def test_the_recompute_task_refreshes_exactly_the_named_suppliers(supplier_a, supplier_b):
    from scorecards.tasks import scorecards_recompute_suppliers

    summary = scorecards_recompute_suppliers.run([supplier_a.pk])
    assert summary["supplier_count"] == 1
