"""The first scan of a portfolio inserts every alert, and the emails of the critical ones,
in bulk (one statement per table on PostgreSQL): what it stores and sends is what the
scan stored and sent one model instance at a time (docs/performance.md)."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from alerts import emails, inserts
from alerts.kinds import KINDS, Kind
from alerts.models import Alert, EmailDelivery
from alerts.services import alerts_scan
from contracts.models import ContractRule
from rules.models import AllocationException, RuleFiring
from suppliers.models import Certificate
from tests.alerts.conftest import NOW, TODAY
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

# A rule name as a buyer may type it: quotes, a backslash, braces and commas are what an
# array literal must escape; the curly quotes and the dash are not ASCII.
RULE_NAME = 'OTD "floor" \\ {A,B} – “strict”'


@pytest.fixture
def portfolio(clock, owned, contact_a):
    """Several kinds at once: critical, warning and info alerts, with and without a
    supplier, for two owners and a contact."""
    acme, bolt = owned
    for days in (9, 2):  # critical (a week late), then a warning
        PurchaseOrderLineFactory(
            purchase_order__supplier=acme,
            purchase_order__order_date=TODAY - dt.timedelta(days=40),
            requested_date=TODAY - dt.timedelta(days=days),
            acknowledged_at=NOW - dt.timedelta(days=30),
        )
    PurchaseOrderLineFactory(  # never acknowledged
        purchase_order__supplier=bolt,
        purchase_order__order_date=TODAY - dt.timedelta(days=5),
        requested_date=TODAY + dt.timedelta(days=20),
    )
    Certificate.objects.create(
        supplier=bolt, kind="iso9001", number="ISO-9", valid_until=TODAY - dt.timedelta(days=1)
    )
    rule = ContractRule.objects.create(
        contract=ContractFactory(supplier=acme),
        name=RULE_NAME,
        metric="otd_pct",
        comparator="lt",
        threshold=Decimal("90"),
        action="shift_share",
        amount=Decimal("10"),
    )
    part = PartFactory(number="P-Ø1")
    for outcome, value in (("applied", 1234.5), ("notified", None)):
        RuleFiring.objects.create(
            rule=rule, part=part, supplier=acme, metric_value=value, outcome=outcome, fired_at=NOW
        )
    AllocationException.objects.create(kind="bound_break", part=part, supplier=bolt, rule=rule)
    ApprovedSourceFactory(supplier=acme, target_share_pct=Decimal("100"))
    InventoryPositionFactory(  # below its safety stock, no supplier: every buyer's
        part=part,
        site=SiteFactory(code="PLANT-Ø"),
        on_hand=Decimal("1"),
        safety_stock=Decimal("5"),
        reorder_point=Decimal("10"),
        read_at=NOW,
    )
    return acme, bolt


def first_scan(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return alerts_scan()


def alerts_stored() -> list[tuple]:
    """Every alert as a person sees it, in the order they were raised."""
    return list(
        Alert.objects.order_by("pk").values_list(
            "kind",
            "variant",
            "severity",
            "state",
            "dedupe_key",
            "message",
            "site",
            "supplier__code",
            "part__number",
            "line_id",
            "certificate__number",
            "contract_id",
            "rule_firing_id",
            "exception_id",
            "first_seen",
            "last_seen",
        )
    )


def deliveries_stored() -> list[tuple]:
    """Every email delivery: which alert, to whom, and whether it matches its alert."""
    return [
        (
            d.alert.dedupe_key,
            d.recipient.username,
            d.state,
            d.alert_ids == [d.alert_id],
            d.message_id == emails.alert_message_id(alert_id=d.alert_id, user_id=d.recipient_id),
        )
        for d in EmailDelivery.objects.select_related("alert", "recipient").order_by("pk")
    ]


def test_the_first_scan_raises_each_condition_once_and_emails_each_critical_alert_once(
    portfolio, outbox, eager, django_capture_on_commit_callbacks
):
    result = first_scan(django_capture_on_commit_callbacks)

    opened = result.as_dict()["by_kind"]
    assert {kind: counts["opened"] for kind, counts in opened.items()} == {
        Kind.LINE_PAST_DUE: 2,
        Kind.LINE_NOT_ACKNOWLEDGED: 1,
        Kind.CERTIFICATE_EXPIRED: 1,
        Kind.RULE_FIRED: 2,
        Kind.EXCEPTION_OPEN: 1,
        Kind.SINGLE_SOURCED: 1,
        Kind.LOW_STOCK: 1,
    }
    alerts = Alert.objects.order_by("pk")
    # Raised in the order of the registry: the inbox lists (and groups) them as before.
    order = [spec.name for spec in KINDS]
    kinds = list(alerts.values_list("kind", flat=True))
    assert kinds == sorted(kinds, key=order.index)
    severities = {(a.kind, a.severity) for a in alerts}
    assert (Kind.RULE_FIRED, "info") in severities and (Kind.RULE_FIRED, "warning") in severities
    assert {a.severity for a in alerts if a.kind == Kind.LINE_PAST_DUE} == {"critical", "warning"}
    assert sorted(alerts.filter(kind=Kind.RULE_FIRED).values_list("message", flat=True)) == [
        f"Rule “{RULE_NAME}” fired for ACME on P-Ø1 at 1,234.50 on {TODAY:%Y-%m-%d}: "
        "share shift applied.",
        f"Rule “{RULE_NAME}” fired for ACME on P-Ø1 on {TODAY:%Y-%m-%d}: notified.",
    ]
    assert alerts.get(kind=Kind.EXCEPTION_OPEN).message == (
        "Awaiting review: shift would break a share bound for BOLT on P-Ø1."
    )
    low = alerts.get(kind=Kind.LOW_STOCK)
    assert (low.site, low.severity, low.supplier_id) == ("PLANT-Ø", "critical", None)

    # Each critical alert once to each person who wants it at once.
    late = alerts.get(kind=Kind.LINE_PAST_DUE, severity="critical")
    expired = alerts.get(kind=Kind.CERTIFICATE_EXPIRED)
    assert sorted((m.to[0], m.extra_headers["X-Dualsource-Alert"]) for m in outbox) == sorted(
        [
            ("buyer@example.com", str(late.pk)),
            ("contact_a@example.com", str(late.pk)),
            ("buyer2@example.com", str(expired.pk)),
            ("buyer@example.com", str(low.pk)),
            ("buyer2@example.com", str(low.pk)),
        ]
    )
    assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"sent"}

    outbox.clear()
    again = first_scan(django_capture_on_commit_callbacks)
    assert again.as_dict()["opened"] == 0 and outbox == []
    assert Alert.objects.count() == 9


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one insert path elsewhere: bulk_create"
)
def test_the_array_inserts_store_and_send_what_the_model_inserts_did(
    portfolio, outbox, eager, django_capture_on_commit_callbacks
):
    summary = first_scan(django_capture_on_commit_callbacks).as_dict()
    stored, sent = (alerts_stored(), deliveries_stored()), sorted(m.subject for m in outbox)

    outbox.clear()
    EmailDelivery.objects.all().delete()
    Alert.objects.all().delete()
    with mock.patch.object(inserts, "set_based", return_value=False):
        model_summary = first_scan(django_capture_on_commit_callbacks).as_dict()

    assert stored == (alerts_stored(), deliveries_stored())
    assert sent == sorted(m.subject for m in outbox)
    assert {k: v for k, v in summary.items() if k not in ("seconds", "started_at")} == {
        k: v for k, v in model_summary.items() if k not in ("seconds", "started_at")
    }
    assert len(stored[0]) == 9 and len(stored[1]) == 5
