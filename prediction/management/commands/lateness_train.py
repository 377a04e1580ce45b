from django.core.management.base import BaseCommand

from prediction.management.commands._common import as_of_argument, as_of_parse
from prediction.services import lateness_train


class Command(BaseCommand):
    help = (
        "Train the late-delivery model: backtest it against the baseline, fit it on every "
        "outcome known today, store it and re-score every open line."
    )

    def add_arguments(self, parser):
        as_of_argument(parser)

    def handle(self, *args, as_of=None, **options):
        model = lateness_train(today=as_of_parse(as_of))
        self.stdout.write(
            f"model v{model.version}: {model.samples} samples from {model.lines} lines, "
            f"{model.window_start} to {model.window_end}, {model.seconds:.1f} s; "
            f"in use: {model.get_in_use_display()}"
        )
        for name, value in (
            ("auc", model.auc),
            ("baseline auc", model.baseline_auc),
            ("brier", model.brier),
            ("baseline brier", model.baseline_brier),
        ):
            self.stdout.write(f"{name}: {'n/a' if value is None else f'{value:.4f}'}")
