"""`hotline hash PATH...`: one JSON line of signals per image or video (docs/hashing.md)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.hashing.hash_cli import run_hash


class Command(BaseCommand):
    help = "Hash images and videos (files or folders): PDQ, dihedral PDQ, MD5, SHA-256, vPDQ."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files or folders (searched recursively)")
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes (default: all cores)"
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        code = run_hash(
            options["paths"],
            out=sys.stdout,
            err=sys.stderr,
            workers=options["workers"],
            progress=not options["no_progress"] and sys.stderr.isatty(),
        )
        if code:
            sys.exit(code)
