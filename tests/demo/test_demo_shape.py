"""The tiny demo shows every situation the portal is built for (one load, read-only tests)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Min, Sum
from django.test import override_settings

from accounts.roles import user_role
from contracts.models import ContractRule
from demo.services import DEMO_LOGINS, demo_data_seed
from inventory.models import InventoryPosition
from parts.models import ApprovedSource, Part
from purchasing.models import (
    FxRate,
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    TransitEvent,
)
from suppliers.models import Certificate, QualificationScore, Supplier

TODAY = dt.date(2026, 6, 15)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    """One tiny demo shared by this module's tests, which only read; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            result = demo_data_seed(size="tiny", seed=11, today=TODAY, recompute_kpis=False)
        yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_parts_are_mostly_dual_sourced_with_shares_summing_to_100(tiny):
    parts = Part.objects.annotate(
        sources_count=Count("sources"), share_sum=Sum("sources__target_share_pct")
    )
    assert parts.filter(sources_count__gte=2).count() >= 0.8 * parts.count()
    assert parts.filter(sources_count=1).exists()  # a few single-sourced risks to show
    assert not parts.exclude(share_sum=100).exists()
    assert not ApprovedSource.objects.filter(min_share_pct__gt=F("target_share_pct")).exists()
    assert not ApprovedSource.objects.filter(max_share_pct__lt=F("target_share_pct")).exists()
    dual = ApprovedSource.objects.exclude(target_share_pct=100)
    assert dual.filter(target_share_pct=70).exists() and dual.filter(target_share_pct=30).exists()
    # Prices are in each supplier's own currency.
    assert not ApprovedSource.objects.exclude(currency=F("supplier__currency")).exists()


@pytest.mark.django_db
def test_every_foreign_currency_has_rates_over_the_whole_history(tiny):
    base = settings.BASE_CURRENCY
    assert not FxRate.objects.filter(currency=base).exists()
    used = (
        set(Supplier.objects.values_list("currency", flat=True))
        | set(Receipt.objects.values_list("cost_currency", flat=True))
    ) - {base}
    assert len(used) >= 2
    first_order = PurchaseOrder.objects.aggregate(first=Min("order_date"))["first"]
    for currency in used:
        rates = FxRate.objects.filter(currency=currency)
        assert rates.filter(date__lte=first_order).exists(), currency
        assert rates.filter(date__gte=TODAY - dt.timedelta(days=3)).exists(), currency
        # Rates drift, but stay within a plausible band.
        values = [float(r) for r in rates.values_list("rate", flat=True)]
        assert max(values) / min(values) < 1.6, currency
        assert len(set(values)) > 100, currency


@pytest.mark.django_db
def test_history_shows_the_situations_a_buyer_handles(tiny):
    lines = PurchaseOrderLine.objects
    assert lines.filter(status="open", requested_date__gt=TODAY).exists()  # future lines
    cancelled = lines.filter(status="cancelled")
    assert cancelled.exists() and not Receipt.objects.filter(line__in=cancelled).exists()
    assert lines.filter(acknowledged_at__isnull=False).count() >= 0.85 * lines.count()
    assert lines.filter(promised_date__gt=F("requested_date")).exists()
    revisions = PromiseRevision.objects.all()
    assert revisions.exists()
    assert not revisions.exclude(reason__in=PromiseRevision.Reason.values).exists()
    assert (
        not lines.filter(revisions__isnull=False).filter(expected_date=F("promised_date")).exists()
    )

    received = lines.annotate(received=Sum("receipts__quantity"), receipts_count=Count("receipts"))
    assert received.filter(received__gt=F("quantity")).exists()  # over-deliveries
    partial = received.filter(receipts_count__gte=2)
    assert partial.exists()
    late_remainder = Receipt.objects.filter(
        line__in=partial, receipt_date__gt=F("line__promised_date")
    )
    assert late_remainder.exists()
    in_default_window = Receipt.objects.filter(
        receipt_date__lte=F("line__promised_date"),
        receipt_date__gte=F("line__promised_date") - dt.timedelta(days=3),
    ).count()
    assert in_default_window >= 0.7 * Receipt.objects.count()  # most arrive on time
    assert not Receipt.objects.filter(receipt_date__gt=TODAY).exists()

    # Freight and duty sometimes in another currency than the order's.
    assert Receipt.objects.exclude(cost_currency=F("line__purchase_order__currency")).exists()

    inspections = Inspection.objects.all()
    assert 0.3 * Receipt.objects.count() <= inspections.count() <= 0.8 * Receipt.objects.count()
    defective = list(inspections.filter(defective_quantity__gt=0).select_related("receipt__line"))
    assert defective
    checklist = {
        (part_id, code) for part_id, code in Part.objects.values_list("id", "checklist__code")
    }
    for inspection in defective:
        assert inspection.defect_codes
        for code in inspection.defect_codes:
            assert (inspection.receipt.line.part_id, code) in checklist

    in_transit = ShipNotice.objects.filter(is_delivered=False)
    assert in_transit.exists()
    assert TransitEvent.objects.filter(ship_notice__in=in_transit).exists()
    assert Receipt.objects.filter(ship_notice__isnull=False).exists()


@pytest.mark.django_db
def test_master_data_is_complete(tiny):
    statuses = dict(Supplier.objects.values_list("status").annotate(n=Count("id")))
    assert statuses[Supplier.Status.APPROVED] > sum(statuses.values()) / 2
    assert {Supplier.Status.PROSPECT, Supplier.Status.QUALIFIED} <= set(statuses)
    assert not Supplier.objects.filter(owner__isnull=True).exists()
    assert QualificationScore.objects.filter(score__gt=0).exists()
    approved = Supplier.objects.filter(status=Supplier.Status.APPROVED)
    for supplier in approved:
        latest = supplier.qualification_assessments.first()
        assert latest is not None and latest.passed, supplier.code
    assert Certificate.objects.filter(valid_until__lt=TODAY).exists()
    assert Certificate.objects.filter(
        valid_until__gte=TODAY, valid_until__lte=TODAY + dt.timedelta(days=30)
    ).exists()
    assert Part.objects.annotate(n=Count("checklist")).filter(n__lt=2).count() == 0
    assert Part.objects.annotate(n=Count("checklist")).filter(n__gt=4).count() == 0
    # Every supplier that supplies has a contract, with rules a breach can fire.
    supplying = Supplier.objects.filter(sources__isnull=False).distinct()
    assert not supplying.filter(contracts__isnull=True).exists()
    rules = ContractRule.objects.filter(is_active=True)
    assert rules.filter(metric="otd_pct", action="shift_share", threshold=85).exists()
    assert rules.filter(metric="defect_ppm", action="notify", threshold=5000).exists()
    assert rules.filter(metric="composite_score", action="hold", threshold=60).exists()
    latest = InventoryPosition.objects.filter(read_at__date=TODAY)
    assert latest.filter(on_hand__lt=F("reorder_point")).exists()
    assert latest.filter(on_hand__gte=F("reorder_point")).exists()


@pytest.mark.django_db
def test_demo_logins_have_their_roles_and_two_rival_contacts(tiny):
    users = {u.username: u for u in get_user_model().objects.all()}
    for login in DEMO_LOGINS:
        user = users[login.username]
        assert user_role(user) == login.role
        assert user.check_password("dualsource-demo")
    one = users["supplier1"].supplier_contact.supplier
    other = users["supplier2"].supplier_contact.supplier
    assert one != other
    shared = Part.objects.filter(sources__supplier=one).filter(sources__supplier=other)
    assert shared.exists()
    owned = Supplier.objects.filter(owner=users["buyer"]).count()
    assert owned > Supplier.objects.count() / 2


@pytest.mark.django_db
def test_the_demo_has_conversations_a_certificate_and_an_administrator_contact(tiny):
    from messaging.models import Message, Thread
    from suppliers.models import Certificate

    supplier1 = get_user_model().objects.get(username="supplier1").supplier_contact
    assert supplier1.is_admin
    threads = Thread.objects.filter(supplier=supplier1.supplier)
    assert threads.filter(purchase_order__isnull=True).exists()
    assert threads.filter(purchase_order__isnull=False).exists()
    assert Message.objects.filter(author__username="supplier2").exists()
    with_file = Certificate.objects.filter(supplier=supplier1.supplier).exclude(document="")
    assert with_file.get().document_content_type == "application/pdf"


@pytest.mark.django_db
def test_the_demo_has_invoices_in_every_state_and_one_ahead_of_its_goods(tiny):
    from invoicing.models import Invoice

    states = set(Invoice.objects.values_list("status", flat=True))
    assert states == {"submitted", "approved", "exception", "rejected", "paid"}
    ahead = Invoice.objects.filter(status="exception", lines__received_quantity=0)
    assert ahead.exists()  # billed before any goods arrived: waits for them
    assert Invoice.objects.filter(approved_by_engine=True, exception_raised_at__isnull=False)
    assert Invoice.objects.filter(corrects__status="rejected", status="approved").exists()


@pytest.mark.django_db
def test_demo_sources_sell_whole_packs_and_checklists_check_the_packaging(tiny):
    from parts.models import ApprovedSource, InspectionCharacteristic

    assert ApprovedSource.objects.filter(pack_size__gt=1).exists()
    assert InspectionCharacteristic.objects.filter(code="PACK").exists()


@pytest.mark.django_db
def test_a_newcomer_sees_planned_parts_suggestions_and_an_auto_released_order(tiny):
    from planning.models import ReplenishmentPolicy, ReplenishmentSuggestion

    assert ReplenishmentPolicy.objects.count() >= 5
    assert ReplenishmentPolicy.objects.filter(saving_vs_split_pct__isnull=False).exists()
    assert ReplenishmentSuggestion.objects.filter(state="open").exists()
    released = ReplenishmentSuggestion.objects.filter(auto_released=True)
    assert released.exists() and all(s.purchase_order_id for s in released)
