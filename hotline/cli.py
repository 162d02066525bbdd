"""The `hotline` console entry point: every Django management command plus hotline's own."""

import os
import sys

# Commands that sign nothing and may run before a key is configured. `demo` makes its own key.
RUN_WITHOUT_A_KEY = frozenset({"help", "--help", "-h", "version", "--version", "hash"})


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with hotline's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from hotline.startup import demo_secret_key, secret_key_problem

    args = list(sys.argv if argv is None else argv)
    args[0] = "hotline"
    command = args[1] if len(args) > 1 else "help"
    if secret_key_problem() and command == "demo":
        key_file = settings.VAR_DIR / "demo-secret-key"
        settings.SECRET_KEY = demo_secret_key(settings.VAR_DIR)
        os.environ["HOTLINE_SECRET_KEY_FILE"] = str(key_file)
    elif (problem := secret_key_problem()) and command not in RUN_WITHOUT_A_KEY:
        sys.stderr.write(f"hotline: {problem}\n")
        raise SystemExit(2)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
