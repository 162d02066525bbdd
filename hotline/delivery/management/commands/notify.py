"""`hotline notify set|webhook|list`: how a reporting organisation is told of its news."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.models import Organisation, OrganisationKind
from hotline.accounts.selectors import organisation_get
from hotline.core.commands import domain_errors_as_command_errors
from hotline.delivery.subscriptions import (
    SubscriptionChoice,
    subscription_set,
    subscription_webhook_set,
    subscriptions_of,
)

ACTOR = "cli:notify"
REPORTER_KINDS = (OrganisationKind.REGULATOR, OrganisationKind.SUPPORT_ORG)


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "on"


class Command(BaseCommand):
    help = "Set how a reporting organisation is told of outcomes, questions and escalations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        change = sub.add_parser("set", help="The organisation's email, language and rhythm.")
        change.add_argument("--org", required=True, help="Organisation name or slug")
        change.add_argument("--email", help="Where news is emailed ('' for none)")
        change.add_argument("--language", choices=["en", "ko"])
        change.add_argument("--immediate", choices=["on", "off"], help="Each piece at once")
        change.add_argument("--digest", choices=["on", "off"], help="One email a day")
        hook = sub.add_parser("webhook", help="Post news to a signed webhook; prints its secret.")
        hook.add_argument("--org", required=True)
        hook.add_argument("--url", required=True, help="https URL ('' to stop)")
        show = sub.add_parser("list", help="An organisation's subscriptions.")
        show.add_argument("--org", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["org"])
        with domain_errors_as_command_errors():
            if options["action"] == "set":
                subscription_set(
                    organisation_id=organisation.pk,
                    user_id=None,
                    choice=SubscriptionChoice(
                        email=options["email"],
                        language=options["language"],
                        immediate=_flag(options["immediate"]),
                        digest=_flag(options["digest"]),
                    ),
                    actor=ACTOR,
                )
            elif options["action"] == "webhook":
                secret = subscription_webhook_set(
                    organisation_id=organisation.pk, url=options["url"], actor=ACTOR
                )
                if secret:
                    self.stdout.write(f"webhook secret (shown once): {secret}")
        for row in subscriptions_of(organisation_id=organisation.pk):
            who = f"user {row.user_id}" if row.user_id else "organisation"
            rhythm = [name for name in ("immediate", "digest") if getattr(row, name)]
            self.stdout.write(
                f"{who}: email={row.email or '-'} language={row.language} "
                f"webhook={row.webhook_url or '-'} {'+'.join(rhythm) or 'off'}"
            )

    def _organisation(self, name: str) -> Organisation:
        with domain_errors_as_command_errors():
            organisation = organisation_get(name_or_slug=name)
        if organisation.kind not in REPORTER_KINDS:
            raise CommandError(f"{organisation.name} files no requests: it has no news to hear")
        return organisation
