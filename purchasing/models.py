from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.validators import currency_code_validator, natural_key_validator
from sites.models import main_site_pk

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 4}


class PurchaseOrder(models.Model):
    supplier_field = "supplier"

    number = models.CharField(max_length=40, unique=True, validators=[natural_key_validator])
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    order_date = models.DateField()
    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        default=main_site_pk,
        help_text="Delivery site; default the organisation's main site.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-order_date", "number"]
        indexes = [
            models.Index(fields=["supplier", "order_date"]),
            # The order list pages newest first without sorting every order.
            models.Index(fields=["order_date", "number"], name="po_order_date_number"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    supplier_field = "purchase_order__supplier"

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField()
    part = models.ForeignKey("parts.Part", on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)
    requested_date = models.DateField()
    # The OTD baseline: the requested date until the supplier first confirms, then that
    # first confirmed date for good. Later changes are PromiseRevisions.
    promised_date = models.DateField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    expected_date = models.DateField(help_text="Current expected date after revisions.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["purchase_order", "line_number"]
        indexes = [
            models.Index(fields=["promised_date"]),
            models.Index(fields=["part", "promised_date"]),
            models.Index(fields=["status", "expected_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "line_number"], name="unique_line_number_per_order"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order.number}/{self.line_number}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class PromiseRevision(models.Model):
    """A change of the expected date after the first confirmation; the baseline stays."""

    class Reason(models.TextChoices):
        CAPACITY = "capacity", "Capacity"
        MATERIAL = "material", "Material shortage"
        TRANSPORT = "transport", "Transport"
        QUALITY = "quality", "Quality hold"
        CUSTOMER_REQUEST = "customer_request", "Customer request"
        OTHER = "other", "Other"

    supplier_field = "line__purchase_order__supplier"

    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="revisions")
    previous_date = models.DateField()
    new_date = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "created_at", "id"]


class ShipNotice(models.Model):
    """Advance ship notice (ASN) posted by the supplier."""

    supplier_field = "supplier"

    number = models.CharField(max_length=40, validators=[natural_key_validator])
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="ship_notices"
    )
    ship_date = models.DateField()
    eta = models.DateField(help_text="Estimated arrival, updated by transit events.")
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    current_location = models.CharField(max_length=200, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    is_delivered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ship_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"], name="unique_ship_notice_per_supplier"
            ),
            models.CheckConstraint(
                condition=Q(eta__gte=F("ship_date")), name="ship_notice_eta_after_ship_date"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ShipNoticeLine(models.Model):
    supplier_field = "ship_notice__supplier"

    ship_notice = models.ForeignKey(ShipNotice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="shipments")
    quantity = models.DecimalField(**QUANTITY)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipped_quantity_positive")
        ]


class TransitEvent(models.Model):
    supplier_field = "ship_notice__supplier"

    ship_notice = models.ForeignKey(ShipNotice, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    eta = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["ship_notice", "occurred_at"]


class Receipt(models.Model):
    """Goods received against one PO line, with the costs of getting them here."""

    supplier_field = "line__purchase_order__supplier"

    number = models.CharField(max_length=40, unique=True, validators=[natural_key_validator])
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts")
    receipt_date = models.DateField()
    quantity = models.DecimalField(**QUANTITY)
    freight = models.DecimalField(**MONEY, default=Decimal("0"))
    duty = models.DecimalField(**MONEY, default=Decimal("0"))
    other_costs = models.DecimalField(**MONEY, default=Decimal("0"))
    cost_currency = models.CharField(max_length=3, validators=[currency_code_validator])
    ship_notice = models.ForeignKey(
        ShipNotice, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-receipt_date", "number"]
        indexes = [models.Index(fields=["receipt_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_quantity_positive"),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(duty__gte=0) & Q(other_costs__gte=0),
                name="receipt_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Inspection(models.Model):
    class Disposition(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REWORK = "rework", "Rework"
        RETURN = "return", "Return to supplier"
        SCRAP = "scrap", "Scrap"
        USE_AS_IS = "use_as_is", "Use as is"

    supplier_field = "receipt__line__purchase_order__supplier"

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="inspections")
    inspection_date = models.DateField()
    inspected_quantity = models.DecimalField(**QUANTITY)
    defective_quantity = models.DecimalField(**QUANTITY, default=Decimal("0"))
    defect_codes = models.JSONField(default=list, blank=True)
    disposition = models.CharField(
        max_length=10, choices=Disposition.choices, default=Disposition.ACCEPT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspection_date", "id"]
        indexes = [models.Index(fields=["inspection_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspected_quantity__gt=0), name="inspected_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(defective_quantity__gte=0)
                & Q(defective_quantity__lte=F("inspected_quantity")),
                name="defective_within_inspected",
            ),
        ]


class FxRate(models.Model):
    """Base-currency units per one unit of `currency`, from `date` on."""

    supplier_field = None  # internal finance data

    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    date = models.DateField()
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="one_fx_rate_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date} {self.rate}"
