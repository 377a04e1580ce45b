"""Stored units become their Rec 20 codes (parts 0003_units_canonical)."""

import importlib

import pytest
from django.apps import apps

from parts.models import Part
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db
units_canonical = importlib.import_module("parts.migrations.0003_units_canonical")


def test_old_units_and_aliases_become_codes():
    for number, unit in [("P-1", "ea"), ("P-2", "kg"), ("P-3", "m"), ("P-4", "l"), ("P-5", "set"),
                         ("P-6", "pcs"), ("P-7", "KGM")]:  # fmt: skip
        Part.objects.filter(pk=PartFactory(number=number).pk).update(unit=unit)
    units_canonical.forwards(apps, None)
    assert dict(Part.objects.values_list("number", "unit")) == {
        "P-1": "EA",
        "P-2": "KGM",
        "P-3": "MTR",
        "P-4": "LTR",
        "P-5": "SET",
        "P-6": "H87",
        "P-7": "KGM",
    }
    units_canonical.backwards(apps, None)
    assert Part.objects.get(number="P-4").unit == "l"
