"""`hotline evidence export|verify`: make a signed evidence package, or check one offline."""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.keys import trusted_public_keys
from hotline.audit.signing import KeyTextError, key_id, public_keys_from_text
from hotline.core.errors import DomainError
from hotline.evidence.scope import case_scope, platform_scope
from hotline.evidence.services import evidence_export
from hotline.evidence.verify import verify_package


class Command(BaseCommand):
    help = "Export a signed evidence package (a case, or a platform over a period), or verify one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a package as a ZIP file.")
        which = export.add_mutually_exclusive_group(required=True)
        which.add_argument("--case", metavar="HL-…", help="One case, with all its items")
        which.add_argument("--platform", metavar="NAME", help="One platform's notices")
        export.add_argument("--since", type=date.fromisoformat, help="First day (UTC), YYYY-MM-DD")
        export.add_argument("--until", type=date.fromisoformat, help="Last day (UTC), inclusive")
        export.add_argument("-o", "--output", metavar="FILE.zip", required=True)
        verify = sub.add_parser("verify", help="Check a package offline; name what is wrong.")
        verify.add_argument("package", metavar="PACKAGE.zip")
        verify.add_argument(
            "--public-key",
            metavar="FILE",
            help="hotline's public audit key(s); default: the keys this installation trusts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._verify(Path(options["package"]), options["public_key"])

    def _export(self, options: dict[str, Any]) -> None:
        if options["case"] and (options["since"] or options["until"]):
            raise CommandError("--since and --until go with --platform, not --case")
        try:
            scope = (
                case_scope(options["case"])
                if options["case"]
                else platform_scope(options["platform"], options["since"], options["until"])
            )
            package = evidence_export(actor=None, scope=scope)
        except DomainError as error:
            raise CommandError(error.message) from error
        # The package names victims' cases and URLs: readable by its owner only, like a key.
        descriptor = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(package.data)
        self.stdout.write(
            f"wrote {options['output']}: {scope.label}, {package.items} items, "
            f"{package.events} audit events, {len(package.data)} bytes"
        )

    def _verify(self, path: Path, public_key_file: str | None) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        keys = self._keys(public_key_file)
        check = verify_package(data, keys)
        for finding in check.findings:
            self.stdout.write(
                f"{'ok    ' if finding.ok else 'FAILED'} {finding.file}: {finding.detail}"
            )
        if not check.ok:
            names = ", ".join(dict.fromkeys(f.file for f in check.problems))
            raise CommandError(f"{path} does NOT verify: {names}")
        self.stdout.write(f"{path}: the package verifies")

    def _keys(self, public_key_file: str | None) -> dict[str, Any]:
        if public_key_file:
            try:
                listed = public_keys_from_text(Path(public_key_file).read_text(encoding="utf-8"))
            except OSError as error:
                raise CommandError(f"cannot read {public_key_file}: {error.strerror}") from error
            except KeyTextError as error:
                raise CommandError(f"{public_key_file}: {error}") from error
            return {key_id(k): k for k in listed}
        try:
            keys = trusted_public_keys()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if not keys:
            raise CommandError("no public key to check against: give --public-key FILE")
        return dict(keys)
