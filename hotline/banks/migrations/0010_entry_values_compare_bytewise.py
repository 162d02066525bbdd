"""On PostgreSQL, bank entries' signal_type and value compare as bytes (COLLATE "C").

Both are ASCII (a signal type's name, a lowercase hex digest), so every collation orders and
equates them the same; but under the database's default collation (often en_US.UTF-8, here
C.UTF-8) each comparison in the unique index of live values goes through the C library's
strcoll, and a bulk import makes about twenty of them per row. With "C" it is memcmp. SQLite
already compares bytes (BINARY). The model's state is unchanged, so that SQLite's schema
stays as it is; a later AlterField of these two columns must keep the collation (models.py
says so). See docs/decisions/0030-import-at-speed.md.
"""

from django.db import migrations

_COLUMNS = (("signal_type", 10), ("value", 64))


def _collate(collation: str):  # type: ignore[no-untyped-def]
    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("banks", "BankEntry")._meta.db_table)
        changes = ", ".join(
            f"ALTER COLUMN {schema_editor.quote_name(name)} TYPE varchar({length})"
            f" COLLATE {collation}"
            for name, length in _COLUMNS
        )
        # The indexes on these columns are rebuilt; the rows are not rewritten (same type).
        schema_editor.execute(f"ALTER TABLE {table} {changes}")

    return forwards


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0009_import_keeps_only_the_indexes_it_needs"),
    ]

    operations = [
        migrations.RunPython(_collate('"C"'), _collate('"default"'), elidable=False),
    ]
