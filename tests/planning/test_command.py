"""`manage.py replenishment_policy`: the stable command a newcomer runs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

TEXTBOOK = [
    "--lead-slow", "2", "--lead-fast", "0", "--premium", "20", "--holding", "5",
    "--backlog", "495", "--demand", "0.2,0.2,0.2,0.2,0.2",
]  # fmt: skip


def run(*args):
    out = StringIO()
    call_command("replenishment_policy", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_the_command_picks_the_optimum_and_ends_with_its_cost():
    lines = run(*TEXTBOOK)
    assert lines[0] == "policy: exact"
    assert lines[-1] == "expected cost per period: 23.0714"


def test_a_forced_policy_prints_its_parameters_and_its_exact_cost():
    lines = run(*TEXTBOOK, "--policy", "single")
    assert lines[0] == "policy: single"
    assert lines[1] == "parameters: source=slow S=11"
    # Three periods of U{0..4} exceed 11 only at 12 (1/125); h * E[(11 - D3)+] + b/125.
    assert lines[-1] == "expected cost per period: 29.0000"


def test_cdi_is_between_the_optimum_and_the_dual_index():
    cdi = float(run(*TEXTBOOK, "--policy", "cdi")[-1].rsplit(" ", 1)[1])
    di = float(run(*TEXTBOOK, "--policy", "di")[-1].rsplit(" ", 1)[1])
    assert 23.0714 <= cdi <= di


@pytest.mark.parametrize(
    "args",
    [
        ["--demand", "0.5,0.6"],
        ["--demand", "a,b"],
        ["--lead-fast", "1"],
    ],
)
def test_bad_inputs_are_a_clear_error(args):
    base = dict(zip(TEXTBOOK[::2], TEXTBOOK[1::2], strict=True))
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError):
        run(*flat)
