"""Shared fixtures: a buyer, a viewer, an admin and contacts at two different suppliers."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, SupplierContactFactory, SupplierFactory, UserFactory
from tests.world import full_world, world_module  # noqa: F401  (two suppliers, per module)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in a lot; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_throttling_off(settings):
    """Login throttling (django-axes) is tested on its own; elsewhere `client.login` has no
    request for axes to read, and repeated test logins must not lock anyone out."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def request_throttling_off(settings):
    """Request throttles count in a cache shared by every test of a process; they are
    tested on their own (tests/hardening/test_security.py), which sets the rates."""
    settings.DUALSOURCE_THROTTLE_RATES = {}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files (certificates) go to a per-test folder, never the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin")


@pytest.fixture
def buyer(db):
    return UserFactory(username="buyer", role="buyer")


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", role="viewer")


@pytest.fixture
def supplier_a(db):
    return SupplierFactory(code="ACME", name="Acme Castings")


@pytest.fixture
def supplier_b(db):
    return SupplierFactory(code="BOLT", name="Bolt Forge")


@pytest.fixture
def contact_a(supplier_a):
    return SupplierContactFactory(user__username="contact_a", supplier=supplier_a).user


@pytest.fixture
def contact_b(supplier_b):
    return SupplierContactFactory(user__username="contact_b", supplier=supplier_b).user


@pytest.fixture
def client_for(client):
    """Log a browser client in as a user."""

    def login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return login


@pytest.fixture
def api_for():
    """An API client authenticated as a user (None: anonymous)."""

    def make(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make
