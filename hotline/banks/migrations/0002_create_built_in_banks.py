"""The two banks the docs use exist on a fresh install.

Before this, `known-content` was created lazily by the first confirmed removal with signals, so
a fresh install answered POST /api/match with 422 "unknown bank(s): known-content". They are
install state, like the tables, so no audit event is written (decision 0009); every later
change to them goes through hotline.banks.services and is audited. Values are frozen here on
purpose: a migration must not follow later code.
"""

from django.db import migrations
from django.utils import timezone

BUILT_IN = [
    ("known-content", "Content confirmed removed; platforms match uploads against it"),
    ("reported-items", "Hashes of every reported item"),
]


def create_banks(apps, schema_editor):
    Bank = apps.get_model("banks", "Bank")
    for name, description in BUILT_IN:
        Bank.objects.get_or_create(
            name=name, defaults={"description": description, "created_at": timezone.now()}
        )


def remove_empty_banks(apps, schema_editor):
    Bank = apps.get_model("banks", "Bank")
    # Only banks nothing was ever added to: entries are evidence and are never deleted.
    Bank.objects.filter(name__in=[n for n, _ in BUILT_IN], version=0, entries=None).delete()


class Migration(migrations.Migration):
    dependencies = [("banks", "0001_initial")]

    operations = [migrations.RunPython(create_banks, remove_empty_banks)]
