"""`hotline platform create|list|update`: the platform directory; every change is audited."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core.commands import domain_errors_as_command_errors
from hotline.core.errors import NotFound
from hotline.platforms.models import ChannelKind, Platform
from hotline.platforms.services import DeadlineRule, platform_create, platform_update


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
    help = "Create, list or update platforms in the directory."

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
        create.add_argument(
            "--deadline", action="append", default=[], help="JURISDICTION:HOURS:URGENT_HOURS"
        )
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
            for p in Platform.objects.prefetch_related("hosts", "deadline_policies"):
                hosts = ",".join(h.host for h in p.hosts.all())
                policies = ",".join(
                    f"{d.jurisdiction}:{d.hours}h/{d.urgent_hours}h"
                    for d in p.deadline_policies.all()
                )
                self.stdout.write(f"{p.name}\t{p.channel}\t{hosts}\t{policies}\t{p.official_email}")
            return
        rules = [parse_deadline(text) for text in options["deadline"]]
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
