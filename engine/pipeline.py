"""The engine, as one ordered list (docs/engine.md).

A posting, the 15-minute beat, the nightly run and the weekly rebuild all run the same
steps, in this order:

1. **refresh scorecards**: claim every waiting KPI cell (the outbox) and recompute those
   cells and their rolling window (nightly: also every month the as-of date moved
   through; rebuild: everything from the facts);
2. **match invoices** that waited for their goods (a receipt may have come);
3. **evaluate rules** for the suppliers the refresh rebuilt (nightly and rebuild: every
   supplier), applying the obvious decisions and raising exceptions;
4. **plan replenishment** (nightly and rebuild runs only): the daily planning run, the
   policy of every planned part × site (recomputed only when its inputs changed) and this
   period's suggested orders, the obvious ones released alone;
5. **scan alerts**: raise, refresh and resolve every alert kind of `alerts/kinds.py`;
6. **queue emails**: send the critical alerts the scan raised to whoever wants them now
   (the rest wait for the 07:00 digest).

Each step is a function of the run so far; a step that has nothing to do returns at once.
"""

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from alerts.delivery import deliveries_queue
from alerts.services import alerts_scan
from invoicing.services import invoices_match_waiting
from planning.services import planning_run
from rules.services import rules_evaluate
from scorecards.refresh import (
    scorecard_refresh_nightly,
    scorecard_refresh_pending,
    scorecard_rescore_pending,
)
from scorecards.services import scorecard_recompute

logger = logging.getLogger(__name__)

POSTING, NIGHTLY, REBUILD = "posting", "nightly", "rebuild"


@dataclass
class Run:
    mode: str = POSTING
    # When the posting that asked for this run committed: a scan that started later
    # already saw it, so the alerts step is skipped (a burst of postings costs one scan).
    requested_at: dt.datetime | None = None
    refreshed: bool = False
    supplier_ids: list[int] | None = None  # refreshed suppliers (None: every supplier)
    delivery_ids: list[int] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


def refresh_scorecards(run: Run) -> dict | None:
    if run.mode == REBUILD:
        result = scorecard_recompute()
    elif run.mode == NIGHTLY:
        result = scorecard_refresh_nightly()
    else:
        result = scorecard_refresh_pending()
        rescored = scorecard_rescore_pending()
        if rescored is not None:  # composite scores changed for everyone
            run.refreshed, run.supplier_ids = True, None
            summary = result.as_dict() if result else {}
            return {**summary, "rows_rescored": rescored}
    if result is None:
        return None
    run.refreshed = True
    run.supplier_ids = None if result.supplier_ids is None else sorted(result.supplier_ids)
    return result.as_dict()


def match_invoices(run: Run) -> dict | None:
    """Invoices that waited for their goods are matched again (a receipt may have come)."""
    if not run.refreshed and run.requested_at is not None:
        return None  # a posting of no fact: no goods arrived
    return invoices_match_waiting()


def evaluate_rules(run: Run) -> dict | None:
    if not run.refreshed:
        return None  # no figure changed: the rules would decide what they decided before
    return rules_evaluate(supplier_ids=run.supplier_ids).as_dict()


def plan_replenishment(run: Run) -> dict | None:
    """Once a day (the nightly run; the weekly rebuild too, as landed costs may move):
    after the rules, so a supplier they held gets no order, and before the scan, so
    suggestions left waiting raise their alert."""
    if run.mode == POSTING:
        return None
    return dataclasses.asdict(planning_run())


def scan_alerts(run: Run) -> dict | None:
    result = alerts_scan(requested_at=run.requested_at, queue_sends=False)
    run.delivery_ids = result.delivery_ids
    return result.as_dict()


def queue_emails(run: Run) -> dict | None:
    if not run.delivery_ids:
        return None
    return {"queued": deliveries_queue(run.delivery_ids)}


STEPS: list[tuple[str, Callable[[Run], dict | None]]] = [
    ("refresh scorecards", refresh_scorecards),
    ("match invoices", match_invoices),
    ("evaluate rules", evaluate_rules),
    ("plan replenishment", plan_replenishment),
    ("scan alerts", scan_alerts),
    ("queue emails", queue_emails),
]


def pipeline_run(*, mode: str = POSTING, requested_at: dt.datetime | None = None) -> Run:
    """Run every step in order; each step's summary (None: nothing to do) is kept."""
    run = Run(mode=mode, requested_at=requested_at)
    for name, step in STEPS:
        started = time.perf_counter()
        run.summary[name] = step(run)
        run.seconds[name] = round(time.perf_counter() - started, 3)
    logger.info("Engine %s run: %s", mode, run.seconds)
    return run


def requested_now() -> str:
    return timezone.now().isoformat()
