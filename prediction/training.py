"""Training samples and the fitted model (docs/prediction.md).

A line whose outcome was known before a cut-off (received in full, or past the end of
its tolerance window) is a training line; it is seen as of the last day of the month
before the one it is promised in (as a backtest scores its test lines), with the features
known then and the outcome known at the cut-off. Scoring times reach back
`TRAINING_MONTHS` months; on a large history the lines of one supplier in `stride` are used
(by id, blind to any outcome) so a training reads about `MAX_TRAINING_LINES` lines, and the
database figures are computed for those suppliers only.
"""

import datetime as dt
import io
import pickle
import zlib
from dataclasses import dataclass

import joblib
import numpy as np
import pandas as pd
from django.db.models import Q
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from prediction.aggregates import Trailing, tolerance_segments, trailing_as_of
from prediction.facts import Facts, day_number, day_of, facts_load
from prediction.features import FEATURES, _known, features_as_of
from purchasing.models import PurchaseOrderLine

HORIZON_DAYS = 31
# Scoring times (month ends) reach back this many months from the cut-off.
TRAINING_MONTHS = 6
MAX_TRAINING_LINES = 40_000
MIN_LATE_FOR_REGRESSOR = 30
MISSING = -1e6
PICKLED = b"dualsource-model-pickle-zlib:"


def outcomes_as_of(facts: Facts, known_on: int) -> pd.DataFrame:
    """Per line ordered by `known_on`: whether its outcome was known that day, whether it
    was late (not on time in full, as OTD counts it) and by how many days."""
    lines, receipts = _known(facts, known_on)
    window_end = lines["promise"] + lines["late"]
    known = (lines["received"] >= lines["quantity"]) | (window_end < known_on)
    late = lines["on_time"] < lines["quantity"]
    ordered = receipts.sort_values(["line_id", "day"])
    ordered["cumulative"] = ordered.groupby("line_id")["quantity"].cumsum()
    full = ordered.merge(lines[["quantity"]], left_on="line_id", right_index=True)
    complete_day = (
        full[full["cumulative"] >= full["quantity_y"]].groupby("line_id")["day"].min()
        if not full.empty
        else pd.Series(dtype=float)
    )
    done = complete_day.reindex(lines.index).fillna(known_on)
    days_late = np.where(late, np.maximum(done - lines["promise"], 0.0), 0.0)
    return pd.DataFrame(
        {
            "known": known.to_numpy(),
            "late": late.to_numpy(),
            "days_late": days_late,
            "promise": lines["promise"].to_numpy(),
            "order_day": lines["order_day"].to_numpy(),
        },
        index=lines.index,
    )


@dataclass
class Samples:
    X: pd.DataFrame  # FEATURES
    late: np.ndarray
    days_late: np.ndarray
    line_ids: np.ndarray
    baseline: np.ndarray
    as_of: np.ndarray

    def __len__(self) -> int:
        return len(self.late)


def month_ends(last_day: int, count: int) -> list[int]:
    """The last days of the `count` months ending on or before day `last_day`, latest first."""
    day = day_of(last_day + 1)
    first = dt.date(day.year, day.month, 1)
    ends = []
    while len(ends) < count:
        ends.append(day_number(first) - 1)
        first = day_of(ends[-1]).replace(day=1)
    return ends


def trailing_cached(cache: dict, as_of: int, facts: Facts) -> Trailing:
    """The database's trailing figures as of a day (of the sample's suppliers), computed
    once per training."""
    if "segments" not in cache:
        cache["segments"] = tolerance_segments()
    key = ("trailing", as_of)
    if key not in cache:
        cache[key] = trailing_as_of(
            as_of,
            segments=cache["segments"],
            supplier_ids=facts.supplier_ids,
            tables=cache.get("tables"),
        )
    return cache[key]


def training_facts(*, first_day: dt.date, today: dt.date) -> Facts:
    """The facts of the lines a training may read: ordered by today and promised (either
    date) after `first_day`; those of one supplier in `stride` when they are more than
    `MAX_TRAINING_LINES`."""
    where = Q(purchase_order__order_date__lte=today) & (
        Q(promised_date__gt=first_day) | Q(requested_date__gt=first_day)
    )
    count = PurchaseOrderLine.objects.filter(where).count()
    stride = max(1, -(-count // MAX_TRAINING_LINES))
    return facts_load(where=where, stride=stride)


def training_samples(
    facts: Facts, *, cutoff: int, exclude=(), cache=None, months: int = TRAINING_MONTHS
) -> Samples:
    """Lines promised before day `cutoff` whose outcome was known before it, each as of the
    month end before its promise, over the `months` before the cut-off; nothing dated on or
    after `cutoff` is read.

    `cache` (a dict) keeps each scoring time's features for the next call: a line's
    features as of a day do not depend on the cut-off, so backtest folds share them."""
    known_on = cutoff - 1
    outcomes = outcomes_as_of(facts, known_on)
    population = outcomes[
        outcomes["known"] & (outcomes["promise"] < cutoff) & ~outcomes.index.isin(list(exclude))
    ]
    cache = {} if cache is None else cache
    frames = []
    # The month just ended is the test month's scoring time: its lines are rarely known.
    for as_of in month_ends(known_on, months + 1):
        if as_of not in cache:
            cache[as_of] = _snapshot(facts, as_of, cache)
        frame = cache[as_of]
        frame = frame[frame.index.isin(population.index)]
        if not frame.empty:
            frames.append(frame)
    return _samples(frames, outcomes)


def _snapshot(facts: Facts, as_of: int, cache: dict) -> pd.DataFrame:
    """Features as of `as_of` of every line then open and promised within the horizon."""
    lines = facts.lines
    ordered = lines[lines["order_day"] <= as_of]
    promise = np.where(
        ordered["acknowledged_day"] <= as_of, ordered["promised_day"], ordered["requested_day"]
    )
    chosen = ordered[(promise > as_of) & (promise - as_of <= HORIZON_DAYS)]
    if chosen.empty:
        return pd.DataFrame()
    frame = features_as_of(facts, chosen["id"], as_of, trailing_cached(cache, as_of, facts))
    frame["as_of"] = as_of
    return frame


def holdout_samples(
    facts: Facts, *, line_ids, as_of: int, outcomes: pd.DataFrame, cache: dict | None = None
) -> Samples:
    trailing = trailing_cached(cache, as_of, facts) if cache is not None else None
    frame = features_as_of(facts, line_ids, as_of, trailing)
    frame["as_of"] = as_of
    return _samples([frame], outcomes)


def _matrix(X: pd.DataFrame) -> pd.DataFrame:
    """The model's input: missing figures as one far-away value (a column missing in a
    whole fold would otherwise have no bins)."""
    return X[list(FEATURES)].astype(float).fillna(MISSING)


def _samples(frames: list[pd.DataFrame], outcomes: pd.DataFrame) -> Samples:
    if not frames:
        empty = np.array([])
        return Samples(pd.DataFrame(columns=list(FEATURES)), empty, empty, empty, empty, empty)
    frame = pd.concat(frames)
    labels = outcomes.loc[frame.index]
    return Samples(
        X=frame[list(FEATURES)].astype(float),
        late=labels["late"].to_numpy(dtype=int),
        days_late=labels["days_late"].to_numpy(dtype=float),
        line_ids=frame.index.to_numpy(),
        baseline=frame["baseline_risk"].to_numpy(dtype=float),
        as_of=frame["as_of"].to_numpy(),
    )


@dataclass
class Fitted:
    """The calibrated classifier and the days-late regressor (late lines only)."""

    classifier: object
    regressor: object | None
    mean_days_late: float

    def predict(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        matrix = _matrix(X)
        with threadpool_limits(limits=1):  # see model_fit
            risk = self.classifier.predict_proba(matrix)[:, 1]
            if self.regressor is not None:
                when_late = np.maximum(self.regressor.predict(matrix), 0.0)
            else:
                when_late = np.full(len(risk), self.mean_days_late)
        return risk, risk * when_late

    def to_bytes(self) -> bytes:
        """Pickled and zlib-compressed, behind a marker: loading it runs the C unpickler
        (joblib's own format unpickles in Python, a fifth of a second per scoring)."""
        return PICKLED + zlib.compress(pickle.dumps(self, protocol=5), 3)

    @staticmethod
    def from_bytes(data: bytes) -> "Fitted":
        data = bytes(data)
        if data.startswith(PICKLED):
            return pickle.loads(zlib.decompress(data[len(PICKLED) :]))  # noqa: S301 (our own)
        return joblib.load(io.BytesIO(data))  # stored by an earlier version


def model_fit(samples: Samples) -> Fitted | None:
    """Gradient boosting, calibrated on held-out folds grouped by line (a line's snapshots
    never sit on both sides of a fold); None when there is too little to learn from.

    One thread: workers share their machine, and OpenMP threads waiting for a busy core
    cost more than they save on a training set this size."""
    with threadpool_limits(limits=1):
        return _fit(samples)


def _fit(samples: Samples) -> Fitted | None:
    late = samples.late.astype(bool)
    if len(samples) < 50 or late.sum() < 10 or (~late).sum() < 10:
        return None
    booster = HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=30,
        l2_regularization=1.0,
        max_bins=64,
        early_stopping=False,
        random_state=0,
    )
    folds = list(GroupKFold(n_splits=3).split(samples.X, samples.late, groups=samples.line_ids))
    method = "isotonic" if len(samples) >= 2000 else "sigmoid"
    classifier = CalibratedClassifierCV(booster, method=method, cv=folds)
    matrix = _matrix(samples.X)
    classifier.fit(matrix, samples.late)
    mean_days = float(samples.days_late[late].mean())
    regressor = None
    if late.sum() >= MIN_LATE_FOR_REGRESSOR:
        regressor = HistGradientBoostingRegressor(
            max_iter=40, learning_rate=0.1, min_samples_leaf=20, max_bins=64, random_state=0
        ).fit(matrix[late], samples.days_late[late])
    return Fitted(classifier=classifier, regressor=regressor, mean_days_late=mean_days)
