"""The `hotline` console entry point: every Django management command plus hotline's own."""

import os
import sys

# Commands that sign nothing and may run before a key is configured. `demo` makes its own.
RUN_WITHOUT_A_KEY = frozenset({"help", "--help", "-h", "version", "--version", "hash"})
# Subcommands that need neither the secret key nor the audit signing key: making a key, and
# checking a record or an evidence package with public keys only (an auditor's machine).
RUN_WITHOUT_ANY_KEY = frozenset(
    {("audit", "keygen"), ("audit", "verify"), ("audit", "keys"), ("evidence", "verify")}
)


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with hotline's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.core.management import execute_from_command_line

    from hotline.startup import audit_key_problem, secret_key_problem

    args = list(sys.argv if argv is None else argv)
    args[0] = "hotline"
    command = args[1] if len(args) > 1 else "help"
    subcommand = args[2] if len(args) > 2 else ""
    if command == "demo":
        _demo_keys()
    elif command not in RUN_WITHOUT_A_KEY and (command, subcommand) not in RUN_WITHOUT_ANY_KEY:
        problem = secret_key_problem() or audit_key_problem()
        if problem:
            sys.stderr.write(f"hotline: {problem}\n")
            raise SystemExit(2)
    execute_from_command_line(args)


def _demo_keys() -> None:
    """The demo makes its own keys in its data directory, and its child processes use them."""
    from django.conf import settings

    from hotline.startup import (
        audit_key_problem,
        demo_audit_signing_key,
        demo_secret_key,
        secret_key_problem,
    )

    if secret_key_problem():
        settings.SECRET_KEY = demo_secret_key(settings.VAR_DIR)
        os.environ["HOTLINE_SECRET_KEY_FILE"] = str(settings.VAR_DIR / "demo-secret-key")
    if audit_key_problem():
        path = str(demo_audit_signing_key(settings.VAR_DIR))
        settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = path
        os.environ["HOTLINE_AUDIT_SIGNING_KEY_FILE"] = path


if __name__ == "__main__":
    main()
