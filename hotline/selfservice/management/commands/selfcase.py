"""`hotline selfcase issue|withdraw CASE`: a support centre hands her a case number and PIN, or
withdraws her consent on her instruction (every hash value of the case is deleted)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.actors import Actor
from hotline.accounts.models import Membership, Role
from hotline.accounts.services import actor_for_membership
from hotline.core.commands import domain_errors_as_command_errors
from hotline.selfservice.services import self_case_issue_for, self_case_withdraw_for


class Command(BaseCommand):
    help = "Give a victim the number and PIN of her case, or withdraw her consent."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Make a PIN for a case your centre filed for her.")
        issue.add_argument("case_id")
        issue.add_argument("--as", dest="username", required=True, help="the caseworker")
        withdraw = sub.add_parser("withdraw", help="Delete every hash value of a case.")
        withdraw.add_argument("case_id")
        withdraw.add_argument("--as", dest="username", required=True, help="the caseworker")

    def handle(self, *args: Any, **options: Any) -> None:
        with domain_errors_as_command_errors():
            actor = _caseworker(options["username"])
            if options["action"] == "issue":
                issued = self_case_issue_for(case_id=options["case_id"], actor=actor)
                self.stdout.write(f"case {issued.case_id}\nPIN  {issued.pin}\n")
                self.stdout.write("Give both to her now: the PIN is not kept and not shown again.")
                return
            result = self_case_withdraw_for(case_id=options["case_id"], actor=actor)
            entries = sum(b.entries for b in result.banks)
            self.stdout.write(
                f"withdrawn: {result.signals} hash values deleted from {result.items} items and "
                f"{entries} bank entries from {len(result.banks)} banks; "
                f"{result.platforms_told} platforms told to delete them, "
                f"{result.emails} stored emails cleaned"
            )


def _caseworker(username: str) -> Actor:
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user__username=username, role=Role.REPORTER)
        .first()
    )
    if membership is None:
        raise CommandError(f"{username} is not a reporter of any organisation")
    return actor_for_membership(membership)
