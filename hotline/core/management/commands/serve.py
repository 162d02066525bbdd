"""`hotline serve`: the production web server (gunicorn), replacing this process.

The process becomes gunicorn's master (same pid, for systemd): SIGTERM stops gracefully,
finishing requests in flight; SIGHUP starts fresh workers on the installed code and retires the
old ones once their requests are done. See docs/deploy.md.
"""

import importlib.util
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core.serving import ServeOptions, bind_problem, gunicorn_argv, usable_cores


class Command(BaseCommand):
    help = "Serve the web pages and API with gunicorn (the production server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=settings.HOTLINE_SERVE_BIND,
            help="HOST:PORT or unix:PATH (HOTLINE_SERVE_BIND; default %(default)s)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.HOTLINE_SERVE_WORKERS,
            help="worker processes (HOTLINE_SERVE_WORKERS; 0, the default: 2 x cores + 1)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.HOTLINE_SERVE_THREADS,
            help="threads per worker (HOTLINE_SERVE_THREADS; default %(default)s)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=settings.HOTLINE_SERVE_TIMEOUT,
            help="seconds before a stuck request's worker is replaced (default %(default)s)",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=settings.HOTLINE_SERVE_GRACEFUL_TIMEOUT,
            help="seconds SIGTERM/SIGHUP wait for requests in flight (default %(default)s)",
        )
        parser.add_argument(
            "--print-command",
            action="store_true",
            help="print the gunicorn command line instead of running it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve = ServeOptions(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
            graceful_timeout=options["graceful_timeout"],
        )
        problem = bind_problem(serve.bind)
        if problem:
            raise CommandError(problem)
        for name in ("workers", "threads", "timeout", "graceful_timeout"):
            if options[name] < (0 if name == "workers" else 1):
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} must be at least {0 if name == 'workers' else 1}")
        argv = [sys.executable, "-m", "gunicorn", *gunicorn_argv(serve, usable_cores())]
        if options["print_command"]:
            self.stdout.write(" ".join(argv))
            return
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError("gunicorn is not installed here: pip install 'gunicorn>=23'")
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (our own interpreter, fixed arguments)
