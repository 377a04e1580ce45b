"""Rolling-origin backtest by month (docs/prediction.md).

For each of the last `MONTHS` complete months with lines due: train on what was known
before the month's first day (the cut-off), then score the lines due in that month as of
the cut-off and compare with what happened. Model and baseline are pooled over the months.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from prediction.aggregates import sample_tables
from prediction.facts import Facts, day_number
from prediction.features import FEATURES
from prediction.training import (
    TRAINING_MONTHS,
    Samples,
    _matrix,
    holdout_samples,
    model_fit,
    outcomes_as_of,
    training_facts,
    training_samples,
)

MONTHS = 6
RELIABILITY_BINS = 10
IMPORTANCE_ROWS = 2000
REPEATS = 2


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def backtest_facts(*, today: dt.date, months: int = MONTHS) -> Facts:
    """The facts a backtest (and the training after it) reads: lines promised after the
    first scoring time of the earliest month's training."""
    first = _month_start(today, months + TRAINING_MONTHS + 1) - dt.timedelta(days=1)
    return training_facts(first_day=first, today=today)


@dataclass
class Fold:
    month: str
    cutoff: dt.date
    train: Samples
    test: Samples
    risk: np.ndarray | None = None  # the model's; None when it could not be trained
    fitted: object | None = None


@dataclass
class BacktestResult:
    folds: list[Fold] = field(default_factory=list)
    auc: float | None = None
    baseline_auc: float | None = None
    brier: float | None = None
    baseline_brier: float | None = None
    months: list[dict] = field(default_factory=list)
    reliability: dict = field(default_factory=dict)
    importances: dict[str, float] = field(default_factory=dict)

    @property
    def model_wins(self) -> bool:
        """The model is used only when it beats the baseline on both measures."""
        if None in (self.auc, self.baseline_auc, self.brier, self.baseline_brier):
            return False
        return self.auc > self.baseline_auc and self.brier < self.baseline_brier

    def lines(self) -> list[str]:
        def text(value):
            return "n/a" if value is None else f"{value:.4f}"

        return [
            f"auc: {text(self.auc)}",
            f"baseline auc: {text(self.baseline_auc)}",
            f"brier: {text(self.brier)}",
            f"baseline brier: {text(self.baseline_brier)}",
        ]


def backtest_folds(
    facts: Facts, *, today: dt.date, months: int = MONTHS, cache: dict | None = None
) -> list[Fold]:
    """The last `months` complete months with due lines whose outcome is known today."""
    outcomes = outcomes_as_of(facts, day_number(today))
    final_promise = facts.lines.set_index("id")["promised_day"]
    folds: list[Fold] = []
    cache = {} if cache is None else cache
    if facts.lines.empty:
        return folds
    first_due = facts.lines["promised_day"].min()
    back = 1
    while len(folds) < months:
        start, end = _month_start(today, back), _month_start(today, back - 1)
        back += 1
        if day_number(end) <= first_due:
            break  # no line was due this early: no more months with data
        cutoff = day_number(start)
        due = final_promise[(final_promise >= cutoff) & (final_promise < day_number(end))]
        due = due[due.index.isin(outcomes.index[outcomes["known"]])]
        scorable = outcomes.loc[due.index]
        ids = scorable.index[scorable["order_day"] <= cutoff - 1]
        if len(ids) == 0:
            continue
        train = training_samples(facts, cutoff=cutoff, exclude=ids, cache=cache)
        test = holdout_samples(
            facts, line_ids=ids, as_of=cutoff - 1, outcomes=outcomes, cache=cache
        )
        folds.append(Fold(month=f"{start:%Y-%m}", cutoff=start, train=train, test=test))
    folds.reverse()
    return folds


def backtest_run(
    facts: Facts, *, today: dt.date, months: int = MONTHS, cache: dict | None = None
) -> BacktestResult:
    cache = {} if cache is None else cache
    with sample_tables(facts.supplier_ids, cache):
        folds = backtest_folds(facts, today=today, months=months, cache=cache)
    result = BacktestResult(folds=folds)
    for fold in result.folds:
        fitted = model_fit(fold.train)
        if fitted is not None and len(fold.test):
            fold.risk, _ = fitted.predict(fold.test.X)
            fold.fitted = fitted
        result.months.append(_month_metrics(fold))
    scored = [f for f in result.folds if len(f.test)]
    if not scored:
        return result
    y = np.concatenate([f.test.late for f in scored])
    base = np.concatenate([f.test.baseline for f in scored])
    result.baseline_auc, result.baseline_brier = _auc_brier(y, base)
    result.reliability["baseline"] = _reliability(y, base)
    if all(f.risk is not None for f in scored):
        risk = np.concatenate([f.risk for f in scored])
        result.auc, result.brier = _auc_brier(y, risk)
        result.reliability["model"] = _reliability(y, risk)
        with threadpool_limits(limits=1):
            result.importances = _importances(scored[-1])
    return result


def _auc_brier(y, p) -> tuple[float | None, float]:
    brier = float(brier_score_loss(y, p))
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None
    return auc, brier


def _month_metrics(fold: Fold) -> dict:
    row = {"month": fold.month, "cutoff": fold.cutoff.isoformat()}
    row.update(train_samples=len(fold.train), test_lines=len(fold.test))
    if not len(fold.test):
        return row
    y = fold.test.late
    row["late_share"] = float(y.mean())
    row["baseline_auc"], row["baseline_brier"] = _auc_brier(y, fold.test.baseline)
    if fold.risk is not None:
        row["auc"], row["brier"] = _auc_brier(y, fold.risk)
    return row


def _reliability(y, p) -> dict:
    """Observed late share against the mean predicted risk, in equal-width bins."""
    observed, predicted = calibration_curve(y, p, n_bins=RELIABILITY_BINS, strategy="uniform")
    return {"predicted": predicted.round(4).tolist(), "observed": observed.round(4).tolist()}


def _importances(fold: Fold) -> dict[str, float]:
    """Permutation importance (drop in AUC, mean of `REPEATS` shuffles) on the last month's
    test lines; every shuffled copy is scored in one call."""
    test = fold.test
    if not 0 < test.late.sum() < len(test):
        return {}
    rng = np.random.default_rng(0)
    rows = rng.permutation(len(test))[:IMPORTANCE_ROWS]
    X, y = test.X.iloc[rows].reset_index(drop=True), test.late[rows]
    copies = [X]
    for name in FEATURES:
        for _ in range(REPEATS):
            shuffled = X.copy()
            shuffled[name] = rng.permutation(shuffled[name].to_numpy())
            copies.append(shuffled)
    risk = fold.fitted.classifier.predict_proba(_matrix(pd.concat(copies, ignore_index=True)))
    risk = risk[:, 1]
    scores = [roc_auc_score(y, block) for block in np.split(risk, len(copies))]
    drops = (scores[0] - np.array(scores[1:])).reshape(len(FEATURES), REPEATS).mean(axis=1)
    pairs = sorted(zip(FEATURES, drops, strict=True), key=lambda p: -p[1])
    return {name: round(float(value), 5) for name, value in pairs}
