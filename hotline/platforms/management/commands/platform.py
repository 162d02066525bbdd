"""`hotline platform create|deadline|list|update`: the platform directory; every change is
audited."""

from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hotline.core.commands import domain_errors_as_command_errors
from hotline.core.errors import NotFound
from hotline.platforms.models import ChannelKind, Platform
from hotline.platforms.services import (
    DeadlineRule,
    deadline_policy_set,
    platform_create,
    platform_update,
)


def parse_deadline(text: str) -> DeadlineRule:
    """`KR:24:12[:basis]` means 24 hours, 12 when urgent, for requests from Korea."""
    parts = text.split(":", 3)
    try:
        return DeadlineRule(
            parts[0], int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else ""
        )
    except (IndexError, ValueError) as error:
        raise CommandError(
            f"--deadline {text!r}: expected JURISDICTION:HOURS:URGENT_HOURS"
        ) from error


def deadline_rules(
    texts: list[str], pausing: list[str], reminder_hours: int | None = None
) -> list[DeadlineRule]:
    """The --deadline rules, with the clock pausing for the jurisdictions named to pause."""
    rules = [parse_deadline(text) for text in texts]
    named = {rule.jurisdiction.upper() for rule in rules}
    pausing_set = {jurisdiction.upper() for jurisdiction in pausing}
    unknown = sorted(pausing_set - named)
    if unknown:
        raise CommandError(
            f"--clock-pauses-for-info {','.join(unknown)}: no --deadline for that jurisdiction"
        )
    return [
        replace(
            rule,
            clock_pauses_for_info=rule.jurisdiction.upper() in pausing_set,
            question_reminder_hours=reminder_hours,
        )
        for rule in rules
    ]


def _deadline_arguments(parser: CommandParser, *, required: bool) -> None:
    parser.add_argument(
        "--deadline",
        action="append",
        default=[],
        required=required,
        help="JURISDICTION:HOURS:URGENT_HOURS[:LEGAL_BASIS]; repeat for each jurisdiction",
    )
    parser.add_argument(
        "--clock-pauses-for-info",
        action="append",
        default=[],
        metavar="JURISDICTION",
        help="For this --deadline's jurisdiction, the platform's clock stops while it waits "
        "for the reporter's answer to its needs_info question (default: the clock runs)",
    )
    parser.add_argument(
        "--question-reminder-hours",
        type=int,
        default=None,
        metavar="HOURS",
        help="For these --deadline rules: remind the platform of a reporter's question still "
        "unanswered after HOURS (default: no reminder)",
    )


def _policy_text(policy: Any) -> str:
    pauses = "(pauses for info)" if policy.clock_pauses_for_info else ""
    hours = policy.question_reminder_hours
    reminder = f"(question reminder {hours}h)" if hours else ""
    return f"{policy.jurisdiction}:{policy.hours}h/{policy.urgent_hours}h{pauses}{reminder}"


# Text options of `update`, each the name of a Platform field with "-" for "_".
UPDATABLE_TEXT = (
    "hotline-email",
    "webhook-url",
    "official-name",
    "official-email",
    "language",
    "time-zone",
)


class Command(BaseCommand):
    help = "Create, list or update platforms in the directory; set their deadline policies."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a platform with its hosts and deadlines.")
        create.add_argument("--name", required=True)
        create.add_argument("--host", action="append", default=[], help="Repeat for each host")
        create.add_argument("--channel", default="email", choices=ChannelKind.values)
        create.add_argument("--hotline-email", default="")
        create.add_argument("--webhook-url", default="")
        create.add_argument("--official-name", default="")
        create.add_argument("--official-email", default="")
        create.add_argument("--language", default="en")
        create.add_argument("--time-zone", default="UTC")
        _deadline_arguments(create, required=False)
        deadline = sub.add_parser("deadline", help="Set deadline policies of a platform.")
        deadline.add_argument("--name", required=True, help="The platform's name")
        _deadline_arguments(deadline, required=True)
        sub.add_parser("list", help="List platforms, hosts and deadlines.")
        update = sub.add_parser("update", help="Change a platform; give only what changes.")
        update.add_argument("name", help="The platform's name")
        update.add_argument("--channel", choices=ChannelKind.values)
        for option in UPDATABLE_TEXT:
            update.add_argument(f"--{option}")
        update.add_argument(
            "--link-validity-days",
            type=int,
            help="How long notice links and reply addresses work past the deadline",
        )
        update.add_argument("--add-host", action="append", default=[])
        update.add_argument("--remove-host", action="append", default=[])
        update.add_argument(
            "--deadline", action="append", default=[], help="JURISDICTION:HOURS:URGENT_HOURS"
        )
        update.add_argument(
            "--remove-deadline", action="append", default=[], metavar="JURISDICTION"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "update":
            self._update(options)
            return
        if options["action"] == "list":
            self._list()
            return
        rules = deadline_rules(
            options["deadline"],
            options["clock_pauses_for_info"],
            options["question_reminder_hours"],
        )
        if options["action"] == "deadline":
            self._set_deadlines(options["name"], rules)
            return
        with domain_errors_as_command_errors():
            platform = platform_create(
                name=options["name"],
                hosts=options["host"],
                channel=options["channel"],
                hotline_email=options["hotline_email"],
                webhook_url=options["webhook_url"],
                official_name=options["official_name"],
                official_email=options["official_email"],
                language=options["language"],
                time_zone=options["time_zone"],
                deadlines=rules,
                actor="cli",
            )
        self.stdout.write(f"created platform {platform.name} with {len(options['host'])} hosts")

    def _list(self) -> None:
        for p in Platform.objects.prefetch_related("hosts", "deadline_policies"):
            hosts = ",".join(h.host for h in p.hosts.all())
            policies = ",".join(_policy_text(d) for d in p.deadline_policies.all())
            self.stdout.write(f"{p.name}\t{p.channel}\t{hosts}\t{policies}\t{p.official_email}")

    def _set_deadlines(self, name: str, rules: list[DeadlineRule]) -> None:
        platform = Platform.objects.filter(name=name).first()
        if platform is None:
            raise CommandError(f"no platform named {name!r}; see hotline platform list")
        with domain_errors_as_command_errors(), transaction.atomic():  # all rules or none
            for rule in rules:
                policy = deadline_policy_set(platform=platform, rule=rule, actor="cli")
                self.stdout.write(f"{platform.name}: {_policy_text(policy)}")

    def _update(self, options: dict[str, Any]) -> None:
        fields = [*(o.replace("-", "_") for o in UPDATABLE_TEXT), "channel", "link_validity_days"]
        changes = {f: options[f] for f in fields if options[f] is not None}
        rules = [parse_deadline(text) for text in options["deadline"]]
        with domain_errors_as_command_errors():
            platform = Platform.objects.filter(name=options["name"]).first()
            if platform is None:
                raise NotFound(f"no platform named {options['name']!r}")
            platform_update(
                platform=platform,
                changes=changes,
                add_hosts=options["add_host"],
                remove_hosts=options["remove_host"],
                deadlines=rules,
                remove_deadlines=options["remove_deadline"],
                actor="cli",
            )
        self.stdout.write(f"updated platform {platform.name}")
