"""`line_at_risk`: an open line likely to be late, soon due, with nothing shipped yet.

Late risk ≥ the threshold (setting `LATE_RISK_ALERT_PCT`, default 60 %), promised within
21 days from today, and no ship notice posted for it. Internal only (never shown to
supplier contacts). One query; see docs/prediction.md.
"""

import datetime as dt

from django.db.models import Exists, OuterRef

from alerts.conditions.base import Condition
from prediction.models import LineRisk
from prediction.selectors import ALERT_WITHIN_DAYS, risk_alert_threshold
from purchasing.models import PurchaseOrderLine, ShipNoticeLine


def line_at_risk_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    threshold = risk_alert_threshold()
    rows = (
        LineRisk.objects.filter(
            late_risk__gte=threshold,
            line__status=PurchaseOrderLine.Status.OPEN,
            line__promised_date__gte=today,
            line__promised_date__lte=today + dt.timedelta(days=ALERT_WITHIN_DAYS),
        )
        .filter(~Exists(ShipNoticeLine.objects.filter(line_id=OuterRef("line_id"))))
        .order_by()
        .values_list(
            "line_id",
            "late_risk",
            "expected_days_late",
            "line__line_number",
            "line__purchase_order_id",
            "line__purchase_order__number",
            "line__purchase_order__supplier_id",
            "line__part_id",
            "line__part__number",
            "line__promised_date",
        )
    )
    return [
        Condition(
            kind="line_at_risk",
            key=f"line_at_risk:{line_id}",
            message=f"{po_number}/{line_number} ({part_number}): {risk:.0%} risk of missing "
            f"the promised date {promised:%Y-%m-%d} (about {days:.0f} days late expected); "
            "no ship notice yet.",
            supplier_id=supplier_id,
            part_id=part_id,
            purchase_order_id=po_id,
            line_id=line_id,
        )
        for (
            line_id,
            risk,
            days,
            line_number,
            po_id,
            po_number,
            supplier_id,
            part_id,
            part_number,
            promised,
        ) in rows
    ]
