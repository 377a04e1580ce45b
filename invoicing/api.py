"""/api/v1/invoices/: supplier invoices. Contacts submit their own and read their states;
buyers key in paper invoices, approve or reject exceptions; the ERP marks approved ones
paid. `?status=approved&format=csv|xlsx` is the payment export."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.roles import Role, user_role
from accounts.selectors import scope_for_user, user_supplier_id
from core.api import context_user
from core.fields import CurrencyField, PositiveDecimalField, SaneDateField
from core.validators import natural_key_validator
from invoicing.filters import InvoiceFilter
from invoicing.models import Invoice
from invoicing.selectors import invoice_detail_list
from invoicing.services import (
    BilledLine,
    invoice_approve,
    invoice_reject,
    invoice_submit,
    invoices_mark_paid,
)
from purchasing.models import PurchaseOrderLine
from suppliers.models import Supplier

MONEY = {"max_digits": 14, "decimal_places": 4}


class InvoiceLineSerializer(serializers.Serializer):
    purchase_order = serializers.CharField(source="line.purchase_order.number", max_length=40)
    line = serializers.IntegerField(source="line.line_number", min_value=1, max_value=99_999)
    part = serializers.CharField(source="line.part.number", read_only=True)
    quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    unit_price = serializers.DecimalField(**MONEY, min_value=0)
    match = serializers.CharField(read_only=True, help_text='"ok" or why the line mismatches.')
    ordered_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    received_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    invoiced_before = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    expected_price = serializers.DecimalField(**MONEY, read_only=True)
    price_difference = serializers.DecimalField(**MONEY, read_only=True)


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(max_length=40, validators=[natural_key_validator])
    supplier = NaturalKeyField(
        slug_field="code",
        queryset=Supplier.objects.all(),
        label_noun="supplier",
        required=False,
        help_text="Supplier code; a supplier contact's invoices are always its own supplier's.",
    )
    invoice_date = SaneDateField()
    due_date = SaneDateField(required=False, help_text="Default: 30 days after the invoice.")
    currency = CurrencyField()
    freight = serializers.DecimalField(**MONEY, min_value=0, default=0)
    other_charges = serializers.DecimalField(**MONEY, min_value=0, default=0)
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    corrects = serializers.CharField(
        source="corrects.number",
        required=False,
        allow_null=True,
        max_length=40,
        help_text="Number of the rejected invoice this one corrects.",
    )
    status = serializers.CharField(read_only=True)
    approved_by_engine = serializers.BooleanField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    decided_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(read_only=True)
    paid_at = serializers.DateField(read_only=True)
    payment_reference = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    lines = InvoiceLineSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        user = context_user(self.context)
        supplier = attrs.get("supplier")
        own = user_supplier_id(user)
        if own is not None:
            supplier = Supplier.objects.get(pk=own)
        elif supplier is None:
            raise serializers.ValidationError({"supplier": "This field is required."})
        attrs["supplier"] = supplier
        corrects = (attrs.pop("corrects", None) or {}).get("number")
        if corrects:
            attrs["corrects"] = scope_for_user(
                Invoice.objects.filter(supplier=supplier, number=corrects), user
            ).first()
            if attrs["corrects"] is None:
                raise serializers.ValidationError(
                    {"corrects": f"{supplier.code} has no invoice {corrects}."}
                )
        attrs["lines"] = self._resolve_lines(attrs["lines"], supplier, user)
        return attrs

    def _resolve_lines(self, lines, supplier, user):
        """Order lines by (order number, line); a contact naming an order that is not its
        own finds nothing (404), a buyer naming another supplier's is told so (400)."""
        keys = [(ln["line"]["purchase_order"]["number"], ln["line"]["line_number"]) for ln in lines]
        found = PurchaseOrderLine.objects.filter(
            purchase_order__number__in={po for po, _ in keys}
        ).select_related("purchase_order")
        visible = {ln.pk for ln in scope_for_user(found, user)}
        by_key = {(ln.purchase_order.number, ln.line_number): ln for ln in found}
        errors, resolved, hidden = {}, [], False
        for index, (key, item) in enumerate(zip(keys, lines, strict=True)):
            line = by_key.get(key)
            if line is None or line.pk not in visible:
                hidden = hidden or line is not None
                errors[index] = {"line": [f"No order line {key[0]}/{key[1]}."]}
                continue
            resolved.append(BilledLine(line, item["quantity"], item["unit_price"]))
        if errors:
            if hidden and user_role(user) == Role.SUPPLIER:
                raise exceptions.NotFound({"lines": errors})
            raise serializers.ValidationError({"lines": errors})
        return resolved

    def create(self, validated_data):
        return invoice_submit(actor=context_user(self.context), **validated_data)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Required; the supplier sees it.")


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="The invoice's id, or:")
    supplier = serializers.CharField(required=False, max_length=32)
    number = serializers.CharField(required=False, max_length=40)
    paid_at = SaneDateField(required=False, help_text="Default: today.")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)


class InvoiceViewSet(ScopedViewSet):
    """Supplier invoices, newest first. Contacts submit their own (`supplier` defaults to
    theirs); `approve` / `reject` with a `reason` are for buyers; `paid` is the ERP's."""

    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "head", "options"]
    supplier_actions = ("create",)

    def get_queryset(self):
        return invoice_detail_list(user=self.request.user)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def _decide(self, request, decide):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decided = decide(
            invoice=self.get_object(), user=request.user, reason=payload.validated_data["reason"]
        )
        invoice = self.get_queryset().get(pk=decided.pk)
        return Response(InvoiceSerializer(invoice, context=self.get_serializer_context()).data)

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve an invoice the engine left to a buyer (the reason is kept)."""
        return self._decide(request, invoice_approve)

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject it: the supplier sees the reason and may send a corrected invoice."""
        return self._decide(request, invoice_reject)

    @extend_schema(request=PaymentSerializer(many=True), responses=InvoiceSerializer(many=True))
    @action(detail=False, methods=["post"])
    def paid(self, request):
        """The ERP paid approved invoices: one object or a list, by `id` or `supplier` +
        `number`, with `paid_at` and `reference`; all or nothing."""
        items = request.data if isinstance(request.data, list) else [request.data]
        payload = PaymentSerializer(data=items, many=True)
        payload.is_valid(raise_exception=True)
        payments, errors = [], {}
        invoices = self.get_queryset()
        for index, item in enumerate(payload.validated_data):
            if "id" in item:
                invoice = invoices.filter(pk=item["id"]).first()
            else:
                invoice = invoices.filter(
                    supplier__code=item.get("supplier", ""), number=item.get("number", "")
                ).first()
            if invoice is None:
                errors[index] = {"id": ["No such invoice; name it by id or supplier + number."]}
                continue
            payments.append((invoice, item.get("paid_at"), item.get("reference", "")))
        if errors:
            raise serializers.ValidationError(errors)
        with transaction.atomic():
            paid = invoices_mark_paid(payments=payments)
        rows = self.get_queryset().filter(pk__in=[i.pk for i in paid])
        data = InvoiceSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK)
