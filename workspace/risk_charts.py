"""The reliability chart of the late-risk model page: a pure function of stored figures."""

from workspace.charts import BASE_LAYOUT, PALETTE, to_json

__all__ = ["reliability", "to_json"]


def reliability(bins: dict) -> dict | None:
    """Observed late share against predicted risk, model and baseline, with the diagonal
    a perfectly calibrated predictor would follow."""
    if not bins:
        return None
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Perfectly calibrated",
            "x": [0, 1],
            "y": [0, 1],
            "line": {"color": "#9aa5b1", "dash": "dot"},
        }
    ]
    for colour, (name, label) in zip(
        PALETTE, (("model", "Model"), ("baseline", "Baseline")), strict=False
    ):
        if name in bins:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": label,
                    "x": bins[name]["predicted"],
                    "y": bins[name]["observed"],
                    "line": {"color": colour},
                }
            )
    return {
        "data": data,
        "layout": {
            **BASE_LAYOUT,
            "height": 320,
            "title": {"text": "Reliability: observed late share by predicted risk"},
            "xaxis": {"title": {"text": "Predicted risk"}, "range": [0, 1]},
            "yaxis": {"title": {"text": "Observed late share"}, "range": [0, 1]},
        },
    }
