"""Create and edit suppliers, parts (with their QC checklist), sources and purchase orders.

Views translate the forms into one service call inside a transaction; the service's field
errors go back onto the form, and nothing is written unless everything is valid.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import editors_only
from accounts.selectors import scope_for_user
from core.forms import form_status
from parts import services as part_services
from parts.models import ApprovedSource, Part
from parts.packs import pack_rounding_note, pack_sizes, whole_packs
from purchasing import services as order_services
from suppliers import services as supplier_services
from suppliers.selectors import visible_suppliers
from workspace.forms import (
    ChecklistFormSet,
    OrderLineFormSet,
    PartForm,
    PurchaseOrderForm,
    SourceForm,
    SupplierForm,
    errors_onto,
)

SUPPLIER_DATA = ["name", "country", "region", "currency", "status", "owner"]


@editors_only
def supplier_edit(request, code: str | None = None):
    supplier = None
    if code is not None:
        supplier = get_object_or_404(visible_suppliers(request.user), code=code)
    initial = {}
    if supplier is not None:
        initial = {
            "code": supplier.code,
            **{f: getattr(supplier, f) for f in SUPPLIER_DATA if f != "owner"},
            "owner": supplier.owner.username if supplier.owner else None,
            "primary_contact": supplier.primary_contact_id,
        }
    form = SupplierForm(request.POST or None, initial=initial, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in SUPPLIER_DATA}
        try:
            with transaction.atomic():
                if supplier is None:
                    supplier = supplier_services.supplier_create(
                        code=form.cleaned_data["code"], actor=request.user, **data
                    )
                    messages.success(request, f"Supplier {supplier.code} created.")
                else:
                    data["primary_contact"] = form.cleaned_data["primary_contact"]
                    data["reason"] = form.cleaned_data.get("reason", "")
                    supplier_services.supplier_update(
                        supplier=supplier, data=data, actor=request.user
                    )
                    messages.success(request, f"Supplier {supplier.code} saved.")
        except ValidationError as exc:
            errors_onto(form, exc)
            if code is None:
                supplier = None
        else:
            return redirect("suppliers:detail", code=supplier.code)
    return render(
        request,
        "workspace/forms/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=form_status(form),
    )


def _checklist(formset) -> list[dict]:
    return [
        {
            "code": f.cleaned_data["code"],
            "description": f.cleaned_data["description"],
            "is_critical": f.cleaned_data.get("is_critical", False),
        }
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


PART_DATA = [
    "name",
    "unit",
    "category",
    "specification_reference",
    "specification_revision",
    "is_critical",
]


@editors_only
def part_edit(request, number: str | None = None):
    part = None
    if number is not None:
        part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=number)
    initial, checklist_initial = {}, []
    if part is not None:
        initial = {"number": part.number, **{f: getattr(part, f) for f in PART_DATA}}
        checklist_initial = list(part.checklist.values("code", "description", "is_critical"))
    form = PartForm(request.POST or None, initial=initial, part=part)
    checklist = ChecklistFormSet(
        request.POST or None, initial=checklist_initial, prefix="checklist"
    )
    if request.method == "POST" and form.is_valid() and checklist.is_valid():
        data = {f: form.cleaned_data[f] for f in PART_DATA}
        try:
            with transaction.atomic():
                if part is None:
                    part = part_services.part_create(
                        number=form.cleaned_data["number"],
                        checklist=_checklist(checklist),
                        actor=request.user,
                        **data,
                    )
                else:
                    part_services.part_update(
                        part=part, data=data, checklist=_checklist(checklist), actor=request.user
                    )
        except ValidationError as exc:
            errors_onto(form, exc)
            if number is None:
                part = None
        else:
            messages.success(request, f"Part {part.number} saved.")
            return redirect("parts:detail", number=part.number)
    invalid = bool(form.errors) or any(checklist.errors) or bool(checklist.non_form_errors())
    return render(
        request,
        "workspace/forms/part_form.html",
        {"form": form, "checklist": checklist, "part": part},
        status=400 if invalid else 200,
    )


SOURCE_DATA = [
    "target_share_pct",
    "min_share_pct",
    "max_share_pct",
    "unit_price",
    "currency",
    "lead_time_days",
    "monthly_capacity",
    "moq",
    "pack_size",
    "is_active",
]


@editors_only
def source_edit(request, number: str, code: str | None = None):
    part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=number)
    source = None
    if code is not None:
        source = get_object_or_404(
            scope_for_user(ApprovedSource.objects.select_related("supplier"), request.user),
            part=part,
            supplier__code=code,
        )
    initial = {}
    if source is not None:
        initial = {"supplier": source.supplier.code, **{f: getattr(source, f) for f in SOURCE_DATA}}
    form = SourceForm(request.POST or None, initial=initial, source=source)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in SOURCE_DATA}
        try:
            with transaction.atomic():
                if source is None:
                    part_services.source_create(
                        part=part,
                        supplier=form.cleaned_data["supplier"],
                        actor=request.user,
                        **data,
                    )
                else:
                    part_services.source_update(source=source, data=data, actor=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, f"Source of {part.number} saved.")
            return redirect("parts:detail", number=part.number)
    return render(
        request,
        "workspace/forms/source_form.html",
        {"form": form, "part": part, "source": source},
        status=form_status(form),
    )


def _whole_packs(supplier, lines: list[dict]) -> list[tuple]:
    """Each entered line's quantity in the source's whole packs, with a note when rounded."""
    sizes = pack_sizes(pairs=[(line["part"].pk, supplier.pk) for line in lines])
    rounded = []
    for line in lines:
        size = sizes[line["part"].pk, supplier.pk]
        quantity = whole_packs(line["quantity"], size)
        rounded.append((quantity, pack_rounding_note(line["quantity"], quantity, size)))
    return rounded


def _line_dates_onto(lines, order_date) -> None:
    """A line dated before the order is an error on that line's date field."""
    for line in lines.forms:
        data = getattr(line, "cleaned_data", None) or {}
        found = order_services.line_date_errors(
            order_date=order_date,
            requested_date=data.get("requested_date"),
            promised_date=data.get("promised_date"),
        )
        for field, message in found.items():
            line.add_error(field, message)


@editors_only
def order_create(request):
    initial = {}
    if request.GET.get("supplier"):
        supplier = visible_suppliers(request.user).filter(code=request.GET["supplier"]).first()
        if supplier is not None:
            initial = {"supplier": supplier.code, "currency": supplier.currency}
    form = PurchaseOrderForm(request.POST or None, initial=initial)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        _line_dates_onto(lines, form.cleaned_data["order_date"])
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        entered = [f.cleaned_data for f in lines.forms if f.cleaned_data]
        rounded = _whole_packs(form.cleaned_data["supplier"], entered)
        built = [
            order_services.purchase_order_line_build(
                line_number=index,
                part=line["part"],
                quantity=quantity,
                unit_price=line["unit_price"],
                requested_date=line["requested_date"],
                promised_date=line.get("promised_date"),
                status=line["status"],
            )
            for index, (line, (quantity, _)) in enumerate(zip(entered, rounded, strict=True), 1)
        ]
        try:
            with transaction.atomic():
                order = order_services.purchase_order_create(
                    number=form.cleaned_data["number"],
                    supplier=form.cleaned_data["supplier"],
                    order_date=form.cleaned_data["order_date"],
                    currency=form.cleaned_data["currency"],
                    site=form.cleaned_data.get("site"),
                    lines=built,
                    actor=request.user,
                    allow_spot_buy=form.cleaned_data["confirm_spot_buy"],
                )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, f"Purchase order {order.number} created.")
            for index, (_, note) in enumerate(rounded, start=1):
                if note:
                    messages.info(request, f"Line {index}: {note}.")
            return redirect("orders:detail", number=order.number)
    invalid = bool(form.errors) or any(lines.errors) or bool(lines.non_form_errors())
    return render(
        request,
        "workspace/forms/order_form.html",
        {"form": form, "lines": lines},
        status=400 if invalid else 200,
    )
