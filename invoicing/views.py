"""The buyer's invoice pages: the list (filters and exports), an invoice with its match,
a decision, and keying in a paper invoice. Internal roles only (contacts: 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import editors_only, internal_only
from core.forms import form_add_service_errors, form_status, redirect_back
from core.pagination import filtered_list_page
from invoicing.filters import InvoiceFilter
from invoicing.forms import DecisionForm, InvoiceForm, line_rows
from invoicing.selectors import invoice_detail_list, invoice_list, order_lines_billable
from invoicing.services import invoice_approve, invoice_reject, invoice_submit
from suppliers.selectors import visible_suppliers

EDITOR_MESSAGE = "Only buyers and admins decide invoices and key them in."


@internal_only
def invoice_list_page(request):
    rows = invoice_list(user=request.user)
    return filtered_list_page(
        request, "invoicing/invoice_list.html", filter_class=InvoiceFilter, rows=rows
    )


@internal_only
def invoice_detail(request, pk: int):
    invoice = get_object_or_404(invoice_detail_list(user=request.user), pk=pk)
    return render(
        request,
        "invoicing/invoice_detail.html",
        {"invoice": invoice, "lines": invoice.lines.all(), "form": DecisionForm()},
    )


@editors_only(message=EDITOR_MESSAGE, methods=["POST"])
def invoice_decide(request, pk: int):
    invoice = get_object_or_404(invoice_list(user=request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject and give the reason.")
    else:
        decide = invoice_approve if form.cleaned_data["decision"] == "approve" else invoice_reject
        try:
            decided = decide(invoice=invoice, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Invoice {decided.number} {decided.get_status_display().lower()}."
            )
    return redirect_back(request, "invoicing:detail", pk=invoice.pk)


@editors_only(message=EDITOR_MESSAGE)
def invoice_new(request):
    """Key in a paper invoice: pick the supplier, then the lines received and not billed."""
    code = (request.GET.get("supplier") or request.POST.get("supplier") or "").strip()
    supplier = visible_suppliers(request.user).filter(code__iexact=code).first() if code else None
    if supplier is None:
        return render(request, "invoicing/invoice_new.html", {"supplier": None, "code": code})
    lines = order_lines_billable(user=request.user, supplier_id=supplier.pk)
    form = InvoiceForm(request.POST or None, lines=lines, initial={"currency": supplier.currency})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = invoice_submit(
                supplier=supplier,
                actor=request.user,
                **{k: data[k] for k in ("number", "invoice_date", "due_date", "currency")},
                **{k: data[k] for k in ("freight", "other_charges", "lines")},
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Invoice {invoice.number} {invoice.get_status_display().lower()}."
            )
            return redirect("invoicing:detail", pk=invoice.pk)
    return render(
        request,
        "invoicing/invoice_new.html",
        {"supplier": supplier, "form": form, "rows": line_rows(form, lines), "code": supplier.code},
        status=form_status(form),
    )
