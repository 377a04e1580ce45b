"""Engine pages: the exceptions queue and split-a-demand. Internal only (contacts: 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render

from accounts.access import editors_only, internal_only, require_role
from accounts.roles import EDITOR_ROLES
from core.forms import redirect_back
from core.pagination import PAGE_SIZE, page_context
from invoicing.selectors import invoice_exception_queue
from rules.cards import exception_cards
from rules.forms import BulkDecisionForm, DecisionForm, DemandSplitForm, ExceptionFilterForm
from rules.selectors import automation_rate, exception_list
from rules.services import (
    demand_split,
    demand_split_order,
    exception_approve,
    exception_reject,
    exceptions_decide,
    exceptions_refresh,
)

EDITOR_MESSAGE = "Only buyers and admins decide exceptions and place orders."


@internal_only
def exception_queue(request):
    # Shares may have moved since the last evaluation (a buyer's edit): re-propose or close
    # stale proposals before showing them, so every open one can be approved.
    exceptions_refresh()
    form = ExceptionFilterForm(request.GET or {"state": "open"})
    rows = exception_list(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["supplier"]:
            rows = rows.filter(supplier__code__iexact=data["supplier"])
        if data["part"]:
            rows = rows.filter(part__number__iexact=data["part"])
    paged = page_context(request, rows)
    page = paged["page"]
    page.object_list = list(page.object_list)
    cards = exception_cards(exceptions=page.object_list)
    for exception in page.object_list:
        exception.card = cards.get(exception.pk)
    context = {
        "form": form,
        **paged,
        "rate": automation_rate(),
        "invoice_exceptions": invoice_exception_queue(user=request.user)[:PAGE_SIZE],
    }
    return render(request, "rules/exception_list.html", context)


@editors_only(message=EDITOR_MESSAGE, methods=["POST"])
def exception_decide(request, exception_id: int):
    exception = get_object_or_404(exception_list(user=request.user), pk=exception_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject; a comment is at most 2,000 characters.")
    else:
        decide = (
            exception_approve if form.cleaned_data["decision"] == "approve" else exception_reject
        )
        options = {"comment": form.cleaned_data["comment"]}
        if decide is exception_approve:
            options["widen_bounds"] = form.cleaned_data["widen_bounds"]
        try:
            decided = decide(exception=exception, user=request.user, **options)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Exception #{decided.pk} {decided.state}.")
    return redirect_back(request, "rules:exceptions")


@editors_only(message=EDITOR_MESSAGE, methods=["POST"])
def exceptions_bulk_decide(request):
    """Approve or reject every ticked exception with one click (each decided on its own)."""
    open_ids = exception_list(user=request.user).filter(state="open").values_list("pk", flat=True)
    form = BulkDecisionForm(request.POST, open_ids=list(open_ids))
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect_back(request, "rules:exceptions")
    data = form.cleaned_data
    decided, problems = exceptions_decide(
        exception_ids=data["ids"],
        approve=data["decision"] == "approve",
        user=request.user,
        comment=data["comment"],
    )
    states = sorted({e.state for e in decided})
    if decided:
        messages.success(request, f"{len(decided)} exception(s) {' / '.join(states)}.")
    for problem in problems:
        messages.error(request, problem)
    return redirect_back(request, "rules:exceptions")


@internal_only
def split_demand(request):
    form = DemandSplitForm(request.POST or request.GET or None)
    split, orders = None, []
    if form.is_bound and form.is_valid():
        arguments = {k: form.cleaned_data[k] for k in ("part", "quantity", "need_date")}
        try:
            if request.method == "POST" and "place_orders" in request.POST:
                require_role(request, EDITOR_ROLES, EDITOR_MESSAGE)
                split, orders = demand_split_order(**arguments, user=request.user)
                messages.success(
                    request,
                    "Placed " + ", ".join(po.number for po in orders)
                    if orders
                    else "Nothing to order.",
                )
            else:
                split = demand_split(**arguments)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
    return render(
        request, "rules/demand_split.html", {"form": form, "split": split, "orders": orders}
    )
