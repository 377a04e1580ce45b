from django.db import models
from django.db.models import Q

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class InventoryPosition(models.Model):
    """A stock reading of one part at one site; the latest reading is the current position."""

    class Source(models.TextChoices):
        ERP = "erp", "ERP export"
        IOT = "iot", "IoT sensor"
        MANUAL = "manual", "Manual count"

    supplier_field = None  # internal stock levels are not shown to supplier contacts

    part = models.ForeignKey("parts.Part", on_delete=models.CASCADE, related_name="inventory")
    site = models.CharField(max_length=40)
    on_hand = models.DecimalField(**QUANTITY)
    safety_stock = models.DecimalField(**QUANTITY, default=0)
    reorder_point = models.DecimalField(**QUANTITY, default=0)
    read_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ERP)

    class Meta:
        ordering = ["part", "site", "-read_at"]
        indexes = [models.Index(fields=["part", "site", "-read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_hand__gte=0) & Q(safety_stock__gte=0) & Q(reorder_point__gte=0),
                name="inventory_quantities_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site}: {self.on_hand}"
