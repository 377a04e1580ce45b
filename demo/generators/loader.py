"""Runs the month-by-month history: in this process, or on PostgreSQL in parallel workers.

Each month is drawn from its own seed and numbered by its place in the history, so the
data is the same however the months are spread over workers.
"""

import datetime as dt
import multiprocessing
from collections.abc import Callable

from django.db import connections, transaction

from demo.generators.orders import OrderHistory
from purchasing.services import kpi_refresh_deferred

# The history a forked worker draws from; set just before the workers start.
_history: OrderHistory | None = None


def _month_in_worker(month: dt.date) -> tuple[dt.date, int, int]:
    """One month in its own transaction; KPI refreshes are left to the caller."""
    with transaction.atomic(), kpi_refresh_deferred():
        counts = _history.month_create(month)
    connections.close_all()
    return month, counts.lines, counts.receipts


def months_load(
    *,
    history: OrderHistory,
    months: list[dt.date],
    workers: int,
    report: Callable[[dt.date, int, int], None],
) -> None:
    """Write every month of the history; `report(month, lines, receipts)` after each."""
    if workers <= 1:
        for month in months:
            counts = history.month_create(month)
            report(month, counts.lines, counts.receipts)
        return
    global _history
    _history = history
    # Forked workers must not share this process's database connection.
    connections.close_all()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for month, lines, receipts in pool.imap_unordered(_month_in_worker, months):
                report(month, lines, receipts)
    finally:
        _history = None
