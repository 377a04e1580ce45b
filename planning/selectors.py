"""Planning reads (docs/planning.md). Contacts never see plans, policies or suggestions:
these models name no supplier path, so `scope_for_user` gives them nothing."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.selectors import scope_for_user
from planning.models import DemandPlan, ReplenishmentPolicy, ReplenishmentSuggestion


def suggestion_list(*, user) -> QuerySet[ReplenishmentSuggestion]:
    qs = ReplenishmentSuggestion.objects.select_related("part", "supplier", "purchase_order")
    return scope_for_user(qs, user)


def policy_list(*, user) -> QuerySet[ReplenishmentPolicy]:
    qs = ReplenishmentPolicy.objects.select_related("part", "fast_supplier", "slow_supplier")
    return scope_for_user(qs.defer("table"), user)


def demand_plan_list(*, user) -> QuerySet[DemandPlan]:
    return scope_for_user(DemandPlan.objects.select_related("part", "site"), user)


def auto_released_count(*, start: dt.datetime, end: dt.datetime) -> int:
    """Orders the engine released alone in [start, end): decisions applied alone."""
    return ReplenishmentSuggestion.objects.filter(
        auto_released=True, released_at__gte=start, released_at__lt=end
    ).count()


def suggestions_waiting(*, older_than: dt.timedelta = dt.timedelta(days=1)):
    """Open suggestions created more than a day ago (the `orders_to_release` alert)."""
    cutoff = timezone.now() - older_than
    return ReplenishmentSuggestion.objects.filter(
        state=ReplenishmentSuggestion.State.OPEN, created_at__lt=cutoff
    )


def portfolio_savings(*, user) -> dict:
    """Totals over planned parts: expected cost per period and what it saves."""
    totals = policy_list(user=user).aggregate(
        parts=Count("pk"),
        cost=Sum("expected_cost_per_period"),
        single=Sum("single_cost", filter=Q(single_cost__isnull=False)),
        split=Sum("split_cost", filter=Q(split_cost__isnull=False)),
    )
    cost = totals["cost"] or 0.0
    return {
        "parts": totals["parts"],
        "cost_per_period": cost,
        "saving_vs_single": (totals["single"] or 0.0) - cost if totals["single"] else None,
        "saving_vs_split": (totals["split"] or 0.0) - cost if totals["split"] else None,
    }
