from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.services import DEFAULT_DEMO_PASSWORD, DEMO_LOGINS, DEMO_PASSWORD_ENV, demo_password
from suppliers.models import SupplierContact


class Command(BaseCommand):
    help = "Print the portal's URL and the demo logins that exist in this database."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        usernames = [login.username for login in DEMO_LOGINS]
        contacts = {
            c.user.username: c.supplier
            for c in SupplierContact.objects.filter(user__username__in=usernames).select_related(
                "user", "supplier"
            )
        }
        existing = set(
            get_user_model()
            .objects.filter(username__in=usernames)
            .values_list("username", flat=True)
        )
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Dualsource is running at {url}/"))
        if not existing:
            out("No demo users in this database; create users with `manage.py create_user`.")
            return
        password = (
            f"from ${DEMO_PASSWORD_ENV}"
            if demo_password() != DEFAULT_DEMO_PASSWORD
            else DEFAULT_DEMO_PASSWORD
        )
        out(f"Demo logins (password {password}):")
        for login in DEMO_LOGINS:
            if login.username not in existing:
                continue
            supplier = contacts.get(login.username)
            where = f" at {supplier.code} {supplier.name}" if supplier else ""
            out(f"  {login.username:<10} {login.role.value:<9} {login.description}{where}")
        out("Press Ctrl-C to stop web, worker and scheduler.")
