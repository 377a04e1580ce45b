"""The registry of alert kinds: every kind is one entry with its finder, default
severities and whether a supplier contact sees it."""

import inspect

import pytest

from alerts import kinds
from alerts.models import Alert, AlertSeverity
from alerts.severities import DEFAULTS, severity_of

SEVERITIES = {"info", "warning", "critical"}


@pytest.mark.parametrize("spec", kinds.KINDS, ids=lambda s: s.name)
def test_every_kind_has_a_finder_a_default_severity_and_a_visibility(spec):
    params = inspect.signature(spec.find).parameters
    assert set(params) == {"now", "today"}, f"{spec.name}'s finder takes (*, now, today)"
    assert spec.severities["base"] in SEVERITIES
    assert set(spec.severities.values()) <= SEVERITIES
    assert severity_of(DEFAULTS, spec.name, "base") == spec.severities["base"]
    assert isinstance(spec.contact_visible, bool)
    assert spec.label and spec.label[0].isupper()


def test_names_are_unique_and_the_model_offers_exactly_the_registry():
    names = [spec.name for spec in kinds.KINDS]
    assert len(names) == len(set(names))
    for model in (Alert, AlertSeverity):
        offered = [value for value, _label in model._meta.get_field("kind").choices]
        assert offered == names


def test_contacts_see_only_their_own_line_alerts():
    assert {"line_past_due", "line_not_acknowledged"} == kinds.CONTACT_KINDS


def test_a_finder_that_decides_two_kinds_runs_once_per_scan():
    finders = kinds.finders()
    assert len({find for find, _ in finders}) == len(finders)
    decided = [name for _find, names in finders for name in names]
    assert sorted(decided) == sorted(spec.name for spec in kinds.KINDS)
    by_finder = dict(finders)
    assert set(by_finder[kinds.REGISTRY["line_past_due"].find]) == {
        "line_past_due",
        "line_not_acknowledged",
    }


def test_the_spec_defaults_for_escalated_variants():
    assert severity_of(DEFAULTS, "line_past_due", "seven_days_past") == "critical"
    assert severity_of(DEFAULTS, "low_stock", "below_safety_stock") == "critical"
    assert severity_of(DEFAULTS, "rule_fired", "applied_shift") == "info"
    assert severity_of(DEFAULTS, "certificate_expired", "base") == "critical"
    assert severity_of(DEFAULTS, "single_sourced", "base") == "info"
