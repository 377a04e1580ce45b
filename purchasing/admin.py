"""Orders, receipts, inspections and FX rates in the admin, saved through
`purchasing.services`: the same rules as the API, and the KPI refresh after each change."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin, form_values
from purchasing.models import (
    FxRate,
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
    TransitEvent,
)
from purchasing.services import (
    NO_NEW_ORDERS,
    fx_rate_delete,
    fx_rate_update,
    fx_rates_upsert,
    fx_rates_validate,
    inspection_delete,
    inspection_update,
    inspections_create,
    inspections_validate,
    purchase_order_create,
    purchase_order_delete,
    purchase_order_line_build,
    purchase_order_line_delete,
    purchase_order_update,
    receipt_delete,
    receipt_update,
    receipts_create,
    receipts_validate,
    ship_notice_create,
    ship_notice_update,
    transit_event_record,
)

LINE_FIELDS = ("part", "quantity", "unit_price", "requested_date", "status")


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    raw_id_fields = ["part"]
    # The promised date is the supplier's: set by acknowledgements, never here.
    fields = [
        "line_number",
        "part",
        "quantity",
        "unit_price",
        "requested_date",
        "status",
        "promised_date",
        "expected_date",
        "acknowledged_at",
    ]
    readonly_fields = ["promised_date", "expected_date", "acknowledged_at"]
    min_num = 1  # an order needs a line

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


def _line_data(line: PurchaseOrderLine, names) -> dict:
    return {"line_number": line.line_number, **{n: getattr(line, n) for n in names}}


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ServiceAdmin):
    list_display = ["number", "supplier", "order_date", "currency"]
    search_fields = ["number", "supplier__code"]
    date_hierarchy = "order_date"
    raw_id_fields = ["supplier", "created_by"]
    inlines = [PurchaseOrderLineInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "site":
            field.required = False  # empty: the main site
        return field

    def service_validate(self, request, obj, form, change):
        if not change and obj.supplier_id and obj.supplier.status in NO_NEW_ORDERS:
            raise ValidationError(
                {"supplier": f"{obj.supplier.code} takes no new orders ({obj.supplier.status})."}
            )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # A new order is created with its lines in save_related: an order needs a line.

    def service_update(self, request, stored, data, form):
        return purchase_order_update(
            purchase_order=stored,
            order_date=data.get("order_date"),
            currency=data.get("currency"),
            site=data.get("site"),
        )

    def service_delete(self, request, obj):
        purchase_order_delete(purchase_order=obj)

    def save_related(self, request, form, formsets, change):
        lines = next(f for f in formsets if f.model is PurchaseOrderLine)
        lines.save(commit=False)
        po = form.instance
        if not change:
            created = purchase_order_create(
                number=po.number,
                supplier=po.supplier,
                order_date=po.order_date,
                currency=po.currency,
                site=po.site if po.site_id else None,
                created_by=po.created_by,
                actor=request.user,
                lines=[
                    purchase_order_line_build(**_line_data(line, LINE_FIELDS))
                    for line in lines.new_objects
                ],
            )
            po.pk = created.pk
            po._state.adding = False
            return
        for line in lines.deleted_objects:
            purchase_order_line_delete(line=line, actor=request.user)
        changes = [_line_data(line, names) for line, names in lines.changed_objects]
        changes += [_line_data(line, LINE_FIELDS) for line in lines.new_objects]
        if changes:
            stored = PurchaseOrder.objects.get(pk=po.pk)
            purchase_order_update(purchase_order=stored, lines=changes)


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(ServiceAdmin):
    list_display = ["__str__", "part", "quantity", "requested_date", "promised_date", "status"]
    list_filter = ["status"]
    search_fields = ["purchase_order__number", "part__number"]
    raw_id_fields = ["purchase_order", "part"]
    fields = (
        PurchaseOrderLineInline.fields[:1] + ["purchase_order"] + PurchaseOrderLineInline.fields[1:]
    )
    readonly_fields = PurchaseOrderLineInline.readonly_fields

    def service_create(self, request, obj, form):
        purchase_order_update(
            purchase_order=obj.purchase_order, lines=[_line_data(obj, LINE_FIELDS)]
        )
        return obj.purchase_order.lines.get(line_number=obj.line_number)

    def service_update(self, request, stored, data, form):
        if "purchase_order" in data:
            raise ValidationError({"purchase_order": "A line cannot move to another order."})
        names = [n for n in LINE_FIELDS if n in data]
        purchase_order_update(
            purchase_order=stored.purchase_order,
            lines=[_line_data(stored, []) | {n: data[n] for n in names}],
        )
        return stored

    def service_delete(self, request, obj):
        purchase_order_line_delete(line=obj, actor=request.user)


@admin.register(PromiseRevision)
class PromiseRevisionAdmin(admin.ModelAdmin):
    """Written by acknowledgements only: the history of a line's expected date."""

    list_display = ["line", "previous_date", "new_date", "reason", "created_at"]
    raw_id_fields = ["line", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ShipNoticeLineInline(admin.TabularInline):
    model = ShipNoticeLine
    extra = 0
    raw_id_fields = ["line"]


class TransitEventInline(admin.TabularInline):
    model = TransitEvent
    extra = 0


@admin.register(ShipNotice)
class ShipNoticeAdmin(ServiceAdmin):
    list_display = ["number", "supplier", "ship_date", "eta", "carrier", "is_delivered"]
    raw_id_fields = ["supplier"]
    inlines = [ShipNoticeLineInline, TransitEventInline]

    def service_create(self, request, obj, form):
        values = form_values(obj, form)
        return ship_notice_create(
            supplier=values.pop("supplier"),
            number=values.pop("number"),
            ship_date=values.pop("ship_date"),
            eta=values.pop("eta"),
            carrier=values.get("carrier", ""),
            tracking_number=values.get("tracking_number", ""),
            lines=[],
        )

    def service_update(self, request, stored, data, form):
        return ship_notice_update(ship_notice=stored, **data)

    def save_formset(self, request, form, formset, change):
        if formset.model is TransitEvent:
            # New events through the service: the newest sets the location and ETA.
            formset.save(commit=False)
            for event in formset.deleted_objects:
                event.delete()
            for event, _ in formset.changed_objects:
                event.save()
            for event in formset.new_objects:
                transit_event_record(
                    ship_notice=form.instance,
                    occurred_at=event.occurred_at,
                    location=event.location,
                    eta=event.eta,
                    description=event.description,
                )
            return
        super().save_formset(request, form, formset, change)


def _first(errors: dict) -> None:
    if errors:
        raise ValidationError(errors[0])


@admin.register(Receipt)
class ReceiptAdmin(ServiceAdmin):
    list_display = ["number", "line", "receipt_date", "quantity", "cost_currency"]
    search_fields = ["number", "line__purchase_order__number"]
    date_hierarchy = "receipt_date"
    raw_id_fields = ["line", "ship_notice"]

    def service_validate(self, request, obj, form, change):
        _first(receipts_validate(receipts=[obj]))

    def service_create(self, request, obj, form):
        return receipts_create(receipts=[obj], validate=True)[0]

    def service_update(self, request, stored, data, form):
        return receipt_update(receipt=stored, **data)

    def service_delete(self, request, obj):
        receipt_delete(receipt=obj)


@admin.register(Inspection)
class InspectionAdmin(ServiceAdmin):
    list_display = ["receipt", "inspection_date", "inspected_quantity", "defective_quantity"]
    date_hierarchy = "inspection_date"
    raw_id_fields = ["receipt"]

    def service_validate(self, request, obj, form, change):
        _first(inspections_validate(inspections=[obj]))

    def service_create(self, request, obj, form):
        return inspections_create(inspections=[obj], validate=True)[0]

    def service_update(self, request, stored, data, form):
        return inspection_update(inspection=stored, **data)

    def service_delete(self, request, obj):
        inspection_delete(inspection=obj)


@admin.register(FxRate)
class FxRateAdmin(ServiceAdmin):
    list_display = ["currency", "date", "rate"]
    list_filter = ["currency"]

    def service_validate(self, request, obj, form, change):
        errors = fx_rates_validate(rates=[obj])
        if errors:
            raise ValidationError(errors[0])

    def service_create(self, request, obj, form):
        return fx_rates_upsert(rates=[obj], validate=True, actor=request.user)[0]

    def service_update(self, request, stored, data, form):
        return fx_rate_update(fx_rate=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        fx_rate_delete(fx_rate=obj, actor=request.user)
