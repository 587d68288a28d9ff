"""Queue a test e-mail, to check the whole path an e-mail takes: queue, worker, mail server."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from notifications.services import send_templated_email


class Command(BaseCommand):
    help = "Queue a test e-mail to ADDRESS; the task worker (db_worker --backend background) delivers it."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, *args, address, **options):
        try:
            validate_email(address)
        except ValidationError as error:
            raise CommandError(f"address: {address!r} is not an e-mail address") from error
        send_templated_email(to=address, template="notifications/emails/test_message", context={})
        self.stdout.write(f"Test e-mail queued for {address}; the task worker will deliver it.")
