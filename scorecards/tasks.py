"""Scorecard tasks. The KPI engine fills these in; until then a refresh only logs."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="scorecards.refresh_suppliers", ignore_result=True)
def scorecards_refresh_suppliers(supplier_ids: list[int]) -> None:
    logger.info("Scorecard refresh requested for %d suppliers", len(supplier_ids))


@shared_task(name="scorecards.recompute_all", ignore_result=True)
def scorecards_recompute_all() -> None:
    logger.info("Nightly scorecard recompute requested")
