"""The supplier contact's invoice pages: its invoices and their states (a rejected one
with the reason), one invoice's match, and submitting one (or a correction)."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import contact_required
from core.forms import form_add_service_errors, form_status
from core.pagination import filtered_list_page
from invoicing.filters import InvoiceFilter
from invoicing.forms import InvoiceForm, line_rows
from invoicing.models import Invoice
from invoicing.selectors import invoice_detail_list, invoice_list, order_lines_billable
from invoicing.services import invoice_submit


@contact_required
def invoices(request):
    rows = invoice_list(user=request.user)
    return filtered_list_page(
        request, "portal/invoice_list.html", filter_class=InvoiceFilter, rows=rows
    )


@contact_required
def invoice_detail(request, pk: int):
    invoice = get_object_or_404(invoice_detail_list(user=request.user), pk=pk)
    return render(
        request, "portal/invoice_detail.html", {"invoice": invoice, "lines": invoice.lines.all()}
    )


@contact_required
def invoice_new(request):
    supplier = request.contact.supplier
    corrects = None
    corrects_id = request.GET.get("corrects") or request.POST.get("corrects")
    if corrects_id:
        corrects = get_object_or_404(
            invoice_detail_list(user=request.user).filter(status=Invoice.Status.REJECTED),
            pk=corrects_id if str(corrects_id).isdigit() else 0,
        )
    lines = order_lines_billable(user=request.user, supplier_id=supplier.pk)
    initial = {"currency": corrects.currency if corrects else supplier.currency}
    form = InvoiceForm(request.POST or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = invoice_submit(
                supplier=supplier,
                actor=request.user,
                corrects=corrects,
                **{k: data[k] for k in ("number", "invoice_date", "due_date", "currency")},
                **{k: data[k] for k in ("freight", "other_charges", "lines")},
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(
                request, f"Invoice {invoice.number} sent: {invoice.get_status_display().lower()}."
            )
            return redirect("portal:invoice_detail", pk=invoice.pk)
    preset = (
        {ln.line_id: (ln.quantity, ln.unit_price) for ln in corrects.lines.all()}
        if corrects
        else None
    )
    return render(
        request,
        "portal/invoice_new.html",
        {"form": form, "rows": line_rows(form, lines, preset=preset), "corrects": corrects},
        status=form_status(form),
    )
