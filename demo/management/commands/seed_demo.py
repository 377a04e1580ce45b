import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError

from demo.services import (
    DEFAULT_DEMO_PASSWORD,
    DEMO_LOGINS,
    DEMO_PASSWORD_ENV,
    DEMO_SIZES,
    demo_data_present,
    demo_data_seed,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Load demo data: suppliers, parts, sources, contracts and their order history. "
        "The same --size, --seed and --today always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=DEMO_SIZES, default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Date the history ends on (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds suppliers.",
        )
        parser.add_argument(
            "--skip-kpis", action="store_true", help="Do not recompute the scorecards afterwards."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes writing the order history (PostgreSQL only); default: one per "
            "CPU, two to four, for --size large, else one. More than one gives up "
            "all-or-nothing loading.",
        )

    def handle(self, *args, size, seed, today, if_empty, skip_kpis, workers, verbosity, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        if demo_data_present():
            if if_empty:
                self.stdout.write("The database already holds suppliers; demo data not loaded.")
                return
            raise CommandError(
                "The database already holds suppliers; demo data needs an empty database "
                "(use --if-empty to skip quietly)."
            )
        self.stdout.write(f"Loading {size} demo data (seed {seed})…")
        try:
            result = demo_data_seed(
                size=size,
                seed=seed,
                today=today,
                recompute_kpis=not skip_kpis,
                progress=verbosity >= 1,
                workers=workers,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout.write
        out(
            f"History {result.first_month:%Y-%m} to {result.today.isoformat()}; loaded in "
            f"{result.load_seconds:.1f} s. Scorecards: {result.kpis}"
            + (f" in {result.kpi_seconds:.1f} s." if result.kpi_seconds else ".")
        )
        out(f"Late-risk model: {result.prediction}.")
        out(f"Contract rules: {result.rules}.")
        out(f"Alerts: {result.alerts}.")
        out(f"Planning: {result.planning}.")
        width = max(len(label) for label in result.counts)
        for label, count in result.counts.items():
            out(f"  {label:<{width}}  {count:>10,}")
        out("Suppliers degrading over the last six months (OTD falling, PPM rising):")
        for code, name in result.degrading_suppliers:
            out(f"  {code}  {name}")
        if os.environ.get(DEMO_PASSWORD_ENV):
            out(f"Demo logins (password from ${DEMO_PASSWORD_ENV}):")
        else:
            out(f"Demo logins (password {DEFAULT_DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            supplier = result.contacts.get(login.username)
            where = f" at {supplier[0]} {supplier[1]}" if supplier else ""
            out(f"  {login.username:<10} {login.role.value:<9} {login.description}{where}")
        out(f"Both supplier contacts supply part {result.shared_part}.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
