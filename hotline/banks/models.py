"""Banks and their entries. Entries are only marked removed, for the record — except when
consent is withdrawn (banks.purge): then the rows are deleted and a tombstone without the
hash value says which entry went, so that whoever synced the bank deletes it too."""

from django.db import models


class Bank(models.Model):
    name = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # PDQ matches at Hamming distance <= threshold count for this bank.
    threshold = models.PositiveSmallIntegerField(default=31)
    # Bumped by every add and remove, so each process can bring its index up to date by delta.
    version = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    # Platforms may fetch the bank's hashes (GET /api/banks/{name}/feed, `hotline bank share`).
    platform_feed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class SignalType(models.TextChoices):
    PDQ = "pdq", "PDQ (256-bit perceptual hash)"
    MD5 = "md5", "MD5"
    SHA256 = "sha256", "SHA-256"


class BankEntry(models.Model):
    # No index of its own: every index below starts with bank_id, and lookups by bank use
    # them (one index fewer for every row an import writes; docs/decisions/0030).
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="entries", db_index=False)
    # On PostgreSQL both columns are COLLATE "C" (migration 0010: the unique index compares
    # bytes, not through strcoll); an AlterField of either must keep that collation.
    signal_type = models.CharField(max_length=10, choices=SignalType.choices)
    value = models.CharField(max_length=64)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the hash came from: "item:12" for a case item, "import:<label>" for an import.
    source = models.CharField(max_length=200)
    # The item it came from, as an opaque number: banks know nothing of cases. Indexed only
    # where set (bankentry_item): imported entries have none, and nothing looks them up by it.
    item_id = models.BigIntegerField(null=True, blank=True)
    added_version = models.BigIntegerField()
    removed_version = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    # Platforms said "not the same content" this often (distinct platform and upload).
    false_matches = models.PositiveIntegerField(default=0)
    # Set when false matches reach HOTLINE_FALSE_MATCH_QUARANTINE: matching skips the entry
    # until a reporter of the organisation it came from restores or removes it.
    quarantined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A value is live in a bank once: bank_add checks first, a bulk import relies on it
            # (INSERT … ON CONFLICT DO NOTHING), and lookups of live values use it as an index.
            models.UniqueConstraint(
                fields=["bank", "signal_type", "value"],
                condition=models.Q(removed_version__isnull=True),
                name="banks_entry_one_live_value",
            ),
        ]
        indexes = [
            # Each process brings its index up to date by the changes since a version, and the
            # feed reads additions and removals in version order (banks.feed): these two make
            # both, and so every write's cost to readers, independent of the bank's size.
            models.Index(fields=["bank", "added_version", "id"], name="bankentry_feed_added"),
            # Removed entries only: every read of it asks for removed_version > a version (or
            # not null), and an entry added (by an import, say) does not touch it.
            models.Index(
                fields=["bank", "removed_version", "id"],
                name="bankentry_feed_removed",
                condition=models.Q(removed_version__isnull=False),
            ),
            # Entries that came from a case item (purge, withdrawal, bank_remove_item).
            models.Index(
                fields=["item_id"],
                name="bankentry_item",
                condition=models.Q(item_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signal_type}:{self.value[:12]}… in {self.bank_id}"


class FalseMatch(models.Model):
    """A platform's word that an upload matched an entry but is not the same content."""

    # CASCADE: purging a withdrawn case's entries takes the reports about them along.
    entry = models.ForeignKey(
        BankEntry, on_delete=models.CASCADE, related_name="false_match_reports"
    )
    # The platform's organisation, as an opaque number: banks know nothing of accounts.
    organisation_id = models.BigIntegerField()
    upload_ref = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One platform's upload counts once, however often it says so.
            models.UniqueConstraint(
                fields=["entry", "organisation_id", "upload_ref"], name="one_false_match_per_upload"
            ),
        ]

    def __str__(self) -> str:
        return f"false match of entry {self.entry_id} ({self.upload_ref})"


class PurgedEntry(models.Model):
    """A bank entry deleted for good (banks.purge): its id, bank and when, never its value.

    The bank's export feed shows these as deletions by entry id; platforms that synced the
    entry delete it from their copy.
    """

    # The deleted BankEntry's own id (the row is gone, so not a foreign key).
    entry_id = models.BigIntegerField(unique=True)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="tombstones")
    signal_type = models.CharField(max_length=10, choices=SignalType.choices)
    # The item it came from, as an opaque number, like BankEntry.item_id.
    item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The bank version the purge made: a feed reads deletions in version order.
    version = models.BigIntegerField()
    deleted_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["bank", "version"], name="tombstone_by_bank_version")]

    def __str__(self) -> str:
        return f"entry {self.entry_id} purged from {self.bank_id} ({self.reason})"
