"""The buyer's invoice pages: the list (filters and exports), an invoice with its match,
a decision, and keying in a paper invoice. Internal roles only (contacts: 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, user_role
from core.forms import form_add_service_errors
from invoicing.filters import InvoiceFilter
from invoicing.forms import DecisionForm, InvoiceForm, line_rows
from invoicing.selectors import invoice_detail_list, invoice_list, order_lines_billable
from invoicing.services import invoice_approve, invoice_reject, invoice_submit
from suppliers.selectors import visible_suppliers

PAGE_SIZE = 50


def _internal(request) -> None:
    if user_role(request.user) not in INTERNAL_ROLES:
        raise Http404("No such page.")


def _editor(request) -> None:
    _internal(request)
    if user_role(request.user) not in EDITOR_ROLES:
        raise PermissionDenied("Only buyers and admins decide invoices and key them in.")


@login_required
def invoice_list_page(request):
    _internal(request)
    filterset = InvoiceFilter(
        request.GET, queryset=invoice_list(user=request.user), request=request
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "invoicing/invoice_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def invoice_detail(request, pk: int):
    _internal(request)
    invoice = get_object_or_404(invoice_detail_list(user=request.user), pk=pk)
    return render(
        request,
        "invoicing/invoice_detail.html",
        {"invoice": invoice, "lines": invoice.lines.all(), "form": DecisionForm()},
    )


@login_required
@require_POST
def invoice_decide(request, pk: int):
    _editor(request)
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
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "invoicing:detail", **({} if back else {"pk": invoice.pk}))


@login_required
def invoice_new(request):
    """Key in a paper invoice: pick the supplier, then the lines received and not billed."""
    _editor(request)
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
        status=400 if form.is_bound and form.errors else 200,
    )
