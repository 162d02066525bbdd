"""Requests, their items, the notices that carry items to platforms, messages and checks."""

from django.db import models

from hotline.accounts.models import Organisation
from hotline.cases.workflow import ItemState
from hotline.platforms.models import Platform

ITEM_STATE_CHOICES = [(s.value, s.value.replace("_", " ")) for s in ItemState]


class Victim(models.Model):
    """A victim as one support centre knows her: a pseudonymous reference it chose, nothing else.

    No name, contact or any other personal data: the reference links her items across the
    centre's cases and is never shown to platforms (decision 21). Unique per organisation;
    another organisation's victim with the same reference is another row.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="one_victim_per_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"victim {self.reference}"


class TakedownRequest(models.Model):
    # NULL only inside the creating transaction, before the id is known.
    case_id = models.CharField(max_length=20, unique=True, null=True)  # noqa: DJ001
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filed_by = models.CharField(max_length=150)
    # The caller's own reference; the same one twice returns the first receipt.
    # NULL, not "", so that requests without a reference never collide on the constraint.
    client_reference = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # What was filed under the client reference, one digest per part (category, items, ...):
    # a reuse with other content is a 409 naming the parts that differ. Empty before 0007.
    submission_digests = models.JSONField(default=dict, blank=True)
    # The victim the request was filed for, by the filing organisation's own reference.
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    jurisdiction = models.CharField(max_length=2)
    category = models.CharField(max_length=40)
    reasons = models.TextField()
    urgent = models.BooleanField(default=False)
    involves_minor = models.BooleanField(default=False)
    legal_bases = models.JSONField(default=list)
    legal_elements = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_reference"], name="one_request_per_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.case_id or f"request {self.pk}"


class Notice(models.Model):
    request = models.ForeignKey(TakedownRequest, on_delete=models.PROTECT, related_name="notices")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="notices")
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    deadline_basis = models.CharField(max_length=200, blank=True)
    # Copied from the deadline policy when the notice is made, so that changing the policy
    # later cannot change this notice's clock or its compliance figures.
    clock_pauses_for_info = models.BooleanField(default=False)
    # Also copied from the policy: when a reporter's unanswered question is sent again.
    question_reminder_hours = models.PositiveIntegerField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notice {self.pk} to {self.platform_id}"


class Item(models.Model):
    request = models.ForeignKey(TakedownRequest, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    url = models.TextField(blank=True)
    normalised_url = models.TextField(blank=True, db_index=True)
    host = models.CharField(max_length=253, blank=True)
    signals = models.JSONField(default=list)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    state = models.CharField(max_length=20, choices=ITEM_STATE_CHOICES)
    rejection_reason = models.CharField(max_length=40, blank=True)
    outcome_note = models.TextField(blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    removal_reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_removed_at = models.DateTimeField(null=True, blank=True)
    observed_gone_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    # A re-upload of confirmed content: the first item of that content, this copy's number
    # (the original is copy 1), how it was found and, from a platform's match, its reference.
    copy_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies"
    )
    copy_number = models.PositiveIntegerField(null=True, blank=True)
    found_by = models.CharField(max_length=20, blank=True)
    match_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    matched_entry_id = models.BigIntegerField(null=True, blank=True)
    upload_ref = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    # What the URL points at (platforms.url_rules.LocationKind: message, room, account, invite,
    # file, other) and, for a message, the canonical URL of its room; the room's own item of
    # the same organisation when there is one (docs/decisions/0022).
    location_kind = models.CharField(max_length=10, blank=True)
    room_url = models.TextField(blank=True)
    room_item = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="room_messages"
    )
    # Kept in triage until a person reviews it (a URL filed without an account): re-routing
    # after a platform is added never sends it on (docs/decisions/0018, 0022).
    held_for_review = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="item_position"),
            # The same upload matched twice opens one item, not two.
            models.UniqueConstraint(
                fields=["platform", "upload_ref"],
                condition=models.Q(upload_ref__isnull=False),
                name="one_item_per_platform_upload",
            ),
        ]
        indexes = [
            # The re-route's batches: requests with items waiting in triage (decision 22).
            models.Index(
                fields=["request"],
                condition=models.Q(state="triage", notice__isnull=True),
                name="item_waiting_in_triage",
            ),
            # A room reported after its messages finds them (cases.services.routing).
            models.Index(
                fields=["room_url"], condition=~models.Q(room_url=""), name="item_message_room"
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.pk} ({self.state})"


class MessageKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    NOTE = "note", "Note"
    SYSTEM = "system", "System"


class Message(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="messages")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    author_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    author = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    body = models.TextField()
    reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    created_at = models.DateTimeField()
    # A reporter's question still unanswered at the policy's reminder time is sent again, once.
    reminded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} on notice {self.notice_id}"


class ItemCheck(models.Model):
    """Evidence of one verification fetch: what was seen, when, and what it meant."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField()
    url = models.TextField()
    final_url = models.TextField(blank=True)
    http_status = models.IntegerField(null=True)
    body_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    verdict = models.CharField(max_length=20)
    reason = models.TextField()

    def __str__(self) -> str:
        return f"check of item {self.item_id}: {self.verdict}"


class ItemLink(models.Model):
    """The same content seen before: a new item's signals matched an earlier item's."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="links")
    earlier_item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="later_links")
    signal_type = models.CharField(max_length=10)
    distance = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "earlier_item"], name="one_link_per_pair"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} seen before as {self.earlier_item_id}"


class NewsKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    QUESTION = "question", "Question from the platform"
    ESCALATION = "escalation", "Deadline missed, escalated"
    OBSERVED_GONE = "observed_gone", "Seen gone"
    COPY_FOUND = "copy_found", "Copy found again"


class ReporterNews(models.Model):
    """Something a reporting organisation is told about one of its own items or notices.

    Written in the transaction of the change it reports, with its deliveries. It names only
    the organisation's own case, item and notice: an item that duplicates another
    organisation's item is told that item's fate under its own name.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(TakedownRequest, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=NewsKind.choices)
    state = models.CharField(max_length=20, blank=True)  # the item's state it reports
    # What the reporter is shown: reason, note, the verification check (all their own item's).
    facts = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "created_at"], name="news_by_org")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.organisation_id} at {self.created_at}"
