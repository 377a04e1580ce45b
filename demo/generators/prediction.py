"""The late-risk model for the demo: trained on the seeded history (a few seconds on the
small demo), every open line scored, and one predicted-OTD rule on the supplier whose
open lines look worst, so the first rules evaluation raises one *predicted* exception."""

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Count

from contracts.models import Contract, ContractRule
from contracts.services import contract_rule_create
from parts.models import ApprovedSource, Part
from prediction.selectors import predicted_otd_by_supplier
from prediction.services import lateness_train
from suppliers.models import Supplier

MIN_LINES = 5


def prediction_seed(*, today: dt.date) -> str:
    model = lateness_train(today=today)
    rule = _predicted_rule_create(today=today)
    figures = " ".join(line for line in _figures(model))
    return f"model v{model.version} in use: {model.in_use} ({figures}); rule: {rule or 'none'}"


def _figures(model):
    for name, value in (("auc", model.auc), ("baseline auc", model.baseline_auc)):
        yield f"{name} {'n/a' if value is None else f'{value:.3f}'}"


def _predicted_rule_create(*, today: dt.date) -> str | None:
    """On the supplier with the lowest predicted OTD (on at least 5 lines due in 30 days),
    limited to one of its dual-sourced parts, a threshold just above its figure."""
    approved = Supplier.objects.filter(status=Supplier.Status.APPROVED).values_list("pk", flat=True)
    figures = predicted_otd_by_supplier(supplier_ids=list(approved), as_of=today)
    candidates = sorted(
        (row["pct"], supplier_id)
        for supplier_id, row in figures.items()
        if row["pct"] is not None and row["lines"] >= MIN_LINES
    )
    for pct, supplier_id in candidates:
        contract = (
            Contract.objects.filter(supplier_id=supplier_id, valid_from__lte=today)
            .exclude(valid_to__lt=today)
            .order_by("-valid_from")
            .first()
        )
        part_id = (
            ApprovedSource.objects.filter(part__sources__supplier_id=supplier_id)
            .values("part_id")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .order_by("part_id")
            .values_list("part_id", flat=True)
            .first()
        )
        if contract is None or part_id is None:
            continue
        threshold = Decimal(min(99, math.ceil(pct) + 2))
        rule = contract_rule_create(
            contract=contract,
            name=f"Predicted OTD below {threshold}% — review a shift",
            metric=ContractRule.Metric.PREDICTED_OTD_PCT,
            window=ContractRule.Window.ROLLING_DAYS,
            window_days=90,
            comparator=ContractRule.Comparator.LT,
            threshold=threshold,
            action=ContractRule.Action.SHIFT_SHARE,
            amount=Decimal(10),
            cooldown_days=30,
            part=Part.objects.get(pk=part_id),
        )
        return f"{contract.supplier.code}: {rule.name}"
    return None
