"""`hotline totp`: give a person an authenticator secret, or print the current code (demo)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.selectors import membership_get
from hotline.accounts.two_factor import totp_code_now, totp_device_confirmed, totp_enrol_directly


class Command(BaseCommand):
    help = "TOTP second factor: `enrol --user NAME` prints an otpauth URI; `code --user NAME`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["enrol", "code"])
        parser.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = membership_get(username=options["user"]).user
        if options["action"] == "enrol":
            self.stdout.write(totp_enrol_directly(user=user, actor="cli").config_url)
            return
        device = totp_device_confirmed(user_id=user.pk)
        if device is None:
            raise CommandError(f"{options['user']} has no authenticator; run `totp enrol` first")
        self.stdout.write(totp_code_now(device=device))
