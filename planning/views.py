"""Planning pages: suggested orders (one click to release one or many) and a part's
planning page (inputs with their origin, the policy, its figures and a simulated year).
Internal only: contacts get 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import editors_only, internal_only
from accounts.roles import user_can_edit
from core.pagination import page_context
from parts.models import Part
from planning.charts import year_figure
from planning.filters import SuggestionFilter
from planning.selectors import policy_list, portfolio_savings, suggestion_list
from planning.services import suggestions_release


@internal_only
def suggestions(request):
    query = request.GET.copy()
    query.setdefault("state", "open")
    filtered = SuggestionFilter(query, queryset=suggestion_list(user=request.user))
    context = {
        "filter": filtered,
        **page_context(request, filtered.qs.order_by("need_date", "pk"), query=query),
        "can_edit": user_can_edit(request.user),
        "savings": portfolio_savings(user=request.user),
    }
    return render(request, "planning/suggestions.html", context)


@editors_only(message="Only buyers and admins release orders.", methods=["POST"])
def release(request):
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    chosen = list(suggestion_list(user=request.user).filter(pk__in=ids, state="open"))
    if not chosen:
        messages.error(request, "Select at least one open suggestion.")
    else:
        try:
            orders = suggestions_release(suggestions=chosen, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            numbers = ", ".join(po.number for po in orders)
            messages.success(request, f"Released {len(chosen)} suggestion(s): {numbers}.")
    return redirect("planning:suggestions")


@internal_only
def part_planning(request, part_number: str):
    part = get_object_or_404(Part, number=part_number)
    policies = list(policy_list(user=request.user).filter(part=part).order_by("site"))
    site = request.GET.get("site") or (policies[0].site_id if policies else "")
    policy = next((p for p in policies if p.site_id == site), None)
    open_rows = suggestion_list(user=request.user).filter(part=part, site=site, state="open")
    context = {
        "part": part,
        "sites": [p.site_id for p in policies],
        "site": site,
        "policy": policy,
        "figure": year_figure(_with_table(policy)) if policy else None,
        "suggestions": open_rows,
    }
    return render(request, "planning/part.html", context)


def _with_table(policy):
    if policy.kind == "exact":
        policy.refresh_from_db(fields=["table"])
    return policy
