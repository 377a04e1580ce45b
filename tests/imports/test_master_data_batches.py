"""Master-data imports are checked and written in batches: the number of queries does
not grow with the rows, and one bad row still writes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parts.models import ApprovedSource, Part, PartCategory, SourceChange
from suppliers.models import Supplier
from tests.factories import PartFactory
from tests.imports.test_imports import csv_bytes, problems, run

pytestmark = pytest.mark.django_db


def _supplier_rows(n, owner="buyer"):
    return [f"S-{i:03d},Supplier {i},DE,EUR,EMEA,approved,{owner}" for i in range(n)]


def _part_rows(n):
    return [f"P-{i:03d},Part {i},pcs,castings" for i in range(n)]


def _queries(kind, lines) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = run(kind, csv_bytes(*lines))
    assert result.ok, result.errors
    return len(captured)


class TestQueryCounts:
    def test_suppliers(self, buyer):
        header = "code,name,country,currency,region,status,owner"
        small = _queries("suppliers", [header, *_supplier_rows(10)])
        Supplier.objects.all().delete()
        large = _queries("suppliers", [header, *_supplier_rows(50)])
        assert large == small
        assert Supplier.objects.filter(owner=buyer).count() == 50

    def test_parts(self, db):
        PartCategory.objects.create(code="castings", name="Castings")
        header = "number,name,unit,category"
        small = _queries("parts", [header, *_part_rows(10)])
        Part.objects.all().delete()
        large = _queries("parts", [header, *_part_rows(50)])
        assert large == small
        assert set(Part.objects.values_list("unit", flat=True)) == {"H87"}

    def test_sources(self, supplier_a, supplier_b):
        header = "part,supplier,target_share_pct,unit_price,currency,lead_time_days"

        def rows(n):
            for i in range(n):
                PartFactory(number=f"Q-{n}-{i:03d}")
            return [
                line
                for i in range(n)
                for line in (
                    f"Q-{n}-{i:03d},ACME,60,2.5,EUR,20",
                    f"Q-{n}-{i:03d},BOLT,40,2.7,EUR,25",
                )
            ]

        small = _queries("sources", [header, *rows(5)])
        large = _queries("sources", [header, *rows(25)])
        assert large == small
        assert ApprovedSource.objects.count() == 60
        assert SourceChange.objects.filter(action="create").count() == 60  # each audited


class TestAllOrNothing:
    def test_one_bad_supplier_among_fifty(self, buyer):
        header = "code,name,country,currency,region,status,owner"
        lines = _supplier_rows(50)
        lines[30] = "S-030,Supplier 30,DE,EUR,EMEA,approved,nobody"
        lines[40] = "S-040,Supplier 40,XX,EUR,EMEA,approved,buyer"
        result = run("suppliers", csv_bytes(header, *lines))
        assert problems(result) == {(32, "owner"), (42, "country")}
        assert not Supplier.objects.exists()

    def test_an_owner_who_is_not_a_buyer(self, viewer):
        header = "code,name,country,currency,owner"
        result = run("suppliers", csv_bytes(header, "S-1,One,DE,EUR,viewer"))
        assert problems(result) == {(2, "owner")}
        assert "buyer" in result.errors[0].message

    def test_unknown_unit_names_accepted_ones(self, db):
        header = "number,name,unit"
        result = run("parts", csv_bytes(header, "P-1,Gear,pcs", "P-2,Oil,gallon", "P-3,Bolt,KGM"))
        assert problems(result) == {(3, "unit")}
        message = result.errors[0].message
        assert "'gallon' is not a unit" in message and "LTR (l)" in message
        assert not Part.objects.exists()

    def test_part_number_taken_in_the_database(self, db):
        PartFactory(number="P-2")
        result = run("parts", csv_bytes("number,name", "P-1,Gear", "P-2,Again"))
        assert problems(result) == {(3, "number")}
        assert not Part.objects.filter(number="P-1").exists()

    def test_source_of_an_unknown_part_and_a_share_over_100(self, supplier_a, supplier_b):
        PartFactory(number="P-1")
        header = "part,supplier,target_share_pct,unit_price,currency,lead_time_days"
        result = run(
            "sources",
            csv_bytes(
                header,
                "P-1,ACME,70,2.5,EUR,20",
                "P-1,BOLT,40,2.7,EUR,25",
                "P-9,ACME,100,2.5,EUR,20",
            ),
        )
        assert problems(result) == {(3, "target_share_pct"), (4, "part")}
        assert not ApprovedSource.objects.exists()
        assert not SourceChange.objects.exists()
