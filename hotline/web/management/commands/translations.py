"""`hotline translations update|compile|check`: the Korean catalogue, without GNU gettext."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.web import translations


class Command(BaseCommand):
    help = "update: add missing msgids to the .po; compile: write the .mo; check: both complete."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["update", "compile", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "update":
            added = translations.update()
            self.stdout.write(f"{added} new msgid(s) in {translations.PO_PATH}")
        elif options["action"] == "compile":
            translations.compile_catalogue()
            self.stdout.write(f"wrote {translations.MO_PATH}")
        else:
            missing = translations.untranslated()
            if missing or not translations.mo_matches_po():
                raise CommandError(
                    f"untranslated: {missing}; .mo matches .po: {translations.mo_matches_po()}"
                )
            self.stdout.write("every marked string has a Korean translation")
