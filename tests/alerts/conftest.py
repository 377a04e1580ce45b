"""Alerts tests share a clock (2026-03-20 09:00 UTC, 10:00 in Berlin) and a portfolio:
ACME owned by `buyer`, BOLT owned by `buyer2`, a contact at each."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.factories import UserFactory

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def buyer2(db):
    return UserFactory(username="buyer2", role="buyer")


@pytest.fixture
def owned(supplier_a, supplier_b, buyer, buyer2):
    supplier_a.owner = buyer
    supplier_a.save(update_fields=["owner"])
    supplier_b.owner = buyer2
    supplier_b.save(update_fields=["owner"])
    return supplier_a, supplier_b


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def eager(settings):
    """Queued tasks run inline, as a worker would run them."""
    import alerts.tasks  # noqa: F401  (registers the tasks queued by name)

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
