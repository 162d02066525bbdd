"""The `hotline` console entry point: every Django management command plus hotline's own."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with hotline's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "hotline"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
