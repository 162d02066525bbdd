"""`hotline webhook rotate|show --platform NAME`: a platform's webhook signing secret."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core import clock
from hotline.delivery.selectors import webhook_secrets_in_use
from hotline.delivery.webhook_secrets import secret_fingerprint, webhook_secret_rotate
from hotline.platforms.models import Platform


class Command(BaseCommand):
    help = "Rotate or show a platform's webhook signing secret."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="Make a new secret; print it once.")
        rotate.add_argument("--platform", required=True)
        rotate.add_argument(
            "--overlap-hours",
            type=float,
            default=None,
            help="How long the previous secret still signs (default: the setting)",
        )
        show = sub.add_parser("show", help="Show the secrets in use, by fingerprint.")
        show.add_argument("--platform", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        platform = Platform.objects.filter(name=options["platform"]).first()
        if platform is None:
            raise CommandError(f"no platform named {options['platform']!r}")
        if options["action"] == "rotate":
            self._rotate(platform, options["overlap_hours"])
        else:
            self._show(platform)

    def _rotate(self, platform: Platform, overlap_hours: float | None) -> None:
        overlap = None if overlap_hours is None else timedelta(hours=overlap_hours)
        created = webhook_secret_rotate(platform=platform, actor="cli", overlap=overlap)
        self.stdout.write(created.secret)
        self.stderr.write(
            f"new webhook secret for {platform.name} (fingerprint "
            f"{secret_fingerprint(created.secret)}); it is not shown again"
        )

    def _show(self, platform: Platform) -> None:
        in_use = list(webhook_secrets_in_use(platform_id=platform.pk, now=clock.now()))
        if not in_use:
            self.stdout.write(f"{platform.name}: no webhook secret; run `hotline webhook rotate`")
        for secret in in_use:
            state = (
                "active"
                if secret.retired_at is None
                else f"retiring at {secret.retired_at:%Y-%m-%d %H:%M %Z}"
            )
            self.stdout.write(
                f"{platform.name}\t{secret_fingerprint(secret.secret)}\t"
                f"created {secret.created_at:%Y-%m-%d %H:%M %Z}\t{state}"
            )
