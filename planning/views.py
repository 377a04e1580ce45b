"""Planning pages: suggested orders (one click to release one or many) and a part's
planning page (inputs with their origin, the policy, its figures and a simulated year).
Internal only: contacts get 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, user_role
from parts.models import Part
from planning.charts import year_figure
from planning.filters import SuggestionFilter
from planning.selectors import policy_list, portfolio_savings, suggestion_list
from planning.services import suggestions_release

PAGE_SIZE = 50


def _internal(request) -> None:
    if user_role(request.user) not in INTERNAL_ROLES:
        raise Http404()


@login_required
def suggestions(request):
    _internal(request)
    query = request.GET.copy()
    query.setdefault("state", "open")
    filtered = SuggestionFilter(query, queryset=suggestion_list(user=request.user))
    page = Paginator(filtered.qs.order_by("need_date", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query.pop("page", None)
    context = {
        "filter": filtered,
        "page": page,
        "query": query.urlencode(),
        "can_edit": user_role(request.user) in EDITOR_ROLES,
        "savings": portfolio_savings(user=request.user),
    }
    return render(request, "planning/suggestions.html", context)


@login_required
@require_POST
def release(request):
    _internal(request)
    if user_role(request.user) not in EDITOR_ROLES:
        raise PermissionDenied("Only buyers and admins release orders.")
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


@login_required
def part_planning(request, part_number: str):
    _internal(request)
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
