"""Writes of the late-risk prediction: train (with its backtest), score open lines.

`lateness_train` backtests the method, fits the model on everything known today, stores
both with the baseline's figures, decides which one the product uses, and ends by
re-scoring every open line. `lines_score` re-scores open lines (all, or some after a
posting touched them). See docs/prediction.md.
"""

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from prediction.aggregates import sample_tables, trailing_as_of
from prediction.backtest import MONTHS, BacktestResult, backtest_facts, backtest_run
from prediction.facts import day_number, facts_load
from prediction.features import features_as_of
from prediction.models import LineRisk, PredictionModel
from prediction.selectors import model_current
from prediction.training import Fitted, model_fit, training_samples
from purchasing.models import PurchaseOrderLine

# Days late expected of a late line when nothing has been learnt yet.
DEFAULT_DAYS_LATE = 5.0


@dataclass
class ScoreResult:
    scored: int = 0
    removed: int = 0
    source: str = LineRisk.Source.BASELINE
    seconds: float = 0.0


def lateness_train(
    *, today: dt.date | None = None, months: int = MONTHS, score: bool = True
) -> PredictionModel:
    """Backtest, fit on every outcome known today, store, and re-score the open lines."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    facts = backtest_facts(today=today, months=months)
    cache: dict = {}  # scoring times' features, shared by the backtest and the final fit
    with sample_tables(facts.supplier_ids, cache):
        result = backtest_run(facts, today=today, months=months, cache=cache)
        samples = training_samples(facts, cutoff=day_number(today) + 1, cache=cache)
    fitted = model_fit(samples)
    late = samples.late.astype(bool)
    mean_days = float(samples.days_late[late].mean()) if late.any() else DEFAULT_DAYS_LATE
    model = _model_store(
        today=today,
        result=result,
        fitted=fitted,
        samples=samples,
        mean_days=mean_days,
        seconds=time.perf_counter() - started,
    )
    if score:
        lines_score(today=today)
    return model


@transaction.atomic
def _model_store(*, today, result: BacktestResult, fitted, samples, mean_days, seconds):
    last = PredictionModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    first = int(samples.as_of.min()) if len(samples) else day_number(today)
    return PredictionModel.objects.create(
        version=last + 1,
        trained_at=timezone.now(),
        as_of=today,
        window_start=dt.date(1970, 1, 1) + dt.timedelta(days=first),
        window_end=today,
        samples=len(samples),
        lines=len(set(samples.line_ids.tolist())),
        late_share=float(samples.late.mean()) if len(samples) else None,
        auc=result.auc,
        baseline_auc=result.baseline_auc,
        brier=result.brier,
        baseline_brier=result.baseline_brier,
        in_use=_in_use(result, fitted),
        metrics=_metrics(result, mean_days),
        feature_names=list(samples.X.columns),
        model_bytes=fitted.to_bytes() if fitted is not None else None,
        seconds=round(seconds, 2),
    )


def _in_use(result: BacktestResult, fitted) -> str:
    if fitted is not None and result.model_wins:
        return PredictionModel.InUse.MODEL
    return PredictionModel.InUse.BASELINE


def _metrics(result: BacktestResult, mean_days: float) -> dict:
    return {
        "months": result.months,
        "reliability": result.reliability,
        "importances": result.importances,
        "mean_days_late": mean_days,
    }


def backtest_record(*, result: BacktestResult) -> PredictionModel | None:
    """Record a backtest on the current model: its figures and which one the product uses."""
    model = model_current()
    if model is None:
        return None
    model.auc, model.baseline_auc = result.auc, result.baseline_auc
    model.brier, model.baseline_brier = result.brier, result.baseline_brier
    model.in_use = _in_use(result, model.model_bytes)
    model.metrics = _metrics(result, model.metrics.get("mean_days_late", DEFAULT_DAYS_LATE))
    model.save(
        update_fields=["auc", "baseline_auc", "brier", "baseline_brier", "in_use", "metrics"]
    )
    return model


def lines_score(*, line_ids=None, today: dt.date | None = None) -> ScoreResult:
    """Score every open line (or these lines) as of today with whatever is in use."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    where = Q(status=PurchaseOrderLine.Status.OPEN, purchase_order__order_date__lte=today)
    supplier_ids = None
    if line_ids is not None:
        line_ids = sorted({int(i) for i in line_ids})
        where &= Q(pk__in=line_ids)
        supplier_ids = set(
            PurchaseOrderLine.objects.filter(pk__in=line_ids).values_list(
                "purchase_order__supplier_id", flat=True
            )
        )
    facts = facts_load(where=where)
    as_of = day_number(today)
    candidates = facts.lines["id"]
    promises = facts.lines[["requested_day", "promised_day"]].to_numpy()
    since = int(np.nanmin(promises)) if len(candidates) else None
    trailing = trailing_as_of(as_of, since=since, supplier_ids=supplier_ids)
    frame = features_as_of(facts, candidates, as_of, trailing)
    frame = frame[frame["received_share"] < 1]
    model = model_current()
    risk, days, source = _predict(model, frame)
    result = ScoreResult(scored=len(frame), source=source)
    now = timezone.now()
    version = model.version if model is not None else None
    with transaction.atomic():
        _risks_write(frame.index, risk, days, source=source, version=version, now=now)
        stale = LineRisk.objects.exclude(scored_at=now)
        if line_ids is not None:
            stale = stale.filter(line_id__in=line_ids)
        result.removed = stale.delete()[0]
    result.seconds = round(time.perf_counter() - started, 3)
    return result


_RISK_UPDATE = ("late_risk", "expected_days_late", "source", "model_version", "scored_at")


def _risks_write(line_ids, risk, days, *, source: str, version, now) -> None:
    """Upsert each line's risk: on PostgreSQL one INSERT … ON CONFLICT with one array per
    column (no statement built per row), elsewhere Django's bulk upsert."""
    ids = [int(pk) for pk in line_ids]
    risks = np.round(np.asarray(risk, dtype=float), 4).tolist()
    expected = np.round(np.asarray(days, dtype=float), 2).tolist()
    if connection.vendor == "postgresql":
        table = LineRisk._meta.db_table
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _RISK_UPDATE)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (line_id, {', '.join(_RISK_UPDATE)}) "
                "SELECT i, r, d, %s, %s::integer, %s::timestamptz "
                "FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS u(i, r, d) "
                f"ON CONFLICT (line_id) DO UPDATE SET {updates}",
                [source, version, now, ids, risks, expected],
            )
        return
    rows = [
        LineRisk(
            line_id=pk,
            late_risk=r,
            expected_days_late=d,
            source=source,
            model_version=version,
            scored_at=now,
        )
        for pk, r, d in zip(ids, risks, expected, strict=True)
    ]
    LineRisk.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["line"],
        update_fields=list(_RISK_UPDATE),
    )


def _predict(model: PredictionModel | None, frame) -> tuple[np.ndarray, np.ndarray, str]:
    """The model's risk when it won the last backtest, else the baseline's."""
    if len(frame) and model is not None and model.in_use == PredictionModel.InUse.MODEL:
        fitted = Fitted.from_bytes(model.model_bytes)
        risk, days = fitted.predict(frame)
        return risk, days, LineRisk.Source.MODEL
    mean_days = DEFAULT_DAYS_LATE
    if model is not None:
        mean_days = model.metrics.get("mean_days_late", DEFAULT_DAYS_LATE)
    risk = frame["baseline_risk"].to_numpy(dtype=float)
    return risk, risk * mean_days, LineRisk.Source.BASELINE
