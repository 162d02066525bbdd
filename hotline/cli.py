"""The `hotline` console entry point: every Django management command plus hotline's own."""

import os
import sys

# Commands that sign and decrypt nothing and may run before the keys are configured. `demo`
# makes its own keys.
RUN_WITHOUT_A_KEY = frozenset({"help", "--help", "-h", "version", "--version", "hash"})
# Subcommands that need neither the secret key nor the audit signing key: making a key, and
# checking a record or an evidence package with public keys only (an auditor's machine).
RUN_WITHOUT_ANY_KEY = frozenset(
    {("audit", "keygen"), ("audit", "verify"), ("audit", "keys"), ("evidence", "verify")}
)


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with hotline's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from hotline.startup import audit_key_problem, secret_key_problem, use_demo_keys

    args = list(sys.argv if argv is None else argv)
    args[0] = "hotline"
    command = args[1] if len(args) > 1 else "help"
    subcommand = args[2] if len(args) > 2 else ""
    if command == "demo":
        use_demo_keys(settings.VAR_DIR)
    elif command not in RUN_WITHOUT_A_KEY and (command, subcommand) not in RUN_WITHOUT_ANY_KEY:
        problem = secret_key_problem() or audit_key_problem()
        if problem:
            sys.stderr.write(f"hotline: {problem}\n")
            raise SystemExit(2)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
