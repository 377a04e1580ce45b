from django.core.management.base import BaseCommand

from alerts.services import alerts_scan


class Command(BaseCommand):
    help = "Raise, refresh and resolve every kind of alert now (docs/alerts.md)."

    def handle(self, *args, **options):
        def progress(kinds: str, found: int) -> None:
            self.stdout.write(f"  {kinds}: {found} conditions")

        self.stdout.write("Scanning alerts…")
        result = alerts_scan(progress=progress)
        summary = result.as_dict()
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary['opened']} opened, {summary['still_open']} still open, "
                f"{summary['resolved']} resolved in {summary['seconds']:.2f} s."
            )
        )
