import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from scorecards import kpis
from scorecards.services import RECOMPUTE_STEPS, scorecard_recompute
from suppliers.models import Supplier


class Command(BaseCommand):
    help = (
        "Recompute scorecards synchronously: every supplier and period when no option is "
        "given. --supplier and --period may repeat; --period takes YYYY-MM or rolling-90."
    )

    def add_arguments(self, parser):
        parser.add_argument("--supplier", action="append", metavar="CODE", help="Supplier code.")
        parser.add_argument(
            "--period", action="append", metavar="YYYY-MM", help="Month, or rolling-90."
        )
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="As-of date (default: today, organisation time)."
        )

    def handle(self, *args, supplier=None, period=None, as_of=None, **options):
        supplier_ids = None
        if supplier:
            codes = set(supplier)
            found = dict(Supplier.objects.filter(code__in=codes).values_list("code", "pk"))
            if missing := sorted(codes - set(found)):
                raise CommandError(f"Unknown supplier code(s): {', '.join(missing)}.")
            supplier_ids = list(found.values())
        if period:
            try:
                period = [kpis.period_validate(p) for p in period]
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        as_of_date = None
        if as_of:
            try:
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}.") from exc

        bar = tqdm(total=len(RECOMPUTE_STEPS), unit="step", file=self.stderr._out)
        try:
            result = scorecard_recompute(
                supplier_ids=supplier_ids,
                periods=period,
                as_of=as_of_date,
                progress=lambda step: (bar.set_description(step), bar.update(1)),
            )
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Scorecards as of {result.as_of}: {result.supplier_rows} supplier rows, "
                f"{result.part_rows} part rows; {result.rows_written} written, "
                f"{result.rows_deleted} removed in {result.seconds:.2f} s."
            )
        )
