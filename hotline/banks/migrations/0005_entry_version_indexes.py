"""Index the change-tracking columns, so a write's delta is read without scanning the bank,
and make the value index a unique index of live values.

Numbered 0005: a migration 0004 is being added to this app on another branch; the merge adds
the merge migration."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0003_false_match_quarantine"),
    ]

    operations = [
        # The value index becomes a unique index of live values only (removed entries' values
        # are never looked up): one index fewer to maintain per insert, and the uniqueness a
        # bulk import's ON CONFLICT DO NOTHING relies on. bank_add always kept it (it checks
        # under the bank's row lock), so existing rows satisfy it.
        migrations.RemoveIndex(model_name="bankentry", name="banks_banke_bank_id_9cba81_idx"),
        migrations.AddConstraint(
            model_name="bankentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(removed_version__isnull=True),
                fields=("bank", "signal_type", "value"),
                name="banks_entry_one_live_value",
            ),
        ),
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(fields=["bank", "added_version"], name="banks_entry_added_version"),
        ),
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(
                fields=["bank", "removed_version"], name="banks_entry_removed_version"
            ),
        ),
    ]
