"""Solve the fast/slow model for given inputs and print the policy (docs/planning.md)."""

import dataclasses
import time

from django.core.management.base import BaseCommand, CommandError

from planning.policies.choose import KINDS, choose
from planning.policies.heuristics import NoPolicy, exact_evaluation
from planning.policies.model import DualSourcingModel, ModelError, parse_demand


class Command(BaseCommand):
    help = (
        "Replenishment policy for a fast and a slow source: prints the policy chosen and "
        "ends with its exact long-run cost per period. Quantities are in lots."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lead-slow", type=int, required=True, help="Slow lead time (periods)."
        )
        parser.add_argument(
            "--lead-fast", type=int, default=0, help="Fast lead time (periods); 0 is modelled."
        )
        parser.add_argument("--premium", type=float, required=True, help="c_e per lot.")
        parser.add_argument("--holding", type=float, required=True, help="h per lot and period.")
        parser.add_argument("--backlog", type=float, required=True, help="b per lot and period.")
        parser.add_argument(
            "--demand", required=True, help='"p0,p1,...,pk": P(demand = i lots) per period.'
        )
        parser.add_argument("--policy", choices=KINDS, help="Force one policy family.")
        parser.add_argument("--all", action="store_true", help="Also list every family's best.")

    def handle(self, *args, **opts):
        if opts["lead_fast"] != 0:
            raise CommandError("--lead-fast: only a fast lead time of 0 periods is modelled")
        try:
            model = DualSourcingModel(
                lead_slow=opts["lead_slow"],
                premium=opts["premium"],
                holding=opts["holding"],
                backlog=opts["backlog"],
                demand=parse_demand(opts["demand"]),
            )
        except ModelError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        try:
            choice = choose(model, kind=opts["policy"])
        except NoPolicy as exc:
            raise CommandError(str(exc)) from None
        chosen = _exact(model, choice.chosen)
        seconds = time.perf_counter() - started
        if opts["all"]:
            for kind in KINDS:
                if kind == choice.chosen.kind:
                    continue
                try:
                    other = _exact(model, choose(model, kind=kind).chosen)
                except NoPolicy:
                    continue
                self.stdout.write(f"  {kind:<6} {_params(other)}: {other.cost:.4f}{_how(other)}")
        self._print(model, chosen, seconds)

    def _print(self, model, chosen, seconds):
        share_fast, share_slow = chosen.shares(model.mean_demand)
        out = self.stdout
        out.write(f"policy: {chosen.kind}")
        out.write(f"parameters: {_params(chosen)}")
        out.write(f"mean demand per period: {model.mean_demand:.4f} lots")
        out.write(f"share fast: {100 * share_fast:.2f} %, share slow: {100 * share_slow:.2f} %")
        out.write(f"fill rate: {100 * chosen.fill_rate:.2f} %")
        out.write(f"solved in {seconds:.2f} s")
        if not chosen.exact:
            out.write(
                f"cost by simulation (chain too large to solve): standard error {chosen.stderr:.4f}"
            )
        out.write(f"expected cost per period: {chosen.cost:.4f}")


def _exact(model, candidate):
    """The candidate with its exact Markov-chain figures when its search only simulated
    them (the chain was past the search's limit but not past this larger one)."""
    if candidate.exact:
        return candidate
    ev = exact_evaluation(model, candidate)
    if ev is None:
        return candidate
    return dataclasses.replace(
        candidate,
        cost=ev.cost,
        fill_rate=ev.fill_rate,
        mean_fast=ev.mean_fast,
        mean_slow=ev.mean_slow,
        exact=True,
        stderr=None,
    )


def _how(candidate) -> str:
    return "" if candidate.exact else f" (simulated, standard error {candidate.stderr:.4f})"


def _params(candidate):
    return " ".join(f"{key}={value}" for key, value in candidate.parameters.items()) or "-"
