"""A brute-force, row-by-row reading of docs/kpis.md, written independently of the engine.

Slow and obvious on purpose: it loops over every line, receipt and inspection in Python
and shares no code with `scorecards`, so agreement between the two is meaningful.
"""

import datetime as dt
from collections import defaultdict

import numpy as np

DEFAULT_TOLERANCES = (3, 0)
CRITERIA = (  # kpi, floor, target, weight
    ("otd_pct", 80, 98, 40),
    ("defect_ppm", 5000, 100, 30),
    ("lead_time_mean_days", 60, 14, 10),
    ("landed_cost_index", 1.15, 0.95, 20),
)


def fx_rate(rates, currency, day, base):
    if currency == base:
        return 1.0
    dated = [(d, r) for (c, d, r) in rates if c == currency and d <= day]
    return max(dated)[1] if dated else None


def tolerances(contracts, supplier_id, promised):
    valid = [
        c
        for c in contracts
        if c.supplier_id == supplier_id
        and c.valid_from <= promised
        and (c.valid_to is None or promised <= c.valid_to)
    ]
    if not valid:
        return DEFAULT_TOLERANCES
    latest = max(valid, key=lambda c: c.valid_from)
    return latest.early_tolerance_days, latest.late_tolerance_days


def kpis(*, lines, receipts, inspections, contracts, rates, base, start, end, as_of):
    """Supplier KPIs and (part, supplier) landed unit costs over dates in [start, end]."""
    rates = [(r.currency, r.date, float(r.rate)) for r in rates]
    line_of = {ln.id: ln for ln in lines}
    receipts_of = defaultdict(list)
    for r in receipts:
        receipts_of[r.line_id].append(r)
    acc = defaultdict(lambda: defaultdict(float))
    leads = defaultdict(list)

    for ln in lines:
        due = start <= ln.promised_date <= min(end, as_of)
        if ln.status == "cancelled" or not due:
            continue
        supplier = ln.purchase_order.supplier_id
        early, late = tolerances(contracts, supplier, ln.promised_date)
        first = ln.promised_date - dt.timedelta(days=early)
        last = ln.promised_date + dt.timedelta(days=late)
        received = sum(
            float(r.quantity) for r in receipts_of[ln.id] if first <= r.receipt_date <= last
        )
        on_time = min(received, float(ln.quantity))
        acc[supplier]["ordered"] += float(ln.quantity)
        acc[supplier]["on_time"] += on_time
        acc[supplier]["lines"] += 1
        acc[supplier]["in_full"] += on_time >= float(ln.quantity)

    for i in inspections:
        ln = line_of[i.receipt.line_id]
        if ln.status == "cancelled" or not start <= i.inspection_date <= end:
            continue
        supplier = ln.purchase_order.supplier_id
        acc[supplier]["inspected"] += float(i.inspected_quantity)
        acc[supplier]["defective"] += float(i.defective_quantity)

    cost = defaultdict(lambda: [0.0, 0.0])  # (part, supplier) -> [landed cost, quantity]
    for r in receipts:
        ln = line_of[r.line_id]
        if ln.status == "cancelled" or not start <= r.receipt_date <= end:
            continue
        supplier = ln.purchase_order.supplier_id
        leads[supplier].append((r.receipt_date - ln.purchase_order.order_date).days)
        line_fx = fx_rate(rates, ln.purchase_order.currency, r.receipt_date, base)
        cost_fx = fx_rate(rates, r.cost_currency, r.receipt_date, base)
        if line_fx is None or cost_fx is None:
            acc[supplier]["fx_missing"] += 1
            continue
        extra = float(r.freight) + float(r.duty) + float(r.other_costs)
        quantity = float(r.quantity)
        cost[(ln.part_id, supplier)][0] += (
            quantity * float(ln.unit_price) * line_fx + extra * cost_fx
        )
        cost[(ln.part_id, supplier)][1] += quantity

    landed_unit_cost = {key: c / q for key, (c, q) in cost.items()}
    part_average = {}
    for part in {p for p, _ in cost}:
        pairs = [(c, q) for (p, _), (c, q) in cost.items() if p == part]
        part_average[part] = sum(c for c, _ in pairs) / sum(q for _, q in pairs)
    index_num, index_den = defaultdict(float), defaultdict(float)
    for (part, supplier), (_, quantity) in cost.items():
        index_num[supplier] += quantity * landed_unit_cost[(part, supplier)]
        index_den[supplier] += quantity * part_average[part]

    result = {}
    for supplier in set(acc) | set(leads):
        a, days = acc[supplier], leads[supplier]
        figures = {
            "otd_pct": 100 * a["on_time"] / a["ordered"] if a["lines"] else None,
            "otif_pct": 100 * a["in_full"] / a["lines"] if a["lines"] else None,
            "defect_ppm": 1e6 * a["defective"] / a["inspected"] if a["inspected"] else None,
            "lead_time_mean_days": float(np.mean(days)) if days else None,
            "lead_time_p90_days": float(np.percentile(days, 90)) if days else None,
            "landed_cost_index": (
                index_num[supplier] / index_den[supplier] if index_den[supplier] else None
            ),
            "lines_due": int(a["lines"]),
            "receipts_count": len(days),
            "fx_missing_receipts": int(a["fx_missing"]),
        }
        figures["composite_score"] = composite(figures)
        figures["grade"] = grade(figures["composite_score"])
        result[supplier] = figures
    return result, landed_unit_cost


def composite(figures):
    scored = []
    for kpi, floor, target, weight in CRITERIA:
        value = figures[kpi]
        if value is not None:
            scored.append((weight, max(0.0, min(100.0, 100 * (value - floor) / (target - floor)))))
    if not scored:
        return None
    return sum(w * s for w, s in scored) / sum(w for w, _ in scored)


def grade(score):
    if score is None:
        return None
    return "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"
