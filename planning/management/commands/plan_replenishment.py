"""Run replenishment planning now (what the beat does daily)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from planning.services import planning_run


class Command(BaseCommand):
    help = "Plan every planned part × site: cached policies, this period's suggested orders."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Plan as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args, as_of=None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        started = time.perf_counter()
        result = planning_run(as_of=day)
        self.stdout.write(f"Planning run: {result} ({time.perf_counter() - started:.2f} s).")
