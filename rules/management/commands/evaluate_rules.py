import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from rules.services import rules_evaluate
from suppliers.models import Supplier


class Command(BaseCommand):
    help = "Evaluate every active contract rule now (what the worker does after each KPI refresh)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--supplier", action="append", help="Only this supplier code (repeatable)."
        )
        parser.add_argument("--as-of", help="Evaluate as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args, supplier=None, as_of=None, **options):
        supplier_ids = None
        if supplier:
            found = dict(Supplier.objects.filter(code__in=supplier).values_list("code", "pk"))
            missing = sorted(set(supplier) - set(found))
            if missing:
                raise CommandError(f"Unknown supplier code(s): {', '.join(missing)}")
            supplier_ids = list(found.values())
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        result = rules_evaluate(supplier_ids=supplier_ids, as_of=day)
        self.stdout.write(
            f"Evaluated {result.rules} rules as of {result.as_of}: {result.breaches} fired, "
            f"{result.applied} share shifts applied, {result.exceptions} exceptions for review, "
            f"{result.notified} notifications, {result.price_tiers} price tiers, "
            f"{result.skipped} skipped, {result.low_sample} low-sample figures ignored "
            f"({result.seconds:.2f} s)."
        )
