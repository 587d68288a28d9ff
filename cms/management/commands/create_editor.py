"""`manage.py create_editor`: make sure the demo editor login exists and print it.

The password comes from EDITOR_PASSWORD, or is generated once and kept in var/ so that every
`make run` prints the same working login.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or reset) the demo editor login for the Wagtail admin and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("EDITOR_USERNAME", "editeur"))

    def handle(self, *args, username, **options):
        password_file = Path(settings.VAR_DIR) / "editor-password.txt"
        password = os.environ.get("EDITOR_PASSWORD")
        if not password:
            if password_file.exists():
                password = password_file.read_text().strip()
            else:
                password = secrets.token_urlsafe(12)
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(password + "\n")
                password_file.chmod(0o600)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@eleasud.local", "first_name": "Équipe éditoriale"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Editor login — {base}/admin/  user: {username}  password: {password}"))
