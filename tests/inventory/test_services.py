"""Stock readings are checked by their service, whoever records them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import InventoryPosition
from inventory.services import inventory_position_create
from tests.factories import PartFactory, SiteFactory

pytestmark = pytest.mark.django_db
READ_AT = timezone.make_aware(dt.datetime(2026, 2, 10, 8, 0))


def test_a_reading_is_recorded():
    position = inventory_position_create(
        part=PartFactory(), site=SiteFactory(code="PLANT-1"), on_hand=Decimal("12"), read_at=READ_AT
    )
    assert InventoryPosition.objects.get() == position
    assert position.source == "erp"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"on_hand": Decimal("-1")}, "on_hand"),
        ({"site": None}, "site"),
        ({"source": "fax"}, "source"),
    ],
)
def test_bad_readings_are_refused(change, field):
    fields = {
        "site": SiteFactory(code="PLANT-1"),
        "on_hand": Decimal("1"),
        "read_at": READ_AT,
    } | change
    with pytest.raises(ValidationError) as caught:
        inventory_position_create(part=PartFactory(), **fields)
    assert field in caught.value.message_dict
    assert not InventoryPosition.objects.exists()
