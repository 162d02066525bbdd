"""`hotline delivery list|retry`: see the outbox, and send failed deliveries again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.delivery.selectors import deliveries_listed
from hotline.delivery.services import NotRetryable, delivery_retry


class Command(BaseCommand):
    help = "List deliveries, or put failed ones back in the outbox (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="One line per delivery: id, status, attempts, error.")
        listing.add_argument("--failed", action="store_true", help="Only failed deliveries")
        listing.add_argument("--notice", type=int, help="Only those about notice N")
        retry = sub.add_parser("retry", help="Send failed deliveries again, from now on.")
        which = retry.add_mutually_exclusive_group(required=True)
        which.add_argument("--delivery", type=int, action="append", help="A delivery id (repeat)")
        which.add_argument("--notice", type=int, help="Every failed delivery about notice N")
        which.add_argument("--all-failed", action="store_true", help="Every failed delivery")

    def handle(self, *args: Any, **options: Any) -> None:
        about = f"notice:{options['notice']}" if options.get("notice") is not None else None
        if options["action"] == "list":
            self._list(failed_only=options["failed"], about=about)
            return
        try:
            retried = delivery_retry(
                actor="cli",
                delivery_ids=options["delivery"] or (),
                about=about,
                all_failed=options["all_failed"],
            )
        except NotRetryable as error:
            raise CommandError(str(error)) from error
        if not retried:
            self.stdout.write("no failed deliveries to retry")
        for delivery in retried:
            self.stdout.write(
                f"retrying delivery {delivery.pk} ({delivery.kind} to {delivery.recipient}, "
                f"about {delivery.about}); it failed with: {delivery.last_error or '-'}"
            )

    def _list(self, *, failed_only: bool, about: str | None) -> None:
        for delivery in deliveries_listed(failed_only=failed_only, about=about):
            self.stdout.write(
                f"{delivery.pk}\t{delivery.status}\t{delivery.kind}\t{delivery.about}\t"
                f"{delivery.recipient}\tattempts={delivery.attempts}\t{delivery.last_error[:120]}"
            )
