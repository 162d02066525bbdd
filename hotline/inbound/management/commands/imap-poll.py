"""`hotline imap-poll`: fetch unseen mail from an IMAP mailbox, store it, mark it seen, and
process every stored message still pending (a crash's leftovers included)."""  # noqa: N999

import os
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.inbound.imap import ImapConfig, imap_poll_once


class Command(BaseCommand):
    help = "Poll an IMAP mailbox for hotline mail received elsewhere."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", required=True)
        parser.add_argument("--port", type=int, default=None, help="143, or 993 with --ssl")
        parser.add_argument("--user", required=True)
        parser.add_argument(
            "--password-env", required=True, help="name of the variable holding the password"
        )
        parser.add_argument("--folder", default="INBOX")
        parser.add_argument("--ssl", action="store_true")
        parser.add_argument("--once", action="store_true", help="poll once and exit")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(options["password_env"])
        if password is None:
            raise CommandError(f"the variable {options['password_env']} is not set")
        config = ImapConfig(
            host=options["host"],
            port=options["port"] or (993 if options["ssl"] else 143),
            user=options["user"],
            password=password,
            folder=options["folder"],
            ssl=options["ssl"],
        )
        stop = threading.Event()
        try:
            while True:
                self.stdout.write(imap_poll_once(config).summary())
                if options["once"] or stop.wait(options["interval"]):
                    return
        except KeyboardInterrupt:
            self.stdout.write("stopping")
