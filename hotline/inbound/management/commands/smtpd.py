"""`hotline smtpd --host H --port P`: run hotline's own SMTP server until Ctrl-C."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.inbound.server import InboundSmtpServer


def wait_forever() -> None:
    """Until Ctrl-C or SIGTERM (a service manager stopping it)."""
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    stop.wait()


class Command(BaseCommand):
    help = "Receive email: takedown requests from reporters and replies from platforms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, **options: Any) -> None:
        server = InboundSmtpServer(options["host"], options["port"])
        server.start()
        self.stdout.write(f"hotline smtpd listening on {options['host']}:{server.port}")
        try:
            wait_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("stopping")
            server.stop()
