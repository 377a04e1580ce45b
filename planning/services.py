"""Planning writes (docs/planning.md): demand plans, settings, the daily run that
caches policies and writes suggestions, and releasing suggestions as orders."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from planning.facts import facts_load, period_days
from planning.inputs import plan_inputs, stock_state
from planning.models import DemandPlan, PlanningSetting, ReplenishmentPolicy
from planning.models import ReplenishmentSuggestion as Suggestion
from planning.policy import compute_policy, lots_state, orders_now, per_period_cap
from purchasing.models import PurchaseOrder
from purchasing.services import purchase_order_create, purchase_order_line_build

log = logging.getLogger(__name__)


@transaction.atomic
def demand_plans_upsert(*, rows: list[dict]) -> list[DemandPlan]:
    """Create or update plans on (part, site, period_start), all or nothing.

    ``site`` in a row: the site or its code."""
    rows = [dict(row, site=_code(row["site"])) for row in rows]
    existing = {
        (p.part_id, p.site_id, p.period_start): p
        for p in DemandPlan.objects.filter(
            part_id__in={r["part_id"] for r in rows}, site__in={r["site"] for r in rows}
        )
    }
    out, new, changed = [], [], []
    for row in rows:
        key = (row["part_id"], row["site"], row["period_start"])
        plan = existing.get(key)
        if plan is None:
            plan = DemandPlan(**row)
            new.append(plan)
        else:
            plan.quantity = row["quantity"]
            changed.append(plan)
        existing[key] = plan
        out.append(plan)
    DemandPlan.objects.bulk_create(new)
    DemandPlan.objects.bulk_update(changed, ["quantity", "updated_at"])
    return out


def _code(site) -> str:
    return site if isinstance(site, str) else site.code


def planning_setting_set(*, part, site, **fields) -> PlanningSetting:
    """Plan (or not) a part at a site (the site or its code)."""
    setting, _ = PlanningSetting.objects.update_or_create(
        part=part, site=_code(site), defaults=fields
    )
    return setting


@dataclass
class RunResult:
    planned: int = 0
    computed: int = 0
    cached: int = 0
    suggested: int = 0
    kept: int = 0
    superseded: int = 0
    auto_released: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"{self.planned} planned part×site, {self.computed} policies computed, "
            f"{self.cached} from cache, {self.suggested} new suggestions ({self.kept} kept, "
            f"{self.superseded} superseded), {self.auto_released} auto-released, "
            f"{self.skipped} without inputs"
        )


def planning_run(*, as_of: dt.date | None = None) -> RunResult:
    """The daily run: per planned part × site, policy (cached) and this period's orders.

    Every input comes from one pass of set-based queries (`facts.py`); a policy is
    recomputed only when the hash of its inputs changed, and a part whose suggestions
    stand as they are writes nothing: the same facts twice change nothing.
    """
    as_of = as_of or timezone.localdate()
    result = RunResult()
    planned = list(
        PlanningSetting.objects.filter(is_planned=True)
        .select_related("part")
        .order_by("part_id", "site")
    )
    result.planned = len(planned)
    if not planned:
        return result
    keys = [(s.part_id, s.site_id) for s in planned]
    part_ids = sorted({part for part, _ in keys})
    facts = facts_load(keys, as_of)
    cached = {
        (p.part_id, p.site_id): p
        for p in ReplenishmentPolicy.objects.filter(part_id__in=part_ids).select_related(
            "slow_supplier", "fast_supplier"
        )
    }
    still_open: dict[tuple, list[Suggestion]] = {}
    for s in Suggestion.objects.filter(part_id__in=part_ids, state=Suggestion.State.OPEN):
        still_open.setdefault((s.part_id, s.site_id), []).append(s)
    for setting, key in zip(planned, keys, strict=True):
        try:
            _plan_one(setting, facts, cached.get(key), still_open.get(key, []), result)
        except ValidationError as exc:
            log.warning("planning %s@%s: %s", setting.part.number, setting.site_id, exc)
            result.skipped += 1
    return result


def _plan_one(setting, facts, cached, still_open, result: RunResult) -> None:
    inputs = plan_inputs((setting.part_id, setting.site_id), float(setting.service_level), facts)
    if inputs is None:
        result.skipped += 1
        return
    policy = policy_refresh(inputs=inputs, result=result, cached=cached)
    state = stock_state(inputs, facts)
    q_fast, q_slow = orders_now(
        policy.kind, policy.parameters, policy.table, lots_state(inputs, state)
    )
    wanted = []
    for source, lots in ((inputs.fast, q_fast), (inputs.slow, q_slow)):
        cap = per_period_cap(source, inputs, period_days()) if source else None
        lots = lots if cap is None else min(lots, cap)
        if source is None or lots <= 0:
            continue
        quantity = Decimal(lots * inputs.lot)
        wanted.append((source, quantity, _reason(policy, inputs, state, source, lots)))
    _write_suggestions(setting, wanted, still_open, facts.as_of, result)


def policy_refresh(*, inputs, result: RunResult | None = None, cached=None):
    """The stored policy when the hash of its inputs is unchanged, else a fresh one.

    ``cached``: the stored policy of this part × site when the caller loaded it already.
    """
    fingerprint = inputs.fingerprint()
    policy = cached
    if policy is None:
        policy = ReplenishmentPolicy.objects.filter(
            part_id=inputs.part_id, site=inputs.site
        ).first()
    if policy is not None and policy.fingerprint == fingerprint:
        if result:
            result.cached += 1
        return policy
    outcome = compute_policy(inputs, period_days())
    policy, _ = ReplenishmentPolicy.objects.update_or_create(
        part_id=inputs.part_id,
        site=inputs.site,
        defaults=_policy_fields(inputs, outcome, fingerprint),
    )
    if result:
        result.computed += 1
    return policy


def _policy_fields(inputs, outcome, fingerprint: str) -> dict:
    return {
        "kind": outcome.kind,
        "parameters": outcome.parameters,
        "lot_size": Decimal(inputs.lot),
        "expected_cost_per_period": outcome.cost,
        "cost_exact": outcome.exact,
        "cost_stderr": outcome.stderr,
        "fill_rate": outcome.fill_rate,
        "share_fast": outcome.share_fast,
        "single_cost": outcome.single_cost,
        "split_cost": outcome.split_cost,
        "saving_vs_single_pct": outcome.saving_pct(outcome.single_cost),
        "saving_vs_split_pct": outcome.saving_pct(outcome.split_cost),
        "fast_supplier": inputs.fast.source.supplier if inputs.fast else None,
        "slow_supplier": inputs.slow.source.supplier,
        "inputs": dict(inputs.as_json(), notes=outcome.notes),
        "fingerprint": fingerprint,
        "table": outcome.table,
        "computed_at": timezone.now(),
    }


def _reason(policy, inputs, state, source, lots) -> str:
    lot = inputs.lot
    x = int(state.on_hand + state.on_order_fast)
    pipe = int(sum(state.pipeline_slow))
    days = source.source.lead_time_days
    tail = f"{lots * lot} from {source.code}, {days} days"
    p = policy.parameters
    if source is inputs.fast and "S_e" in p:
        return f"position {x} < fast level {p['S_e'] * lot}: {tail}"
    if "S_r" in p:
        return f"position {x} + pipeline {pipe} < slow level {p['S_r'] * lot}: {tail}"
    if "r" in p and source is inputs.slow:
        return f"steady slow order of {p['r'] * lot} each period: {tail}"
    if "S" in p:
        return f"position {x} + pipeline {pipe} < level {p['S'] * lot}: {tail}"
    return f"position {x} + pipeline {pipe}: the optimal policy orders {tail}"


def _write_suggestions(setting, wanted, still_open, as_of: dt.date, result: RunResult):
    """Keep the open suggestions that stand, add the new ones, supersede the rest."""
    standing = {(s.supplier_id, s.quantity, s.need_date): s for s in still_open}
    keep, new = set(), []
    for source, quantity, reason in wanted:
        need = as_of + dt.timedelta(days=source.source.lead_time_days)
        found = standing.get((source.source.supplier_id, quantity, need))
        if found is not None:
            keep.add(found.pk)
            result.kept += 1
            continue
        new.append((source, quantity, need, reason))
    gone = [s.pk for s in still_open if s.pk not in keep]
    if not new and not gone:
        return  # the same facts: nothing to write
    with transaction.atomic():
        if gone:
            result.superseded += Suggestion.objects.filter(
                pk__in=gone, state=Suggestion.State.OPEN
            ).update(state=Suggestion.State.SUPERSEDED)
        for source, quantity, need, reason in new:
            _suggest(setting, source, quantity, need, reason, as_of, result)


def _suggest(setting, source, quantity, need, reason, as_of, result: RunResult) -> None:
    suggestion = Suggestion.objects.create(
        part_id=setting.part_id,
        site=setting.site_id,
        supplier=source.source.supplier,
        quantity=quantity,
        unit_price=source.source.unit_price,
        currency=source.source.currency,
        need_date=need,
        reason=reason[:300],
        run_date=as_of,
    )
    result.suggested += 1
    value = quantity * Decimal(str(source.landed))
    limit = setting.auto_release_limit
    if limit > 0 and value <= limit:
        suggestions_release(suggestions=[suggestion], user=None, auto=True)
        result.auto_released += 1


def _order_number(day: dt.date, taken: set[str]) -> str:
    prefix = f"RP-{day:%Y%m%d}-"
    count = PurchaseOrder.objects.filter(number__startswith=prefix).count() + len(taken)
    while True:
        count += 1
        number = f"{prefix}{count:04d}"
        if number not in taken and not PurchaseOrder.objects.filter(number=number).exists():
            taken.add(number)
            return number


@transaction.atomic
def suggestions_release(*, suggestions, user=None, auto: bool = False) -> list[PurchaseOrder]:
    """Place one purchase order per supplier for open suggestions, through the PO service."""
    ids = [s.pk for s in suggestions]
    locked = list(
        Suggestion.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("supplier", "part", "site")
        .order_by("supplier_id", "need_date", "pk")
    )
    closed = [s.pk for s in locked if s.state != Suggestion.State.OPEN]
    if closed:
        raise ValidationError({"state": f"Suggestion(s) {closed} are no longer open."})
    today = timezone.localdate()
    taken: set[str] = set()
    orders = []
    by_supplier: dict[tuple, list[Suggestion]] = {}
    for s in locked:
        by_supplier.setdefault((s.supplier_id, s.currency, s.site_id), []).append(s)
    for group in by_supplier.values():
        lines = [
            purchase_order_line_build(
                line_number=i + 1,
                part=s.part,
                quantity=s.quantity,
                unit_price=s.unit_price,
                requested_date=max(s.need_date, today),
            )
            for i, s in enumerate(group)
        ]
        po = purchase_order_create(
            number=_order_number(today, taken),
            site=group[0].site,
            supplier=group[0].supplier,
            order_date=today,
            currency=group[0].currency,
            lines=lines,
            actor=user,
        )
        orders.append(po)
        now = timezone.now()
        for s in group:
            s.state, s.purchase_order, s.released_at = Suggestion.State.RELEASED, po, now
            s.released_by, s.auto_released = user, auto
        Suggestion.objects.bulk_update(
            group, ["state", "purchase_order", "released_at", "released_by", "auto_released"]
        )
    return orders
