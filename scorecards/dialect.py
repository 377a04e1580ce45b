"""The SQL spellings SQLite and PostgreSQL disagree on, for the KPI pipeline."""

from collections.abc import Sequence

from scorecards import kpis


class Dialect:
    """The spellings SQLite and PostgreSQL disagree on."""

    def __init__(self, vendor: str):
        if vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(
                f"The KPI engine supports SQLite and PostgreSQL, not {vendor}."
            )
        self.vendor = vendor

    @property
    def is_postgresql(self) -> bool:
        return self.vendor == "postgresql"

    def month_key(self, column: str) -> str:
        """12 × year + month: an integer stands for the month while staging (cheap to hash
        and sort, unlike formatting 'YYYY-MM' for every fact)."""
        if self.is_postgresql:
            return (
                f"(CAST(date_part('year', {column}) AS INTEGER) * 12"
                f" + CAST(date_part('month', {column}) AS INTEGER))"
            )
        # %% because statements carry parameters.
        return (
            f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12"
            f" + CAST(strftime('%%m', {column}) AS INTEGER))"
        )

    def date_parameter(self, name: str) -> str:
        # SQLite keeps dates as ISO text; a CAST there would turn '2026-01-31' into 2026.
        return f"CAST(%({name})s AS DATE)" if self.is_postgresql else f"%({name})s"

    def day_after(self, column: str) -> str:
        if self.is_postgresql:
            return f"({column} + 1)"
        return f"date({column}, '+1 day')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.is_postgresql:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def is_distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.is_postgresql else f"{a} IS NOT {b}"

    @property
    def fence(self) -> str:
        """Ends a subquery PostgreSQL must not inline: otherwise every reference to a
        computed column repeats its whole expression (the composite would recompute each
        criterion score a dozen times per row)."""
        return " OFFSET 0" if self.is_postgresql else ""

    @property
    def create_staging(self) -> str:
        """How the pipeline creates its staging tables, always inside the recompute's
        transaction (so they vanish with it) and dropped before it commits.

        PostgreSQL: unlogged tables, which, unlike temporary ones, parallel workers can
        scan, so the planner may split the big joins and aggregates across CPUs; no WAL
        is written for them. One recompute runs at a time (advisory lock), so the names
        never collide. SQLite: temporary tables."""
        return "CREATE UNLOGGED TABLE" if self.is_postgresql else "CREATE TEMP TABLE"

    def staging_table(self, name: str) -> str:
        return name if self.is_postgresql else f"temp.{name}"

    # The lead-time p90: PostgreSQL's percentile_cont, and on SQLite (which has none) the
    # same interpolation from window ranks. tests/scorecards compare both with numpy.
    def percentile_ranks(self, value: str, partition: Sequence[str]) -> str:
        if self.is_postgresql:
            return ""
        return ", " + kpis.sql_percentile_ranks(value=value, partition=partition)

    def percentile(self, value: str) -> str:
        if self.is_postgresql:
            return kpis.sql_percentile_cont(value)
        return kpis.sql_percentile(value)
