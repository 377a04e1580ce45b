"""The one permission selector scopes every model for every role (docs/roles.md).

The expectation comes from the world of tests/world.py, which records which supplier owns
each object as it creates it, never from the `supplier_field` the selector reads.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import scope_for_user
from suppliers.selectors import visible_suppliers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(settings.BASE_DIR).resolve()


def project_models():
    """Every model of an app in this repository (not Django's or a library's)."""
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(PROJECT_DIR)
        and ".venv" not in Path(config.path).parts
        for model in config.get_models()
    ]


def scoped_models():
    return [m for m in project_models() if getattr(m, "supplier_field", None)]


def test_every_project_model_declares_its_supplier_path():
    assert {"Supplier", "PurchaseOrder", "SupplierScorecard"} <= {
        m.__name__ for m in project_models()
    }
    missing = [m.__name__ for m in project_models() if not hasattr(m, "supplier_field")]
    assert missing == []


@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m.__name__)
def test_supplier_contact_sees_exactly_what_its_supplier_owns(model, full_world):
    everything = model._default_manager.all()
    for key in ("A", "B"):
        side = full_world.sides[key]
        owned = side.owned.get(model)
        assert owned, (
            f"The world has no {model.__name__} of supplier {key}: create one in "
            "tests/world.py (build_world) so every walk and this test see it"
        )
        visible_pks = list(scope_for_user(everything, side.contact).values_list("pk", flat=True))
        assert len(visible_pks) == len(set(visible_pks)), "rows repeat"
        assert set(visible_pks) == owned


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m.__name__)
def test_internal_roles_see_everything_and_outsiders_nothing(model, full_world):
    everything = model._default_manager.all()
    total = everything.count()
    for role in ("admin", "buyer", "viewer"):
        assert scope_for_user(everything, full_world.users[role]).count() == total
    for user in (AnonymousUser(), UserFactory(username="nobody")):
        assert scope_for_user(everything, user).count() == 0


@pytest.mark.parametrize(
    "model",
    [m for m in project_models() if not getattr(m, "supplier_field", None)],
    ids=lambda m: m.__name__,
)
def test_internal_data_is_hidden_from_supplier_contacts(model, full_world):
    for key in ("A", "B"):
        contact = full_world.sides[key].contact
        assert scope_for_user(model._default_manager.all(), contact).count() == 0


def test_the_world_has_internal_data_to_hide(full_world):
    from purchasing.models import FxRate

    assert FxRate.objects.exists()
    assert len(full_world.internal) >= 3


def test_a_contact_never_sees_the_alternate_source_of_a_shared_part(full_world):
    from parts.models import ApprovedSource, Part

    contact_a = full_world.users["contact_a"]
    sources = scope_for_user(ApprovedSource.objects.filter(part__number="P-SHARED"), contact_a)
    assert list(sources.values_list("supplier__code", flat=True)) == ["ACME"]
    assert set(scope_for_user(Part.objects.all(), contact_a).values_list("number", flat=True)) == {
        "P-SHARED",
        "P-ACME-2",
    }
    assert list(visible_suppliers(contact_a).values_list("code", flat=True)) == ["ACME"]
