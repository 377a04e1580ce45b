"""Plotly figures for the buyer's pages, as plain dicts: pure functions of selector rows.

Nothing here reads the database. Nulls stay gaps (None), never zeros. The page draws each
figure with `static/js/charts.js` from the project's own plotly bundle.
"""

import json
from collections.abc import Iterable, Mapping, Sequence

PALETTE = ("#0b63b6", "#d9822b", "#1e7b34", "#8e44ad", "#b3261e", "#5b6b7c")
GRADE_COLOURS = {"A": "#1e7b34", "B": "#6aa84f", "C": "#d9822b", "D": "#b3261e", "none": "#9aa5b1"}
BASE_LAYOUT = {
    "margin": {"t": 30, "r": 20, "l": 50, "b": 40},
    "height": 260,
    "legend": {"orientation": "h", "y": -0.2},
    "paper_bgcolor": "#fff",
    "plot_bgcolor": "#fff",
    "font": {"size": 12},
}


def _number(value):
    return None if value is None else float(value)


def _layout(title: str, **extra) -> dict:
    return {**BASE_LAYOUT, "title": {"text": title, "font": {"size": 14}}, **extra}


# Months are labels (YYYY-MM), one tick each: plotly would otherwise read them as dates.
MONTH_AXIS = {"type": "category"}


def to_json(figure: dict | None) -> str:
    return json.dumps(figure, separators=(",", ":"))


def kpi_trend(
    *, periods: Sequence[str], values: Sequence, title: str, target=None, unit: str = ""
) -> dict:
    """One KPI month by month, with its target as a dotted line when there is one."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": title,
            "x": list(periods),
            "y": [_number(v) for v in values],
            "connectgaps": False,
            "line": {"color": PALETTE[0]},
        }
    ]
    if target is not None and periods:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Target",
                "x": [periods[0], periods[-1]],
                "y": [float(target), float(target)],
                "line": {"dash": "dot", "color": PALETTE[4], "width": 1},
            }
        )
    layout = _layout(title, xaxis=MONTH_AXIS, yaxis={"title": unit, "rangemode": "tozero"})
    return {"data": data, "layout": layout}


def portfolio_trend(*, periods: Sequence[str], figures: Mapping) -> dict:
    """Supply-base OTD and OTIF per month (figures: period → PortfolioFigures)."""
    series = []
    for i, (name, attr) in enumerate((("OTD %", "otd_pct"), ("OTIF %", "otif_pct"))):
        series.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": list(periods),
                "y": [
                    _number(getattr(figures[p], attr)) if p in figures else None for p in periods
                ],
                "line": {"color": PALETTE[i]},
            }
        )
    layout = _layout("Delivery, whole supply base", xaxis=MONTH_AXIS, yaxis={"title": "%"})
    return {"data": series, "layout": layout}


def grade_distribution(counts: Mapping[str, int]) -> dict:
    labels = [g for g in counts if g != "none"] + ["none"]
    return {
        "data": [
            {
                "type": "bar",
                "x": ["No grade" if g == "none" else g for g in labels],
                "y": [counts.get(g, 0) for g in labels],
                "marker": {"color": [GRADE_COLOURS[g] for g in labels]},
                "name": "Suppliers",
            }
        ],
        "layout": _layout("Suppliers per grade, last 90 days", yaxis={"title": "suppliers"}),
    }


def by_source(
    *, periods: Sequence[str], series: Mapping[str, Mapping[str, object]], title: str, unit=""
) -> dict:
    """One line per source (series: supplier code → period → value)."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": code,
            "x": list(periods),
            "y": [_number(values.get(p)) for p in periods],
            "connectgaps": False,
            "line": {"color": PALETTE[i % len(PALETTE)]},
        }
        for i, (code, values) in enumerate(series.items())
    ]
    return {"data": data, "layout": _layout(title, xaxis=MONTH_AXIS, yaxis={"title": unit})}


def lead_time_distribution(lead_times: Mapping[str, Iterable[int]]) -> dict:
    """A box per source over its receipts' lead times in days."""
    data = [
        {
            "type": "box",
            "name": code,
            "y": list(days),
            "boxpoints": "outliers",
            "marker": {"color": PALETTE[i % len(PALETTE)]},
        }
        for i, (code, days) in enumerate(lead_times.items())
    ]
    return {
        "data": data,
        "layout": _layout("Lead time per receipt", yaxis={"title": "days"}, showlegend=False),
    }


def sparkline_points(values: Sequence, *, width: int = 80, height: int = 20) -> str:
    """SVG polyline points for a small inline trend; gaps (None) are skipped."""
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low, high = 0.0, 100.0  # composite scores live on 0–100: every sparkline on one scale
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - (v - low) / (high - low) * height:.1f}" for i, v in known
    )


def stock_over_time(
    *,
    times: Sequence[str],
    on_hand: Sequence,
    reorder_point: Sequence,
    safety_stock: Sequence,
    title: str,
) -> dict:
    """On hand at one site reading by reading, with its reorder point and safety stock."""

    def line(name, values, colour, dash=None):
        return {
            "type": "scatter",
            "mode": "lines",
            "line": {"color": colour, "shape": "hv", **({"dash": dash} if dash else {})},
            "name": name,
            "x": list(times),
            "y": [_number(v) for v in values],
        }

    return {
        "data": [
            line("On hand", on_hand, PALETTE[0]),
            line("Reorder point", reorder_point, PALETTE[1], "dot"),
            line("Safety stock", safety_stock, PALETTE[4], "dash"),
        ],
        "layout": _layout(title, xaxis={"type": "date"}),
    }


def by_region_bars(values: Mapping[str, object], *, title: str, unit: str = "") -> dict:
    """One bar per region (spend, or share of the portfolio's supply)."""
    regions = list(values)
    return {
        "data": [
            {
                "type": "bar",
                "x": regions,
                "y": [_number(values[r]) for r in regions],
                "marker": {"color": PALETTE[0]},
            }
        ],
        "layout": _layout(title, xaxis={"type": "category"}, yaxis={"title": unit}),
    }
