"""Invoice tasks: ids in, one service call, a JSON summary out."""

from celery import shared_task

from core import task_names
from core.tasks import DATABASE_RETRY
from invoicing.services import invoices_match_waiting, invoices_rematch_lines


@shared_task(name=task_names.INVOICE_REMATCH, soft_time_limit=120, time_limit=180, **DATABASE_RETRY)
def invoices_rematch_lines_task(line_ids: list[int]) -> dict:
    """Queued by name when goods are received on order lines: match again the waiting
    invoices that bill them."""
    return invoices_rematch_lines(line_ids=line_ids)


@shared_task(
    name=task_names.INVOICE_MATCH_WAITING, soft_time_limit=600, time_limit=720, **DATABASE_RETRY
)
def invoices_match_waiting_task() -> dict:
    """The scheduled catch-up: match every invoice still waiting (a receipt whose queued
    re-match was lost while the broker was down is caught here)."""
    return invoices_match_waiting()
