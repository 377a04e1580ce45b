"""Planning reads (docs/planning.md). Contacts never see plans, policies or suggestions:
these models name no supplier path, so `scope_for_user` gives them nothing."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
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
    """Totals over planned parts: expected cost per period and what it saves against each
    comparison, each summed over the parts that have that comparison (a part whose split
    cannot be kept in whole lots is not compared with it)."""
    totals = policy_list(user=user).aggregate(
        parts=Count("pk"),
        cost=Sum("expected_cost_per_period"),
        vs_single=_saving_against("single_cost"),
        vs_split=_saving_against("split_cost"),
    )
    return {
        "parts": totals["parts"],
        "cost_per_period": totals["cost"] or 0.0,
        "saving_vs_single": totals["vs_single"],
        "saving_vs_split": totals["vs_split"],
    }


def _saving_against(field: str) -> Sum:
    return Sum(F(field) - F("expected_cost_per_period"), filter=Q(**{f"{field}__isnull": False}))
