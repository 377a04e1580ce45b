"""python manage.py import_data KIND FILE: import a CSV or Excel file, all or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import EDITOR_ROLES, user_role
from imports.jobs import import_job_record
from imports.services import KINDS, SystemActor, import_file_run


class Command(BaseCommand):
    help = (
        "Import suppliers, parts, sources, purchase orders (one row per line), receipts, "
        "inspections or stock readings from a .csv or .xlsx file. The whole file is checked "
        "first; if any row is bad nothing is written and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="What the file contains.")
        parser.add_argument("file", help="Path to a .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file.")
        parser.add_argument(
            "--user", help="Import as this buyer or admin (recorded as the creator of orders)."
        )

    def handle(self, *args, kind, file, dry_run, user, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        actor = SystemActor()
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None or user_role(actor) not in EDITOR_ROLES:
                raise CommandError(f"{user} is not a buyer or admin.")
        result = import_file_run(
            kind=kind, content=content, filename=path.name, user=actor, dry_run=dry_run
        )
        import_job_record(kind=kind, filename=path.name, user=actor, dry_run=dry_run, result=result)
        if not result.ok:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f", column {error.column}" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            raise CommandError(
                f"{len(result.errors)} problem(s) in {path.name}; nothing was imported."
            )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"row {warning.row}: {warning.message}"))
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{result.rows} rows checked: all good."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {result.created} {KINDS[kind].label.lower()} rows.")
            )
