"""The `hotline` console entry point: every Django management command plus hotline's own."""

import os
import sys
from collections.abc import Callable

# Commands that sign and decrypt nothing and may run before the keys are configured. `demo`
# makes its own keys.
RUN_WITHOUT_A_KEY = frozenset({"help", "--help", "-h", "version", "--version", "hash"})
# Subcommands that need neither the secret key nor the audit signing key: making a key, and
# checking a record or an evidence package with public keys only (an auditor's machine).
RUN_WITHOUT_ANY_KEY = frozenset(
    {("audit", "keygen"), ("audit", "verify"), ("audit", "keys"), ("evidence", "verify")}
)
# Native thread pools the framework-free commands must not start: their parallelism is whole
# processes, one per allowed core (hotline.hashing.batch).
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def engine_command(args: list[str]) -> Callable[[list[str]], int] | None:
    """The framework-free entry point for `hash` and `match --bank FILE`, else None.

    These read files and print JSON: booting Django would cost them more than the work does
    for a handful of files. `match` without a bank file reads the database's banks.
    """
    command, rest = (args[1], args[2:]) if len(args) > 1 else ("", [])
    if command == "hash":
        from hotline.hashing.hash_cli import main as hash_main

        return hash_main
    named_bank = any(a == "--bank" or a.startswith("--bank=") for a in rest)
    if command == "match" and named_bank and not any(a.startswith("--db-bank") for a in rest):
        from hotline.hashing.match_cli import main_with_bank

        return main_with_bank
    return None


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with hotline's settings."""
    args = list(sys.argv if argv is None else argv)
    args[0] = "hotline"
    if len(args) > 1 and args[1] in ("hash", "match"):
        for name in _ONE_THREAD:
            os.environ.setdefault(name, "1")  # before numpy loads
        engine = engine_command(args)
        if engine is not None:
            _exit_now(engine(args[2:]))
    _run_django(args)


def _exit_now(code: int) -> None:
    """Flush and leave without tearing the interpreter down: unloading numpy and Pillow
    module by module costs a command of one small file about a tenth of its time."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # `hotline hash … | head`: the reader left early, as it may
    os._exit(code)


def _run_django(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from hotline.delivery.dkim import dkim_problem
    from hotline.startup import audit_key_problem, secret_key_problem, use_demo_keys

    command = args[1] if len(args) > 1 else "help"
    subcommand = args[2] if len(args) > 2 else ""
    if command == "demo":
        use_demo_keys(settings.VAR_DIR)
    elif command not in RUN_WITHOUT_A_KEY and (command, subcommand) not in RUN_WITHOUT_ANY_KEY:
        problem = secret_key_problem() or audit_key_problem() or dkim_problem()
        if problem:
            sys.stderr.write(f"hotline: {problem}\n")
            raise SystemExit(2)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
