"""Array parameters read back by PostgreSQL exactly as the values they were built from."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pgarray import pg_array

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="array parameters are PostgreSQL's"
)

# PostgreSQL text holds any character but NUL.
TEXTS = st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8"))


def _read_back(literal: str, kind: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(%s::{kind}[])", [literal])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXTS), max_size=20))
def test_texts_with_quotes_backslashes_commas_and_empty_values_read_back_unchanged(values):
    assert _read_back(pg_array(values), "text") == values


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), max_size=20))
def test_ids_with_empty_values_read_back_unchanged(values):
    assert _read_back(pg_array(values), "bigint") == values


@pytest.mark.django_db
def test_decimals_floats_and_other_kinds_read_back_unchanged():
    assert _read_back(pg_array([Decimal("1.25"), None, 3, 2.5]), "numeric") == [
        Decimal("1.25"),
        None,
        Decimal(3),
        Decimal("2.5"),
    ]
    days = [dt.date(2026, 12, 7), None]
    assert _read_back(pg_array(days), "date") == days
    assert _read_back(pg_array([]), "text") == []
