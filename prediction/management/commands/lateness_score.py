from django.core.management.base import BaseCommand

from prediction.management.commands._common import as_of_argument, as_of_parse
from prediction.services import lines_score


class Command(BaseCommand):
    help = "Re-score every open order line's late risk with the model (or baseline) in use."

    def add_arguments(self, parser):
        as_of_argument(parser)

    def handle(self, *args, as_of=None, **options):
        result = lines_score(today=as_of_parse(as_of))
        self.stdout.write(
            f"scored {result.scored} open lines with the {result.source} in {result.seconds:.2f} s"
            f" ({result.removed} closed lines' risks removed)"
        )
