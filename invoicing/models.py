"""Supplier invoices and their three-way match against orders and receipts
(docs/invoices.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.validators import currency_code_validator, natural_key_validator

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 4}
MATCH_OK = "ok"


class Invoice(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        EXCEPTION = "exception", "Exception"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    supplier_field = "supplier"

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(max_length=40, validators=[natural_key_validator])
    invoice_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    freight = models.DecimalField(**MONEY, default=0)
    other_charges = models.DecimalField(**MONEY, default=0)
    total_amount = models.DecimalField(
        max_digits=16, decimal_places=4, default=0, help_text="Lines plus freight and charges."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # The rejected invoice this one corrects, if any.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    # When the match first found a mismatch: the exception's place in the queue and period.
    exception_raised_at = models.DateTimeField(null=True, blank=True)
    approved_by_engine = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why a buyer approved or rejected it.")
    paid_at = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-invoice_date", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["supplier", "invoice_date"]),
            models.Index(fields=["exception_raised_at"]),
            models.Index(fields=["decided_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"], name="unique_invoice_number_per_supplier"
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(other_charges__gte=0),
                name="invoice_charges_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open_exception(self) -> bool:
        return self.status == self.Status.EXCEPTION


class InvoiceLine(models.Model):
    """One billed order line with what the last match found (shown on the exception)."""

    supplier_field = "invoice__supplier"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(
        "purchasing.PurchaseOrderLine", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)
    # The last match: "ok" or the reasons it failed, and the figures it compared.
    match = models.CharField(max_length=500, blank=True)
    ordered_quantity = models.DecimalField(**QUANTITY, null=True, blank=True)
    received_quantity = models.DecimalField(**QUANTITY, null=True, blank=True)
    invoiced_before = models.DecimalField(**QUANTITY, null=True, blank=True)
    expected_price = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["invoice", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.line}"

    @property
    def amount(self):
        return self.quantity * self.unit_price

    @property
    def price_difference(self):
        if self.expected_price is None:
            return None
        return self.unit_price - self.expected_price

    @property
    def matches(self) -> bool:
        return self.match == MATCH_OK
