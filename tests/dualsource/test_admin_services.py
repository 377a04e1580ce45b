"""Every admin that saves through a service opens its add and change pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin import ServiceAdmin
from scorecards.models import ScorecardAssignment, ScorecardTemplate

pytestmark = pytest.mark.django_db

SERVICE_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ServiceAdmin)
)


def test_the_models_with_rules_are_covered():
    names = {name for _, name in SERVICE_ADMINS}
    assert {
        "supplier",
        "part",
        "approvedsource",
        "purchaseorder",
        "purchaseorderline",
        "receipt",
        "inspection",
        "fxrate",
        "inventoryposition",
        "scorecardtemplate",
        "scorecardassignment",
    } <= names


@pytest.mark.parametrize(("app", "model"), SERVICE_ADMINS)
def test_add_and_change_pages_open(
    world, supplier_a, contact_a, client_for, admin_user, app, model
):
    default = ScorecardTemplate.objects.get(is_default=True)
    ScorecardAssignment.objects.create(supplier=supplier_a, template=default)
    client = client_for(admin_user)
    add = client.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code == 200
    model_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    obj = model_class._default_manager.first()
    assert obj is not None, f"the test world has no {model}"
    change = client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
