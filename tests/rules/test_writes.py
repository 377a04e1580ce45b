"""The engine's one-statement writes keep every character and null of what they write."""

from decimal import Decimal

import pytest
from django.utils import timezone

from parts.models import ApprovedSource
from rules.models import AllocationChange, AllocationException, RuleFiring
from rules.shifting import Firing
from rules.writes import Record, firings_insert, rows_insert, sources_update

pytestmark = pytest.mark.django_db

AWKWARD = 'Rule "late, {again}" \\ back\\slash, NULL, naïve → 12 %'


def test_inserted_records_come_back_as_written_with_their_ids(engine):
    changes = [
        Record(
            part_id=engine.part.pk,
            shares_before={"ACME": "80.00", AWKWARD: None},
            shares_after={"ACME": "70.00", 'quote"d': ["a,b", "{c}"]},
            rule_id=None,
            metric_value=value,
            reason=reason,
        )
        for value, reason in ((81.25, AWKWARD), (None, ""), (0.1, "NULL"))
    ]
    rows_insert(AllocationChange, changes)

    stored = {c.pk: c for c in AllocationChange.objects.all()}
    assert sorted(stored) == sorted(c.pk for c in changes)
    for change in changes:
        row = stored[change.pk]
        assert row.reason == change.reason
        assert row.metric_value == change.metric_value
        assert row.shares_before == change.shares_before
        assert row.shares_after == change.shares_after
        assert row.actor_id is None and row.created_at is not None


def test_a_record_leaving_fields_out_gets_their_defaults(engine):
    exception = Record(kind="hold", part_id=None, supplier_id=engine.a.pk, rule_id=None)
    rows_insert(AllocationException, [exception])

    row = AllocationException.objects.get(pk=exception.pk)
    assert (row.state, row.comment, row.evidence, row.proposed_shares) == ("open", "", {}, None)


def test_shares_and_prices_of_sources_are_written_in_one_update(engine):
    sources_update(
        shares={engine.source_a.pk: Decimal("70"), engine.source_b.pk: Decimal("30")},
        prices={engine.source_b.pk: Decimal("9.8765")},
    )

    a = ApprovedSource.objects.get(pk=engine.source_a.pk)
    b = ApprovedSource.objects.get(pk=engine.source_b.pk)
    assert (a.target_share_pct, a.unit_price) == (Decimal("70"), engine.source_a.unit_price)
    assert (b.target_share_pct, b.unit_price) == (Decimal("30"), Decimal("9.8765"))


def test_firings_come_back_with_their_reasons_and_figures_as_written(engine):
    rule = engine.rule()
    written = [
        Firing(rule.pk, engine.part.pk, engine.a.pk, value, "skipped", reason)
        for value, reason in ((81.25, AWKWARD), (None, ""), (0.1, "NULL"), (None, 'a "b"'))
    ]
    firings_insert(written, at=timezone.now())

    stored = RuleFiring.objects.order_by("pk").values_list("metric_value", "reason")
    assert list(stored) == [(f.metric_value, f.reason) for f in written]
