"""`hotline user create|list|disable|enable|role|password`: people, each with one role in one
organisation. Every change is audited; a disabled person can neither sign in nor use a token."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.models import Role
from hotline.accounts.selectors import memberships_list, organisation_get
from hotline.accounts.services import (
    user_active_set,
    user_create,
    user_password_set,
    user_role_set,
)
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create, list, disable or enable users; change a user's role or password."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a user.")
        create.add_argument("--username", required=True)
        create.add_argument("--org", required=True, help="Organisation name or slug")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-env",
            default="",
            help="Name of an environment variable holding the password (keeps it out of ps)",
        )
        create.add_argument("--staff", action="store_true", help="May sign in to the admin")
        create.add_argument(
            "--superuser", action="store_true", help="May read everything in the admin"
        )
        sub.add_parser("list", help="List users: name, organisation, role, active.")
        for action, text in (
            ("disable", "No more sign-in or API use (tokens are kept for enable)."),
            ("enable", "Undo disable."),
        ):
            sub.add_parser(action, help=text).add_argument("username")
        role = sub.add_parser("role", help="Change a user's role in their organisation.")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        password = sub.add_parser("password", help="Set a user's password.")
        password.add_argument("username")
        password.add_argument(
            "--password-env", required=True, help="Environment variable holding the password"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with domain_errors_as_command_errors():
            if action == "list":
                for m in memberships_list():
                    state = "active" if m.user.is_active else "disabled"
                    self.stdout.write(
                        f"{m.user.get_username()}\t{m.organisation.slug}\t{m.role}\t{state}"
                    )
            elif action in ("disable", "enable"):
                user_active_set(
                    username=options["username"], active=action == "enable", actor="cli"
                )
                self.stdout.write(f"{action}d user {options['username']}")
            elif action == "role":
                membership = user_role_set(
                    username=options["username"], role=options["role"], actor="cli"
                )
                self.stdout.write(
                    f"{options['username']} is now {membership.role} "
                    f"of {membership.organisation.name}"
                )
            elif action == "password":
                password = os.environ.get(options["password_env"])
                if not password:
                    raise CommandError(f"environment variable {options['password_env']} is empty")
                user_password_set(username=options["username"], password=password, actor="cli")
                self.stdout.write(f"set the password of {options['username']}")
            else:
                self._create(options)

    def _create(self, options: dict[str, Any]) -> None:
        password = os.environ.get(options["password_env"]) if options["password_env"] else None
        membership = user_create(
            username=options["username"],
            organisation=organisation_get(name_or_slug=options["org"]),
            role=options["role"],
            password=password,
            email=options["email"],
            is_staff=options["staff"],
            is_superuser=options["superuser"],
            actor="cli",
        )
        self.stdout.write(
            f"created user {options['username']} as {membership.role} "
            f"of {membership.organisation.name}"
        )
