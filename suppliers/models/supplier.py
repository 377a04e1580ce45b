import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.iso_codes import country_choices
from core.validators import (
    country_code_validator,
    currency_code_validator,
    natural_key_validator,
)
from suppliers.certificate_kinds import KIND_CHOICES, CertificateKind


class SupplierQuerySet(models.QuerySet):
    """Reads about suppliers that every engine shares (allocation, planning, risk)."""

    def required_certificate_kinds(self):
        """(supplier_id, kind) rows: the certificate kinds the categories of the parts each
        supplier is an active source of require (docs/qualification.md)."""
        return (
            self.filter(
                sources__is_active=True,
                sources__part__category__required_certificates__isnull=False,
            )
            .values_list("pk", "sources__part__category__required_certificates__kind")
            .distinct()
        )

    def with_expired_certificate(self, as_of):
        """Suppliers with a required certificate kind whose newest certificate ended before
        `as_of` (a renewal filed next to the old certificate clears it). A kind is required
        when a category of a part the supplier sources requires it."""
        required = Certificate.objects.filter(
            supplier__sources__is_active=True,
            supplier__sources__part__category__required_certificates__kind=models.F("kind"),
        )
        expired = (
            Certificate.objects.filter(supplier__in=self.values("pk"))
            .filter(pk__in=required.values("pk"))
            .values("supplier_id", "kind")
            .annotate(latest=models.Max("valid_until"))
            .filter(latest__lt=as_of)
            .values("supplier_id")
        )
        return self.filter(pk__in=expired)

    def usable(self, as_of=None):
        """Suppliers whose sources may receive share or orders: approved (not on hold,
        disqualified or merely qualified) and no required certificate expired
        (docs/qualification.md, "usable sources"). The one definition every engine reads."""
        as_of = as_of or timezone.localdate()
        approved = self.filter(status=Supplier.Status.APPROVED)
        return approved.exclude(pk__in=approved.with_expired_certificate(as_of).values("pk"))


class Supplier(models.Model):
    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        QUALIFIED = "qualified", "Qualified"
        APPROVED = "approved", "Approved"
        ON_HOLD = "on_hold", "On hold"
        DISQUALIFIED = "disqualified", "Disqualified"

    # Lifecycle: prospect → qualified → approved ⇄ on_hold; any state may end in disqualified.
    TRANSITIONS = {
        Status.PROSPECT: {Status.QUALIFIED, Status.DISQUALIFIED},
        Status.QUALIFIED: {Status.APPROVED, Status.ON_HOLD, Status.DISQUALIFIED},
        Status.APPROVED: {Status.ON_HOLD, Status.DISQUALIFIED},
        Status.ON_HOLD: {Status.APPROVED, Status.QUALIFIED, Status.DISQUALIFIED},
        Status.DISQUALIFIED: {Status.PROSPECT},
    }

    supplier_field = "pk"

    code = models.CharField(max_length=32, unique=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    # A plain ISO 3166-1 alpha-2 code picked from django-countries' list (a value, not a
    # Country object, so exports, JSON and templates read it as the code).
    country = models.CharField(
        max_length=2,
        choices=country_choices,
        validators=[country_code_validator],
        help_text="ISO 3166-1 country.",
    )
    region = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_suppliers",
        help_text="The buyer who owns the relationship and receives critical alerts.",
    )
    primary_contact = models.ForeignKey(
        "SupplierContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Single point of contact at the supplier.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class SupplierContact(models.Model):
    """A user who works at one supplier; sees only that supplier's business."""

    supplier_field = "supplier"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_contact"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_admin = models.BooleanField(
        default=False,
        help_text="The supplier's administrator: may invite and deactivate colleagues.",
    )

    class Meta:
        ordering = ["supplier__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.supplier.code})"


def certificate_document_path(instance, filename: str) -> str:
    """A random name under the supplier's folder: the uploader's file name is never a path."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.document_content_type, "bin"
    )
    return f"certificates/{instance.supplier_id}/{uuid.uuid4().hex}.{extension}"


class Certificate(models.Model):
    Kind = CertificateKind

    supplier_field = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certificates")
    # A canonical code (`suppliers.certificate_kinds`); every input path normalises to it.
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    number = models.CharField(max_length=64)
    issued_by = models.CharField(max_length=100, blank=True)
    valid_until = models.DateField()
    # Stored under the private MEDIA_ROOT (never served by a URL pattern or whitenoise);
    # downloaded only through the scoped certificate document view.
    document = models.FileField(upload_to=certificate_document_path, blank=True, max_length=200)
    document_name = models.CharField(
        max_length=200, blank=True, help_text="The file name as uploaded, for the download."
    )
    document_content_type = models.CharField(
        max_length=40, blank=True, help_text="Detected from the file's bytes, not its name."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supplier", "valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind", "number"], name="unique_certificate_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def days_to_expiry(self, today) -> int:
        return (self.valid_until - today).days

    @staticmethod
    def warning_until(today: dt.date) -> dt.date:
        """The last expiry date flagged as expiring: the one warning period of the portal,
        the buyer pages and the alerts (CERTIFICATE_EXPIRY_WARNING_DAYS, 30 days)."""
        return today + dt.timedelta(days=settings.CERTIFICATE_EXPIRY_WARNING_DAYS)

    def expiry_state(self, today: dt.date) -> str:
        """`expired`, `expiring` (within the warning period) or `valid`."""
        if self.valid_until < today:
            return "expired"
        return "expiring" if self.valid_until <= self.warning_until(today) else "valid"
