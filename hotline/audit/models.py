"""Audit events and the chain head that serialises appends."""

from django.db import models


class Event(models.Model):
    """One state change. Never updated or deleted; `hash` covers every other field."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    tag = models.CharField(max_length=64, db_index=True)
    actor = models.CharField(max_length=200)
    # The organisation whose record this is, so reads can be scoped without joins.
    organisation_id = models.BigIntegerField(null=True, db_index=True)
    subject = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Ed25519 over the hash by the audit key (kept outside the database); the key id names it.
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.tag} {self.subject}"


class ChainHead(models.Model):
    """A single row locked by every append, so two writers can never fork the chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # Signed with every append: a head moved back after deleting events no longer verifies.
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"chain head at #{self.last_seq}"
