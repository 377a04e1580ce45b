"""model_update: set what was sent, validate, save only the changed columns."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.services import model_update
from suppliers.models import Supplier

pytestmark = pytest.mark.django_db


def test_only_named_fields_present_in_data_are_set(supplier_a):
    _, changed = model_update(
        instance=supplier_a,
        fields=["name", "region"],
        data={"name": "Renamed", "country": "FR"},
    )
    assert changed
    stored = Supplier.objects.get(pk=supplier_a.pk)
    assert (stored.name, stored.country) == ("Renamed", supplier_a.country)


def test_nothing_changed_writes_nothing(supplier_a):
    with CaptureQueriesContext(connection) as captured:
        _, changed = model_update(
            instance=supplier_a, fields=["name"], data={"name": supplier_a.name}
        )
    assert not changed
    assert len(captured) == 0


def test_the_update_names_its_columns(supplier_a):
    with CaptureQueriesContext(connection) as captured:
        model_update(instance=supplier_a, fields=["name"], data={"name": "New"})
    update = next(q["sql"] for q in captured if q["sql"].startswith("UPDATE"))
    assert '"name"' in update and '"updated_at"' in update and '"country"' not in update


def test_invalid_values_are_refused_before_saving(supplier_a):
    with pytest.raises(ValidationError) as caught:
        model_update(instance=supplier_a, fields=["country"], data={"country": "Germany"})
    assert "country" in caught.value.message_dict
    assert Supplier.objects.get(pk=supplier_a.pk).country == "DE"
