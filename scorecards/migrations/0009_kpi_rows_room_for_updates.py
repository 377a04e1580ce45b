"""PostgreSQL: leave a fifth of each scorecard page free, so the nightly refresh's updates
(the rolling window and the current month, every night) stay on their page and skip the
index writes (heap-only tuples). Pages written before this take effect once rewritten (a
full rebuild into empty tables, or VACUUM FULL)."""

from django.db import migrations

TABLES = ("scorecards_partscorecard", "scorecards_supplierscorecard")


def _fillfactor(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            if value is None:
                schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
            else:
                schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0008_kpi_derived_rows_unchecked")]

    operations = [migrations.RunPython(_fillfactor(80), _fillfactor(None))]
