from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_get_or_create


class Command(BaseCommand):
    help = "Print the API token of a user (created on first use): Authorization: Token <key>."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        self.stdout.write(api_token_get_or_create(user=user))
