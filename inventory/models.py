from django.db import models
from django.db.models import Q

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class InventoryPosition(models.Model):
    """A stock reading of one part at one site; the latest reading by `read_at` is the
    current one (docs/inventory.md)."""

    class Source(models.TextChoices):
        ERP = "erp", "ERP export"
        IOT = "iot", "IoT sensor"
        MANUAL = "manual", "Manual count"

    supplier_field = None  # internal stock levels are not shown to supplier contacts

    part = models.ForeignKey("parts.Part", on_delete=models.CASCADE, related_name="inventory")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="readings")
    on_hand = models.DecimalField(**QUANTITY)
    safety_stock = models.DecimalField(**QUANTITY, default=0)
    reorder_point = models.DecimalField(**QUANTITY, default=0)
    read_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ERP)
    sensor = models.CharField(
        max_length=100, blank=True, default="", help_text="The sensor that sent it."
    )

    class Meta:
        ordering = ["part", "site", "-read_at"]
        indexes = [
            models.Index(fields=["part", "site", "-read_at"], name="inventory_part_site_read"),
            models.Index(fields=["site", "-read_at"], name="inventory_site_read"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_hand__gte=0) & Q(safety_stock__gte=0) & Q(reorder_point__gte=0),
                name="inventory_quantities_not_negative",
            ),
            # A sensor's message delivered twice (MQTT QoS 1) is one reading.
            models.UniqueConstraint(
                fields=["part", "site", "sensor", "read_at"],
                condition=Q(source="iot"),
                name="inventory_sensor_reading_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site.code}: {self.on_hand}"


class InventoryReject(models.Model):
    """A stock message that could not be recorded (the dead-letter list): kept nowhere else."""

    supplier_field = None  # internal

    topic = models.CharField(max_length=500)
    payload = models.TextField(help_text="The first 2 KB of the payload.")
    reason = models.CharField(max_length=300)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic}: {self.reason}"
