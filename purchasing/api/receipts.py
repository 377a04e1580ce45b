"""/api/v1/receipts/ and /api/v1/inspections/: one object or a bulk list per POST.

Bulk batches are validated as a whole: references (PO number + line, receipt number)
are resolved with one query per model, uniqueness with one query plus a check within the
batch, and the batch is written with one bulk insert; one bad item and nothing is written.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from accounts.api import ScopedViewSet
from core.api import (
    BatchItemSerializer,
    BulkCreateMixin,
    add_error,
    bulk_create_schema,
    context_user,
)
from core.fields import CurrencyField, PositiveDecimalField, SaneDateField, StrictCharField
from core.validators import natural_key_validator
from parts.models import InspectionCharacteristic
from purchasing.api.refs import Row, model_instances, order_lines_by_key, receipts_by_number
from purchasing.filters import InspectionFilter, ReceiptFilter
from purchasing.models import Inspection, PurchaseOrderLine, Receipt
from purchasing.services import (
    inspection_delete,
    inspection_update,
    inspections_create,
    receipt_delete,
    receipt_update,
    receipts_create,
)

ZERO = Decimal("0")


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=ZERO, default=ZERO, **kwargs
    )


class ReceiptSerializer(BatchItemSerializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(
        max_length=40, validators=[natural_key_validator], help_text="Goods-receipt number."
    )
    purchase_order = serializers.CharField(
        source="line.purchase_order.number", max_length=40, help_text="PO number."
    )
    line = serializers.IntegerField(
        source="line.line_number", min_value=1, max_value=2_147_483_647, help_text="PO line."
    )
    part = serializers.CharField(source="line.part.number", read_only=True)
    supplier = serializers.CharField(source="line.purchase_order.supplier.code", read_only=True)
    receipt_date = SaneDateField()
    quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    freight = _money()
    duty = _money()
    other_costs = _money()
    cost_currency = CurrencyField(
        required=False, help_text="Currency of freight, duty and other costs; default: the PO's."
    )
    created_at = serializers.DateTimeField(read_only=True)

    def flatten(self, validated):
        line = validated.pop("line", {})
        if "purchase_order" in line:
            validated["purchase_order"] = line["purchase_order"]["number"]
        if "line_number" in line:
            validated["line_number"] = line["line_number"]
        return validated

    def instance_values(self, receipt):
        return {
            "number": receipt.number,
            "purchase_order": receipt.line.purchase_order.number,
            "line_number": receipt.line.line_number,
            "receipt_date": receipt.receipt_date,
            "quantity": receipt.quantity,
            "freight": receipt.freight,
            "duty": receipt.duty,
            "other_costs": receipt.other_costs,
            "cost_currency": receipt.cost_currency,
        }

    def validate_batch(self, items, errors):
        valid = [(i, item) for i, item in enumerate(items) if item is not None]
        lines = order_lines_by_key(
            user=context_user(self.context),
            po_numbers={item["purchase_order"] for _, item in valid},
        )
        known_orders = {po for po, _ in lines}
        taken = Receipt.objects.filter(number__in=[item["number"] for _, item in valid])
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        taken = set(taken.values_list("number", flat=True))
        first_seen: dict[str, int] = {}
        for index, item in valid:
            number = item["number"]
            if number in taken:
                add_error(errors, index, "number", f"Receipt {number} already exists.")
            elif number in first_seen:
                add_error(
                    errors,
                    index,
                    "number",
                    f"Receipt {number} appears twice in this batch "
                    f"(items {first_seen[number]} and {index}).",
                )
            else:
                first_seen[number] = index
            po, line_number = item["purchase_order"], item["line_number"]
            line = lines.get((po, line_number))
            if line is None:
                if po in known_orders:
                    add_error(errors, index, "line", f"Order {po} has no line {line_number}.")
                else:
                    add_error(errors, index, "purchase_order", f"No purchase order {po}.")
            elif line.status == PurchaseOrderLine.Status.CANCELLED:
                add_error(
                    errors,
                    index,
                    "line",
                    f"Line {po}/{line_number} is cancelled; nothing can be received on it.",
                )
            else:
                item["line_ref"] = line
                item.setdefault("cost_currency", line.purchase_order.currency)

    @staticmethod
    def _fields(item) -> dict:
        return {
            "number": item["number"],
            "line_id": item["line_ref"].pk,
            "receipt_date": item["receipt_date"],
            "quantity": item["quantity"],
            "freight": item.get("freight", ZERO),
            "duty": item.get("duty", ZERO),
            "other_costs": item.get("other_costs", ZERO),
            "cost_currency": item["cost_currency"],
        }

    def create_batch(self, items):
        rows = [self._fields(item) for item in items]
        created = receipts_create(
            receipts=model_instances(Receipt, rows),
            supplier_ids={item["line_ref"].purchase_order.supplier.pk for item in items},
        )
        # The response is built from what was validated: no per-row reload of the lines.
        return [
            Row(**row, id=receipt.pk, created_at=receipt.created_at, line=item["line_ref"])
            for row, item, receipt in zip(rows, items, created, strict=True)
        ]

    def update(self, instance, validated_data):
        return receipt_update(receipt=instance, **self._fields(validated_data))


@extend_schema_view(create=bulk_create_schema(ReceiptSerializer, noun="goods receipt"))
class ReceiptViewSet(BulkCreateMixin, ScopedViewSet):
    """Goods receipts, by goods-receipt number. POST a list to create many at once."""

    queryset = Receipt.objects.select_related(
        "line__purchase_order__supplier", "line__part"
    ).order_by("-receipt_date", "number")
    serializer_class = ReceiptSerializer
    filterset_class = ReceiptFilter
    lookup_field = "number"

    def perform_destroy(self, instance):
        receipt_delete(receipt=instance)


class DefectCodesField(serializers.ListField):
    child = StrictCharField(max_length=32)

    def __init__(self, **kwargs):
        super().__init__(max_length=50, **kwargs)


class InspectionSerializer(BatchItemSerializer):
    id = serializers.IntegerField(read_only=True)
    receipt = serializers.CharField(
        source="receipt.number", max_length=40, help_text="Goods-receipt number."
    )
    purchase_order = serializers.CharField(
        source="receipt.line.purchase_order.number", read_only=True
    )
    line = serializers.IntegerField(source="receipt.line.line_number", read_only=True)
    part = serializers.CharField(source="receipt.line.part.number", read_only=True)
    supplier = serializers.CharField(
        source="receipt.line.purchase_order.supplier.code", read_only=True
    )
    inspection_date = SaneDateField()
    inspected_quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    defective_quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=ZERO, default=ZERO
    )
    defect_codes = DefectCodesField(
        default=list, help_text="Codes from the part's QC checklist (when it has one)."
    )
    disposition = serializers.ChoiceField(
        choices=Inspection.Disposition.choices, default=Inspection.Disposition.ACCEPT
    )
    created_at = serializers.DateTimeField(read_only=True)

    def flatten(self, validated):
        receipt = validated.pop("receipt", {})
        if "number" in receipt:
            validated["receipt_number"] = receipt["number"]
        return validated

    def instance_values(self, inspection):
        return {
            "receipt_number": inspection.receipt.number,
            "inspection_date": inspection.inspection_date,
            "inspected_quantity": inspection.inspected_quantity,
            "defective_quantity": inspection.defective_quantity,
            "defect_codes": inspection.defect_codes,
            "disposition": inspection.disposition,
        }

    def validate_batch(self, items, errors):
        valid = [(i, item) for i, item in enumerate(items) if item is not None]
        by_number = receipts_by_number(
            user=context_user(self.context),
            numbers={item["receipt_number"] for _, item in valid},
        )
        checklists: dict[int, set[str]] = {}
        for part_id, code in InspectionCharacteristic.objects.filter(
            part_id__in={r.line.part.pk for r in by_number.values()}
        ).values_list("part_id", "code"):
            checklists.setdefault(part_id, set()).add(code)
        for index, item in valid:
            defective = item.get("defective_quantity", ZERO)
            inspected = item["inspected_quantity"]
            if defective > inspected:
                add_error(
                    errors,
                    index,
                    "defective_quantity",
                    f"Defective ({defective}) cannot exceed inspected ({inspected}).",
                )
            codes = item.get("defect_codes", [])
            if len(set(codes)) != len(codes):
                add_error(errors, index, "defect_codes", "Each defect code may appear once.")
            receipt = by_number.get(item["receipt_number"])
            if receipt is None:
                add_error(errors, index, "receipt", f"No receipt {item['receipt_number']}.")
                continue
            item["receipt_ref"] = receipt
            if inspected > receipt.quantity:
                add_error(
                    errors,
                    index,
                    "inspected_quantity",
                    f"Only {receipt.quantity} were received on {receipt.number}.",
                )
            if item["inspection_date"] < receipt.receipt_date:
                add_error(
                    errors,
                    index,
                    "inspection_date",
                    f"Goods cannot be inspected before they arrived ({receipt.receipt_date}).",
                )
            checklist = checklists.get(receipt.line.part.pk)
            unknown = sorted(set(codes) - checklist) if checklist else []
            if unknown:
                add_error(
                    errors,
                    index,
                    "defect_codes",
                    f"Not on the checklist of part {receipt.line.part.number}: "
                    f"{', '.join(unknown)} (allowed: {', '.join(sorted(checklist))}).",
                )

    @staticmethod
    def _fields(item) -> dict:
        return {
            "receipt_id": item["receipt_ref"].pk,
            "inspection_date": item["inspection_date"],
            "inspected_quantity": item["inspected_quantity"],
            "defective_quantity": item.get("defective_quantity", ZERO),
            "defect_codes": list(item.get("defect_codes", [])),
            "disposition": item.get("disposition", Inspection.Disposition.ACCEPT),
        }

    def create_batch(self, items):
        rows = [self._fields(item) for item in items]
        created = inspections_create(
            inspections=model_instances(Inspection, rows),
            supplier_ids={item["receipt_ref"].line.purchase_order.supplier.pk for item in items},
        )
        return [
            Row(
                **row,
                id=inspection.pk,
                created_at=inspection.created_at,
                receipt=item["receipt_ref"],
            )
            for row, item, inspection in zip(rows, items, created, strict=True)
        ]

    def update(self, instance, validated_data):
        return inspection_update(inspection=instance, **self._fields(validated_data))


@extend_schema_view(create=bulk_create_schema(InspectionSerializer, noun="inspection"))
class InspectionViewSet(BulkCreateMixin, ScopedViewSet):
    """Incoming inspections of receipts. POST a list to create many at once."""

    queryset = Inspection.objects.select_related(
        "receipt__line__purchase_order__supplier", "receipt__line__part"
    ).order_by("-inspection_date", "-id")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def perform_destroy(self, instance):
        inspection_delete(inspection=instance)
