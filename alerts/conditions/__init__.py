"""Condition finders, one module per topic; the registry of kinds is `alerts/kinds.py`."""

from alerts.conditions.base import Condition

__all__ = ["Condition"]
