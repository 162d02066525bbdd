"""Keep only the entry indexes something reads, so a bulk import maintains three per row
(the primary key, the unique index of live values, the feed's additions) instead of six.

- The bank foreign key's own index goes: every lookup by bank uses one of the composite
  indexes that start with bank_id (banks_entry_one_live_value, bankentry_feed_added).
- bankentry_feed_removed holds removed entries only: its readers all ask for
  removed_version > a version or IS NOT NULL, which implies the condition.
- item_id is indexed only where set (bankentry_item): imported entries have none, and its
  readers look up given item ids.

The two single-column indexes are dropped by name, found by introspection, rather than by
AlterField, which on SQLite would copy the whole table twice (a 10M bank: minutes). See
docs/decisions/0030-import-at-speed.md.
"""

from django.db import migrations, models


def _drop_single_column_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry = apps.get_model("banks", "BankEntry")
    table = entry._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and info["columns"] in (["bank_id"], ["item_id"])
        ):
            schema_editor.execute(schema_editor._delete_index_sql(entry, name))


def _create_single_column_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry = apps.get_model("banks", "BankEntry")
    for column in ("bank", "item_id"):
        field = entry._meta.get_field(column)
        schema_editor.execute(schema_editor._create_index_sql(entry, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0008_feed_indexes_serve_the_version_deltas"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="bankentry", name="bankentry_feed_removed"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="bankentry",
                    name="bank",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="entries",
                        to="banks.bank",
                    ),
                ),
                migrations.AlterField(
                    model_name="bankentry",
                    name="item_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(_drop_single_column_indexes, _create_single_column_indexes),
            ],
        ),
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(
                condition=models.Q(("removed_version__isnull", False)),
                fields=["bank", "removed_version", "id"],
                name="bankentry_feed_removed",
            ),
        ),
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(
                condition=models.Q(("item_id__isnull", False)),
                fields=["item_id"],
                name="bankentry_item",
            ),
        ),
    ]
