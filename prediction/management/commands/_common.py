import datetime as dt

from django.core.management.base import CommandError


def as_of_argument(parser) -> None:
    parser.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="As-of date (default: today, organisation time)."
    )


def as_of_parse(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of takes a date YYYY-MM-DD, not {value!r}.") from exc
