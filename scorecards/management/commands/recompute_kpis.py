import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from scorecards import kpis
from scorecards.refresh import scorecard_refresh_nightly
from scorecards.services import RECOMPUTE_STEPS, scorecard_recompute
from suppliers.models import Supplier


class Command(BaseCommand):
    help = (
        "Recompute scorecards synchronously: every supplier and period (--full, also when no "
        "option is given), the nightly refresh of the marked cells (--nightly), or the "
        "given suppliers and periods: --supplier and --period may repeat; --period takes "
        "YYYY-MM or rolling-90."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--full", action="store_true", help="Rebuild everything.")
        mode.add_argument(
            "--nightly", action="store_true", help="Only the marked cells and the as-of move."
        )
        parser.add_argument("--supplier", action="append", metavar="CODE", help="Supplier code.")
        parser.add_argument(
            "--period", action="append", metavar="YYYY-MM", help="Month, or rolling-90."
        )
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="As-of date (default: today, organisation time)."
        )

    def handle(
        self, *args, supplier=None, period=None, as_of=None, full=False, nightly=False, **options
    ):
        if (full or nightly) and (supplier or period):
            raise CommandError("--full and --nightly take no --supplier or --period.")
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

        if nightly:
            result = scorecard_refresh_nightly(as_of=as_of_date)
            self.stdout.write(self.style.SUCCESS(self._summary(result)))
            return
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
        self.stdout.write(self.style.SUCCESS(self._summary(result)))

    @staticmethod
    def _summary(result) -> str:
        return (
            f"Scorecards as of {result.as_of}: {result.supplier_rows} supplier rows, "
            f"{result.part_rows} part rows; {result.rows_written} written, "
            f"{result.rows_deleted} removed in {result.seconds:.2f} s."
        )
