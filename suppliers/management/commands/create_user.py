import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create
from suppliers.models import Supplier
from suppliers.services import supplier_contact_user_create


class Command(BaseCommand):
    help = "Create a user with one role (password from DUALSOURCE_PASSWORD, else a prompt)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--supplier", help="Supplier code, for --role supplier")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, supplier, email, **options):
        supplier_obj = None
        if supplier:
            try:
                supplier_obj = Supplier.objects.get(code=supplier)
            except Supplier.DoesNotExist as exc:
                raise CommandError(f"No supplier with code {supplier!r}.") from exc
        if role == Role.SUPPLIER and supplier_obj is None:
            raise CommandError("--role supplier needs --supplier CODE.")
        if role != Role.SUPPLIER and supplier_obj is not None:
            raise CommandError("--supplier is only for --role supplier.")
        password = os.environ.get("DUALSOURCE_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        if not password:
            raise CommandError("A password is needed.")
        try:
            if supplier_obj is not None:
                user = supplier_contact_user_create(
                    supplier=supplier_obj, username=username, password=password, email=email
                )
            else:
                user = user_create(
                    username=username, password=password, role=Role(role), email=email
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username}."))
