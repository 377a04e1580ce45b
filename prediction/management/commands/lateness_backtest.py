from django.core.management.base import BaseCommand
from django.utils import timezone

from prediction.backtest import MONTHS, backtest_facts, backtest_run
from prediction.management.commands._common import as_of_argument, as_of_parse
from prediction.services import backtest_record


class Command(BaseCommand):
    help = (
        "Rolling-origin backtest by month over the last 6 months with data: train on what was "
        "known before each month, score its due lines as of its first day. Ends with the "
        "pooled auc, baseline auc, brier and baseline brier; the product then uses whichever "
        "of model and baseline won."
    )

    def add_arguments(self, parser):
        as_of_argument(parser)
        parser.add_argument("--months", type=int, default=MONTHS)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print only; do not record the outcome."
        )

    def handle(self, *args, as_of=None, months=MONTHS, dry_run=False, **options):
        today = as_of_parse(as_of) or timezone.localdate()
        facts = backtest_facts(today=today, months=months)
        result = backtest_run(facts, today=today, months=months)
        for row in result.months:
            figures = " ".join(
                f"{key}={row[key]:.4f}"
                for key in ("auc", "baseline_auc", "brier", "baseline_brier")
                if row.get(key) is not None
            )
            self.stdout.write(
                f"{row['month']}: {row['test_lines']} lines due, "
                f"{row['train_samples']} training samples {figures}"
            )
        if not dry_run:
            model = backtest_record(result=result)
            if model is not None:
                self.stdout.write(f"in use: {model.get_in_use_display()}")
        for line in result.lines():
            self.stdout.write(line)
