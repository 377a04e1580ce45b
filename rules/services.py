"""Engine writes (docs/rules.md): rule evaluation, buyer decisions on exceptions, demand splits.

The evaluation itself lives in `rules.evaluation` (what it reads: `rules.facts`); the
order-allocation split in `rules.allocation`. Every entry point calls these functions.
"""

from rules.allocation import demand_split, demand_split_order
from rules.decisions import (
    exception_approve,
    exception_refresh,
    exception_reject,
    exceptions_decide,
    exceptions_refresh,
)
from rules.evaluation import EvaluationResult, balances_rebase, rules_evaluate

__all__ = [
    "EvaluationResult",
    "balances_rebase",
    "demand_split",
    "demand_split_order",
    "exception_approve",
    "exception_refresh",
    "exception_reject",
    "exceptions_decide",
    "exceptions_refresh",
    "rules_evaluate",
]
