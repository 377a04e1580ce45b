"""An admin manages all master data in the Django admin; nobody else gets in."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"suppliers", "parts", "contracts", "purchasing", "inventory", "scorecards"}
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in PROJECT_APPS
)


def test_every_domain_model_is_in_the_admin():
    from django.apps import apps

    missing = [
        f"{m._meta.app_label}.{m.__name__}"
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and m not in admin.site._registry
    ]
    # Line items are edited inline on their parent.
    inline_only = {
        "parts.InspectionCharacteristic",
        "suppliers.QualificationScore",
        "purchasing.ShipNoticeLine",
        "purchasing.TransitEvent",
        "contracts.PriceTier",
        "contracts.VolumeCommitment",
    }
    assert sorted(set(missing) - inline_only) == []


# Rows nobody adds by hand: the audit trails (contracts, sources, a line's promised dates,
# written by acknowledgements), the refresh outbox and bookmarks, computed scorecards, and
# the dead-letter list of stock messages.
NOT_ADDED_BY_HAND = {
    ("contracts", "contractchange"),
    ("parts", "sourcechange"),
    ("purchasing", "promiserevision"),
    ("outbox", "pendingrefresh"),
    ("outbox", "pendingcell"),
    ("outbox", "pendingrescore"),
    ("inventory", "inventoryreject"),
    ("scorecards", "refreshstate"),
    ("scorecards", "partscorecard"),
    ("scorecards", "supplierscorecard"),
}


@pytest.mark.parametrize("role", ["admin_user", "buyer", "viewer", "contact_a", None])
@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_list_and_add_pages_by_role(request, client, role, app_label, model_name):
    if role is not None:
        client.force_login(request.getfixturevalue(role))
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    add = reverse(f"admin:{app_label}_{model_name}_add")
    responses = [client.get(changelist), client.get(add)]
    if role == "admin_user":
        addable = (app_label, model_name) not in NOT_ADDED_BY_HAND
        assert [r.status_code for r in responses] == [200, 200 if addable else 403]
    else:  # only superusers are staff: everyone else is asked to sign in to the admin
        for url, response in zip((changelist, add), responses, strict=True):
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('admin:login')}?next={quote(url)}"
