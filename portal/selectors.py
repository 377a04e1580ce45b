"""Reads for the contact's pages; every queryset starts in the one permission selector."""

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.selectors import scope_for_user
from portal.models import ContactInvitation
from purchasing.models import (
    Inspection,
    PromiseRevision,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
)

QUANTITY = DecimalField(max_digits=14, decimal_places=3)


def _total(model, field: str, **link):
    rows = (
        model.objects.filter(**{key: OuterRef(value) for key, value in link.items()})
        .order_by()
        .values(*link.keys())
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(
        Subquery(rows, output_field=QUANTITY), Value(Decimal("0")), output_field=QUANTITY
    )


def order_lines_visible(*, user) -> QuerySet[PurchaseOrderLine]:
    """The user's order lines with what was shipped and received against each."""
    return (
        scope_for_user(PurchaseOrderLine.objects.all(), user)
        .select_related("purchase_order", "part")
        .annotate(
            shipped_quantity=_total(ShipNoticeLine, "quantity", line_id="pk"),
            received_quantity=_total(Receipt, "quantity", line_id="pk"),
        )
        .order_by("expected_date", "purchase_order__number", "line_number")
    )


def order_lines_waiting(*, user) -> QuerySet[PurchaseOrderLine]:
    """Open lines the supplier has not confirmed yet."""
    return order_lines_visible(user=user).filter(
        status=PurchaseOrderLine.Status.OPEN, acknowledged_at__isnull=True
    )


def order_lines_past_due(*, user, today: dt.date) -> QuerySet[PurchaseOrderLine]:
    """Open lines whose expected date has passed and that are not fully received."""
    return (
        order_lines_visible(user=user)
        .filter(status=PurchaseOrderLine.Status.OPEN, expected_date__lt=today)
        .filter(received_quantity__lt=F("quantity"))
    )


def order_lines_shippable(*, user) -> QuerySet[PurchaseOrderLine]:
    """Open lines with quantity left to ship: the choices of a ship notice."""
    return (
        order_lines_visible(user=user)
        .filter(status=PurchaseOrderLine.Status.OPEN)
        .filter(shipped_quantity__lt=F("quantity"))
    )


def line_revisions(*, user, line: PurchaseOrderLine) -> QuerySet[PromiseRevision]:
    return scope_for_user(
        PromiseRevision.objects.filter(line=line).select_related("created_by"), user
    ).order_by("created_at", "id")


def ship_notices_visible(*, user) -> QuerySet[ShipNotice]:
    return scope_for_user(ShipNotice.objects.all(), user).order_by("-ship_date", "-id")


def ship_notices_in_transit(*, user) -> QuerySet[ShipNotice]:
    """Not reported delivered and nothing booked in against them yet."""
    booked = Receipt.objects.filter(ship_notice=OuterRef("pk"))
    return (
        ship_notices_visible(user=user)
        .filter(is_delivered=False)
        .exclude(Exists(booked))
        .order_by("eta", "id")
    )


def receipts_visible(*, user) -> QuerySet[Receipt]:
    return scope_for_user(
        Receipt.objects.select_related("line__purchase_order", "line__part", "ship_notice"), user
    ).order_by("-receipt_date", "-id")


def inspections_visible(*, user) -> QuerySet[Inspection]:
    return scope_for_user(
        Inspection.objects.select_related("receipt__line__purchase_order", "receipt__line__part"),
        user,
    ).order_by("-inspection_date", "-id")


def invitations_open(*, user, supplier_id: int) -> QuerySet[ContactInvitation]:
    return scope_for_user(
        ContactInvitation.objects.filter(
            supplier_id=supplier_id, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        user,
    ).select_related("invited_by")
