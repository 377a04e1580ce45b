"""A line's late-risk features as of a scoring time, from facts dated on or before it.

`features_as_of` is the one place features are built, for training, backtests and
scoring alike. The lines' own facts are cut, in pandas, to those dated on or before the
as-of day (lines ordered by then, receipts received by then, revisions, ship notices and
transit events recorded by then, acknowledgements given by then); every supplier's and
(part, supplier)'s trailing figures come from set-based SQL over the facts dated by then
(`prediction.aggregates`). Adding a fact dated later cannot change a feature. See
docs/prediction.md.
"""

import numpy as np
import pandas as pd

from prediction.aggregates import Trailing, trailing_as_of
from prediction.facts import Facts

TRAILING = (90, 365)
FEATURES = (
    *(f"supplier_{kpi}_{n}" for n in TRAILING for kpi in ("otd", "otif", "lt_mean", "lt_p90")),
    *(f"part_{kpi}_{n}" for n in TRAILING for kpi in ("otd", "otif", "lt_mean", "lt_p90")),
    "quantity_vs_median",
    "lead_asked_days",
    "lead_asked_vs_contract",
    "lead_asked_vs_p90",
    "acknowledged",
    "days_to_acknowledge",
    "days_unacknowledged",
    "revisions",
    "revision_slip_days",
    "ship_notice_posted",
    "eta_vs_promised_days",
    "days_since_transit_event",
    "supplier_open_vs_capacity",
    "part_month_load_vs_capacity",
    "received_share",
    "days_to_promise",
    "month",
)
TRAILING_FEATURES = FEATURES[: 8 * len(TRAILING)]


def _known(facts: Facts, as_of: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines ordered by `as_of` with the promise known then, and receipts dated by then,
    each with its line's in-window flag."""
    lines = facts.lines[facts.lines["order_day"] <= as_of].copy()
    acknowledged = lines["acknowledged_day"] <= as_of
    # Until the supplier confirms, the requested date is the promise.
    lines["promise"] = np.where(acknowledged, lines["promised_day"], lines["requested_day"])
    lines["is_acknowledged"] = acknowledged
    receipts = facts.receipts[facts.receipts["day"] <= as_of].merge(
        lines[["id", "promise", "early", "late", "order_day", "supplier_id", "part_id"]],
        left_on="line_id",
        right_on="id",
    )
    offset = receipts["day"] - receipts["promise"]
    in_window = (offset >= -receipts["early"]) & (offset <= receipts["late"])
    receipts["in_window"] = receipts["quantity"].where(in_window, 0.0)
    per_line = receipts.groupby("line_id").agg(
        received=("quantity", "sum"), in_window=("in_window", "sum")
    )
    lines = lines.set_index("id", drop=False)
    lines["received"] = per_line["received"].reindex(lines.index).fillna(0.0)
    lines["on_time"] = np.minimum(
        per_line["in_window"].reindex(lines.index).fillna(0.0), lines["quantity"]
    )
    return lines, receipts


def features_as_of(facts: Facts, line_ids, as_of: int, trailing: Trailing | None = None):
    """Features of these lines (ordered on or before `as_of`) as of day number `as_of`,
    one row per line id, plus `baseline_risk` and the line's `supplier_id`.

    The lines' own facts come from `facts`; every supplier's and (part, supplier)'s
    trailing figures from the database as of the same day (`trailing`, computed when not
    given)."""
    lines, _ = _known(facts, as_of)
    target = lines.loc[np.asarray(line_ids, dtype=np.int64)].copy()
    if trailing is None:
        since = int(target["promise"].min()) if len(target) else None
        trailing = trailing_as_of(as_of, since=since)
    suppliers = trailing.suppliers.reindex(target["supplier_id"]).set_axis(target.index)
    pairs_keys = pd.MultiIndex.from_arrays([target["supplier_id"], target["part_id"]])
    pairs = trailing.pairs.reindex(pairs_keys).set_axis(target.index)
    frame = pd.DataFrame(index=target.index)
    for column in TRAILING_FEATURES:
        source = suppliers if column.startswith("supplier_") else pairs
        frame[column] = source.get(column, np.nan)
    _order_features(frame, target, pairs, facts, as_of)
    _progress_features(frame, target, facts, as_of)
    _load_features(frame, target, suppliers, trailing, facts)
    baseline = suppliers["late_rate"].to_numpy(dtype=float)
    frame["baseline_risk"] = np.where(np.isnan(baseline), trailing.overall_late, baseline)
    frame["baseline_risk"] = frame["baseline_risk"].fillna(0.0)
    frame["supplier_id"] = target["supplier_id"]
    frame["promise"] = target["promise"]
    return frame


def _order_features(frame, target, pairs, facts: Facts, as_of: int) -> None:
    keys = pd.MultiIndex.from_arrays([target["part_id"], target["supplier_id"]])
    frame["quantity_vs_median"] = target["quantity"] / pairs["median_quantity"]
    frame["lead_asked_days"] = target["promise"] - target["order_day"]
    contracted = facts.sources.set_index(["part_id", "supplier_id"])["lead_time_days"]
    frame["lead_asked_vs_contract"] = frame["lead_asked_days"] - contracted.reindex(keys).to_numpy()
    frame["lead_asked_vs_p90"] = frame["lead_asked_days"] - frame["supplier_lt_p90_365"]
    acknowledged = target["is_acknowledged"]
    frame["acknowledged"] = acknowledged.astype(float)
    frame["days_to_acknowledge"] = np.where(
        acknowledged, target["acknowledged_day"] - target["order_day"], np.nan
    )
    frame["days_unacknowledged"] = np.where(acknowledged, 0.0, as_of - target["order_day"])
    frame["received_share"] = target["received"] / target["quantity"]
    frame["days_to_promise"] = target["promise"] - as_of
    frame["month"] = pd.to_datetime(target["promise"], unit="D").dt.month.to_numpy()


def _progress_features(frame, target, facts: Facts, as_of: int) -> None:
    """Revisions, ship notices and transit events recorded by `as_of`."""
    revisions = facts.revisions[
        (facts.revisions["day"] <= as_of) & facts.revisions["line_id"].isin(target.index)
    ].sort_values(["line_id", "day"])
    per_line = revisions.groupby("line_id").agg(count=("day", "size"), last=("new_day", "last"))
    frame["revisions"] = per_line["count"].reindex(target.index).fillna(0).to_numpy()
    slip = per_line["last"].reindex(target.index) - target["promise"]
    frame["revision_slip_days"] = slip.fillna(0.0)
    notices = facts.notices[
        (facts.notices["day"] <= as_of) & facts.notices["line_id"].isin(target.index)
    ]
    events = facts.events[facts.events["ship_notice_id"].isin(notices["ship_notice_id"])]
    seen = events[events["day"] <= as_of].sort_values("day")
    last_eta = seen.dropna(subset=["eta_day"]).groupby("ship_notice_id")["eta_day"].last()
    # A notice's own ETA is its latest; later events may have moved it, then it is unknown.
    moved_later = set(events[(events["day"] > as_of) & events["eta_day"].notna()]["ship_notice_id"])
    own_eta = notices["eta_day"].where(~notices["ship_notice_id"].isin(moved_later))
    eta = last_eta.reindex(notices["ship_notice_id"]).to_numpy()
    notices = notices.assign(eta=np.where(np.isnan(eta), own_eta, eta))
    last_event = seen.groupby("ship_notice_id")["day"].max()
    notices = notices.assign(last_event=last_event.reindex(notices["ship_notice_id"]).to_numpy())
    per_notice = notices.groupby("line_id").agg(
        eta=("eta", "max"), last_event=("last_event", "max")
    )
    frame["ship_notice_posted"] = target.index.isin(notices["line_id"]).astype(float)
    frame["eta_vs_promised_days"] = per_notice["eta"].reindex(target.index) - target["promise"]
    frame["days_since_transit_event"] = as_of - per_notice["last_event"].reindex(target.index)


def _load_features(frame, target, suppliers, trailing: Trailing, facts: Facts) -> None:
    """The supplier's open quantity as of the day against its capacity, and the quantity
    of the part already ordered from it for the line's month against its monthly capacity."""
    sources = facts.sources
    capacity = sources.groupby("supplier_id")["monthly_capacity"].sum(min_count=1)
    capacity = capacity.replace(0, np.nan).reindex(target["supplier_id"]).to_numpy()
    frame["supplier_open_vs_capacity"] = suppliers["open_quantity"].to_numpy() / capacity
    # The part's load in the line's month: what is already ordered for it then.
    keys = pd.MultiIndex.from_arrays(
        [target["supplier_id"], target["part_id"], _month_index(target["promise"])]
    )
    part_capacity = sources.set_index(["part_id", "supplier_id"])["monthly_capacity"]
    pairs = pd.MultiIndex.from_arrays([target["part_id"], target["supplier_id"]])
    frame["part_month_load_vs_capacity"] = (
        trailing.booked.reindex(keys).to_numpy()
        / part_capacity.reindex(pairs).replace(0, np.nan).to_numpy()
    )


def _month_index(days: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(days, unit="D")
    return (stamps.dt.year * 12 + stamps.dt.month).to_numpy()
