import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.delivery import digests_request, email_delivery_send


class Command(BaseCommand):
    help = (
        "Send the daily alert digests for a day (default today): one email per user, "
        "the alerts raised in the 24 hours up to 07:00 organisation time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, organisation time)")

    def handle(self, *args, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from exc
        delivery_ids = digests_request(day=day)
        outcomes: dict[str, int] = {}
        # Sent here, not only queued: the command works without a worker. A queued task for
        # the same delivery finds it no longer pending and does nothing.
        for delivery_id in delivery_ids:
            try:
                outcome = email_delivery_send(delivery_id=delivery_id)
            except Exception as exc:  # SMTP down: the row is pending again, sent later
                outcome = "deferred"
                self.stderr.write(f"  delivery {delivery_id}: {exc}")
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())) or "none due"
        self.stdout.write(self.style.SUCCESS(f"Digests for {day:%Y-%m-%d}: {summary}."))
