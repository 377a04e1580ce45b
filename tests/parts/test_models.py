from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ApprovedSourceFactory, PartFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def rejected(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_part_numbers_are_unique():
    PartFactory(number="P-1")
    rejected(lambda: PartFactory(number="P-1"))


@pytest.mark.parametrize(
    "shares",
    [
        {"target_share_pct": Decimal("101"), "max_share_pct": Decimal("101")},
        {"target_share_pct": Decimal("-1"), "min_share_pct": Decimal("-1")},
        {"target_share_pct": Decimal("10"), "min_share_pct": Decimal("20")},
        {"target_share_pct": Decimal("90"), "max_share_pct": Decimal("80")},
    ],
)
def test_source_shares_stay_between_0_min_target_max_100(shares):
    rejected(lambda: ApprovedSourceFactory(**shares))


def test_one_source_per_part_and_supplier():
    part, supplier = PartFactory(), SupplierFactory()
    ApprovedSourceFactory(part=part, supplier=supplier)
    rejected(lambda: ApprovedSourceFactory(part=part, supplier=supplier))


def test_source_price_capacity_and_moq_not_negative():
    rejected(lambda: ApprovedSourceFactory(unit_price=Decimal("-1")))
    rejected(lambda: ApprovedSourceFactory(monthly_capacity=Decimal("-1")))
    rejected(lambda: ApprovedSourceFactory(moq=Decimal("-1")))
