"""The facts of the lines being scored (or trained on), loaded set-based into pandas frames.

One query per kind of fact (lines, receipts, revisions, ship notices, transit events,
sources, contracts), never one per line. Only the lines asked for are loaded (the open
ones when scoring, a sample when training); the figures over every line (trailing OTD,
lead times, load) are computed in the database (`prediction.aggregates`). Every date
becomes a whole day number (days since 1970-01-01, in the organisation's time zone for
date-times), so an as-of cut is one integer comparison. What each fact's date is, is
listed in docs/prediction.md.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import F, Q

from contracts.models import Contract
from parts.models import ApprovedSource
from purchasing.models import (
    PromiseRevision,
    PurchaseOrderLine,
    Receipt,
    ShipNoticeLine,
    TransitEvent,
)
from scorecards import kpis
from suppliers.models import Supplier

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def _days(values) -> np.ndarray:
    """Dates (or None) as day numbers, NaN for missing."""
    series = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
    return ((series - pd.Timestamp(EPOCH)) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def _local_days(values) -> np.ndarray:
    """Date-times (or None) as local day numbers, NaN for missing."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = [None if v is None else v.astimezone(tz).date() for v in values]
    return _days(local)


@dataclass
class Facts:
    """Frames of everything a line's features may read, each fact with its day number."""

    lines: pd.DataFrame  # id, supplier_id, part_id, order_day, requested_day, promised_day,
    #                      acknowledged_day, quantity, is_open, early, late
    receipts: pd.DataFrame  # line_id, day, quantity
    revisions: pd.DataFrame  # line_id, day, new_day
    notices: pd.DataFrame  # line_id, ship_notice_id, day (posted), eta_day
    events: pd.DataFrame  # ship_notice_id, day, eta_day
    sources: pd.DataFrame  # part_id, supplier_id, lead_time_days, monthly_capacity
    # The suppliers a training sample is drawn from (None: every supplier).
    supplier_ids: list[int] | None = None


def facts_load(*, where: Q | None = None, stride: int = 1) -> Facts:
    """Load the facts of every non-cancelled line matching `where` (all by default), or of
    the lines of one supplier in `stride` (by id: a sample blind to any outcome)."""
    lines_q = PurchaseOrderLine.objects.exclude(status=PurchaseOrderLine.Status.CANCELLED)
    if where is not None:
        lines_q = lines_q.filter(where)
    if stride > 1:
        lines_q = lines_q.alias(slot=F("purchase_order__supplier_id") % stride).filter(slot=0)
    lines = _lines_frame(lines_q)
    in_lines = {"line__in": lines_q.values("pk")}
    receipts = list(
        Receipt.objects.filter(**in_lines).values_list("line_id", "receipt_date", "quantity")
    )
    revisions = list(
        PromiseRevision.objects.filter(**in_lines).values_list("line_id", "created_at", "new_date")
    )
    notices = list(
        ShipNoticeLine.objects.filter(**in_lines).values_list(
            "line_id", "ship_notice_id", "ship_notice__created_at", "ship_notice__eta"
        )
    )
    notice_ids = {row[1] for row in notices}
    events = list(
        TransitEvent.objects.filter(ship_notice_id__in=sorted(notice_ids)).values_list(
            "ship_notice_id", "occurred_at", "eta"
        )
        if notice_ids
        else []
    )
    sources = list(
        ApprovedSource.objects.values_list(
            "part_id", "supplier_id", "lead_time_days", "monthly_capacity"
        )
    )
    chosen = None
    if stride > 1:
        suppliers = Supplier.objects.alias(slot=F("pk") % stride).filter(slot=0)
        chosen = sorted(suppliers.values_list("pk", flat=True))
    return Facts(
        supplier_ids=chosen,
        lines=lines,
        receipts=_frame(receipts, line_id=("int", 0), day=("date", 1), quantity=("float", 2)),
        revisions=_frame(revisions, line_id=("int", 0), day=("local", 1), new_day=("date", 2)),
        notices=_frame(
            notices,
            line_id=("int", 0),
            ship_notice_id=("int", 1),
            day=("local", 2),
            eta_day=("date", 3),
        ),
        events=_frame(events, ship_notice_id=("int", 0), day=("local", 1), eta_day=("date", 2)),
        sources=pd.DataFrame(
            sources, columns=["part_id", "supplier_id", "lead_time_days", "monthly_capacity"]
        )
        .astype({"monthly_capacity": float, "lead_time_days": float})
        .drop_duplicates(["part_id", "supplier_id"]),
    )


_CONVERT = {
    "int": lambda values: np.array(values, dtype=np.int64),
    "float": lambda values: np.array([float(v) for v in values], dtype=float),
    "date": _days,
    "local": _local_days,
}


def _frame(rows: list[tuple], **columns: tuple[str, int]) -> pd.DataFrame:
    """A frame from query rows: column name → (kind, position in the row)."""
    return pd.DataFrame(
        {name: _CONVERT[kind]([r[i] for r in rows]) for name, (kind, i) in columns.items()}
    )


def _lines_frame(lines_q) -> pd.DataFrame:
    rows = list(
        lines_q.values_list(
            "pk",
            "purchase_order__supplier_id",
            "part_id",
            "purchase_order__order_date",
            "requested_date",
            "promised_date",
            "acknowledged_at",
            "quantity",
            "status",
        )
    )
    frame = pd.DataFrame(
        {
            "id": np.array([r[0] for r in rows], dtype=np.int64),
            "supplier_id": np.array([r[1] for r in rows], dtype=np.int64),
            "part_id": np.array([r[2] for r in rows], dtype=np.int64),
            "order_day": _days([r[3] for r in rows]),
            "requested_day": _days([r[4] for r in rows]),
            "promised_day": _days([r[5] for r in rows]),
            "acknowledged_day": _local_days([r[6] for r in rows]),
            "quantity": np.array([float(r[7]) for r in rows], dtype=float),
            "is_open": np.array([r[8] == PurchaseOrderLine.Status.OPEN for r in rows], dtype=bool),
        }
    )
    return _with_tolerances(frame)


def _with_tolerances(lines: pd.DataFrame) -> pd.DataFrame:
    """Each line's tolerance window as OTD counts it: the supplier's contract valid on the
    promised date (the latest-starting one), else the defaults."""
    contracts = pd.DataFrame(
        list(
            Contract.objects.values_list(
                "supplier_id",
                "valid_from",
                "valid_to",
                "early_tolerance_days",
                "late_tolerance_days",
                "pk",
            )
        ),
        columns=["supplier_id", "valid_from", "valid_to", "early", "late", "contract_id"],
    )
    lines = lines.copy()
    lines["early"] = float(kpis.DEFAULT_EARLY_TOLERANCE_DAYS)
    lines["late"] = float(kpis.DEFAULT_LATE_TOLERANCE_DAYS)
    if contracts.empty or lines.empty:
        return lines
    contracts["from_day"] = _days(contracts["valid_from"])
    contracts["to_day"] = _days(contracts["valid_to"])
    pairs = lines[["id", "supplier_id", "promised_day"]].merge(contracts, on="supplier_id")
    valid = pairs[
        (pairs["from_day"] <= pairs["promised_day"])
        & (pairs["to_day"].isna() | (pairs["to_day"] >= pairs["promised_day"]))
    ]
    chosen = (
        valid.sort_values(["from_day", "contract_id"])
        .drop_duplicates("id", keep="last")
        .set_index("id")
    )
    lines = lines.set_index("id", drop=False)
    lines.loc[chosen.index, "early"] = chosen["early"].astype(float)
    lines.loc[chosen.index, "late"] = chosen["late"].astype(float)
    return lines.reset_index(drop=True)
