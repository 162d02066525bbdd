"""API shapes of the workflow: XIn for what comes in, XOut for what goes out."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from hotline.audit.schemas import CheckpointOut
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis
from hotline.cases.models import MessageKind
from hotline.cases.workflow import RejectionReason


class SignalIn(Schema):
    type: Literal["pdq", "md5", "sha256"]
    value: str = Field(max_length=64)
    quality: int | None = Field(None, ge=0, le=100, description="PDQ quality; < 50 never matches")


class ItemIn(Schema):
    url: str = Field("", max_length=4096, description="Exact URL of the message, room or file")
    signals: list[SignalIn] = Field(default_factory=list, max_length=40)
    media: str | None = Field(
        None, description="Multipart upload only: the form field holding this item's file"
    )


class LegalIn(Schema):
    signature: str = Field("", description="TAKE IT DOWN: signature of the person or her agent")
    good_faith_statement: str = Field("", description="TAKE IT DOWN: not-consensual statement")
    contact: str = Field("", description="TAKE IT DOWN: how to reach the requester")
    notifier_name: str = Field("", description="DSA 16(2)(c); not needed for CSAM")
    notifier_email: str = Field("", description="DSA 16(2)(c); not needed for CSAM")
    bona_fide_statement: bool = Field(False, description="DSA 16(2)(d)")


class RequestIn(Schema):
    category: Category
    reasons: str = Field(max_length=20000, description="DSA 16(2)(a): why it is illegal")
    items: list[ItemIn] = Field(max_length=1000)
    urgent: bool = False
    involves_minor: bool = Field(False, description="A minor involved makes the request urgent")
    jurisdiction: str | None = Field(None, min_length=2, max_length=2)
    legal_bases: list[LegalBasis] = Field(
        default_factory=lambda: [LegalBasis.TAKE_IT_DOWN, LegalBasis.DSA_ART16]
    )
    legal: LegalIn | None = None
    client_reference: str | None = Field(
        None,
        max_length=100,
        description="Your own id: resubmitting the same request under it returns the first "
        "receipt; other content under it is a 409",
    )
    victim_reference: str | None = Field(
        None,
        max_length=1000,
        description="Your centre's pseudonymous reference of the victim (1-64 of A-Z 0-9 . _ -, "
        "never a name, email or phone number); links her items across cases; never sent to "
        "platforms",
    )


class ImportIn(Schema):
    """One chunk of a bulk import: up to 1,000 lines of a CSV or a list of URLs."""

    reference: str = Field(
        min_length=1, max_length=80, description="Names the import; a retried chunk files once"
    )
    first_line: int = Field(1, ge=1, le=100_000, description="Line number of lines[0] in the file")
    lines: list[str] = Field(max_length=1000, description="`url` or `url,type:hex,…` per line")
    columns: list[str] | None = Field(
        None, description="The file's header row (`url`, `sha256`, …) when lines[0] is not it"
    )
    category: Category
    reasons: str = Field(max_length=20000, description="DSA 16(2)(a): why it is illegal")
    urgent: bool = False
    involves_minor: bool = False
    jurisdiction: str | None = Field(None, min_length=2, max_length=2)
    legal_bases: list[LegalBasis] = Field(
        default_factory=lambda: [LegalBasis.TAKE_IT_DOWN, LegalBasis.DSA_ART16]
    )
    legal: LegalIn | None = None
    victim_reference: str | None = Field(
        None,
        max_length=1000,
        description="Your centre's pseudonymous reference of the victim (1-64 of A-Z 0-9 . _ -, "
        "never a name, email or phone number); links her items across cases; never sent to "
        "platforms",
    )


class ImportLineOut(Schema):
    line: int
    position: int
    item_id: int
    state: str


class ImportProblemOut(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    case_id: str | None = Field(description="The request this chunk's good lines were filed as")
    duplicate_submission: bool = Field(description="This chunk was filed before; nothing new")
    filed: list[ImportLineOut]
    rejected: list[ImportProblemOut]


class CheckOut(Schema):
    checked_at: datetime
    http_status: int | None
    verdict: str
    reason: str
    body_sha256: str
    final_url: str


class SeenBeforeOut(Schema):
    case_id: str | None = Field(description="Only for your own organisation's cases")
    platform: str | None
    state: str
    removed_at: datetime | None
    distance: int
    message: str


class RoomOut(Schema):
    """The room (chat room, channel, account) a message item was posted in, when the same
    organisation reported the room too: its item, and whether its outcome covers the message."""

    item_id: int
    case_id: str
    position: int
    url: str
    state: str
    covers: bool = Field(
        description="The room is removed or restricted: the message went with it, whatever its "
        "own state says"
    )
    message: str


class ItemOut(Schema):
    id: int
    position: int
    url: str
    normalised_url: str
    state: str
    platform: str | None
    notice_id: int | None
    duplicate_of: int | None = Field(
        description="The item this one duplicates: only when it is your own organisation's"
    )
    # A duplicate follows its original: this is that item's state (removed, rejected, ...).
    follows_state: str | None = None
    duplicate_note: str | None = Field(
        None,
        description="For a duplicate: 'already reported by another organisation', or which of "
        "your own items it repeats",
    )
    location_kind: str = Field(
        "", description="message, room, account, invite, file or other (from the URL)"
    )
    room: RoomOut | None = Field(None, description="For a message: its room's item, if filed")
    rejection_reason: str
    outcome_note: str
    acted_at: datetime | None
    confirmed_removed_at: datetime | None
    checks: list[CheckOut]
    seen_before: list[SeenBeforeOut] = Field(default_factory=list)
    # Why the uploaded media's signals cover only part of it (a video cut short), or null.
    media_partial: str | None = None
    copy_number: int | None = Field(
        None, description="A re-upload: which copy of the content (the original is copy 1)"
    )
    found_by: str = Field("", description="platform_match or hotline, for a re-upload")
    match_distance: int | None = None
    upload_ref: str | None = Field(None, description="The platform's reference for the upload")


class NoticeSummaryOut(Schema):
    id: int
    case_id: str
    platform: str
    urgent: bool
    created_at: datetime
    deadline_at: datetime
    # Fixed when the notice was made: whether time waiting for the reporter's answer to a
    # needs_info question is off the platform's clock in the compliance figures.
    clock_pauses_for_info: bool
    acknowledged_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None


class ReceiptOut(Schema):
    case_id: str
    created_at: datetime
    duplicate_submission: bool
    urgent: bool
    items: list[ItemOut]
    notices: list[NoticeSummaryOut]
    triage_count: int
    victim_reference: str | None = Field(
        None, description="Your own reference of the victim; only you ever see it"
    )
    checkpoint: CheckpointOut = Field(
        description="The audit record when this receipt was issued, signed; keep it"
    )


class ListQuery(Schema):
    """Filters and paging of every list: the page's total is in `X-Total-Count`, the next
    page's cursor in `X-Next-Cursor` (and a `Link: <…>; rel="next"` header)."""

    state: str = Field("", description="an item state: lists what has an item in it")
    platform: str = Field("", description="a platform's name")
    urgent: str = Field("", description="true or false")
    filed_from: str = Field("", description="filed on or after this date, YYYY-MM-DD")
    filed_to: str = Field("", description="filed on or before this date, YYYY-MM-DD")
    deadline: str = Field("", description="overdue, due or closed")
    q: str = Field(
        "", description="part of a case id or a reported URL, a client or a victim reference"
    )
    victim: str = Field("", description="your own victim reference: only her cases or items")
    cursor: str = Field("", description="X-Next-Cursor of the page before")
    limit: str = Field("", description="rows per page, 1-500 (default 50)")


class RequestSummaryOut(Schema):
    case_id: str
    created_at: datetime
    category: str
    urgent: bool
    item_count: int
    victim_reference: str | None = None


class VictimSummaryOut(Schema):
    reference: str
    created_at: datetime
    case_count: int
    item_count: int
    open_count: int = Field(description="Items a platform or your organisation still owes")
    still_up_count: int = Field(description="Items not yet seen gone")


class VictimItemOut(Schema):
    case_id: str
    case_url: str = Field(description="The case's receipt in this API")
    item_id: int
    position: int
    url: str
    platform: str | None
    notice_id: int | None
    state: str
    deadline_at: datetime | None = Field(description="The deadline of the item's notice")
    overdue: bool
    open: bool = Field(description="Someone still owes an action on the item")
    still_up: bool = Field(description="Not confirmed removed and not seen gone")


class VictimOut(VictimSummaryOut):
    items: list[VictimItemOut] = Field(
        description="One page of her items, newest case first; see X-Total-Count"
    )


class MessageOut(Schema):
    id: int
    kind: str
    author: str
    body: str
    item_id: int | None
    reply_to: int | None
    created_at: datetime
    # A question's age in seconds: until its first answer, or until now while unanswered.
    age_seconds: int | None = None
    answered_at: datetime | None = None


class DeliveryOut(Schema):
    kind: str
    recipient: str
    status: str = Field(description="pending, sent, or failed (permanently)")
    attempts: int
    last_error: str
    sent_at: datetime | None


class NoticeOut(NoticeSummaryOut):
    category: str
    reasons: str
    items: list[ItemOut]
    messages: list[MessageOut]
    deliveries: list[DeliveryOut] = Field(default_factory=list)


class ActionIn(Schema):
    action: Literal["removed", "restricted", "rejected", "needs_info"]
    reason: RejectionReason | None = Field(None, description="Required when rejecting")
    note: str = Field("", max_length=5000)
    question: str = Field("", max_length=5000, description="Required with needs_info")


class MessageIn(Schema):
    kind: Literal[MessageKind.QUESTION, MessageKind.ANSWER]
    body: str = Field(min_length=1, max_length=20000)
    item_id: int | None = None
    reply_to: int | None = None


UPLOAD_REF = Field(
    None,
    min_length=1,
    max_length=200,
    description="Your own id for the upload; with it a match on known content opens an item",
)


class Lean(BaseModel):
    """A plain pydantic model for the match endpoint's schemas, which carry up to 1,000 signals
    each way: ninja's Schema wraps every nested object's validation in a DjangoGetter (for ORM
    objects), which cost more than the index's own search on a batch. The OpenAPI document is
    the same (tests/api/test_openapi.py)."""

    model_config = ConfigDict(from_attributes=True)


class MatchSignalIn(Lean):
    # SignalIn's fields, repeated: a Schema's subclass would bring its validator back.
    type: Literal["pdq", "md5", "sha256"]
    value: str = Field(max_length=64)
    quality: int | None = Field(None, ge=0, le=100, description="PDQ quality; < 50 never matches")
    upload_ref: str | None = UPLOAD_REF
    url: str = Field("", max_length=4096, description="Where the upload is, if it is online")


class FrameIn(Lean):
    value: str = Field(max_length=64, description="PDQ of one sampled frame")
    quality: int = Field(ge=0, le=100, description="Frames under 50 are not used")


class VideoIn(Lean):
    frames: list[FrameIn] = Field(min_length=1, max_length=5000)
    upload_ref: str | None = UPLOAD_REF
    url: str = Field("", max_length=4096)


class MatchIn(Lean):
    signals: list[MatchSignalIn] = Field(default_factory=list, max_length=1000)
    videos: list[VideoIn] = Field(default_factory=list, max_length=100)
    banks: list[str] | None = Field(None, description="Default: the known-content bank")


class MatchOut(Lean):
    entry_id: int
    bank: str
    signal_type: str = Field(description="pdq, md5, sha256; vpdq for a video's match")
    distance: int
    case_id: str | None = Field(description="Only when the case's notice went to you")
    query_match_percent: float | None = Field(
        None, description="vPDQ: share of the query video's usable frames that matched"
    )
    compared_match_percent: float | None = Field(
        None, description="vPDQ: share of the stored video's frames that matched"
    )


class CopyOut(Lean):
    item_id: int
    notice_id: int | None
    case_id: str
    copy_number: int = Field(description="The original is copy 1; the first re-upload copy 2")
    state: str
    opened: bool = Field(description="False when this upload_ref had opened it before")


class MatchResultOut(Lean):
    query: int
    kind: Literal["signal", "video"] = "signal"
    upload_ref: str | None = None
    matches: list[MatchOut]
    reupload: CopyOut | None = Field(
        None, description="The item opened on your platform for this upload (known content)"
    )


class NotSameIn(Schema):
    entry_id: int
    upload_ref: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=5000)


class NotSameOut(Schema):
    entry_id: int
    counted: bool = Field(description="False when you had already reported this upload")
    false_matches: int
    quarantined: bool
    item_id: int | None = Field(description="Your copy item, now rejected as not the same")
    item_state: str | None


class QuarantinedOut(Schema):
    entry_id: int
    bank: str
    signal_type: str
    value: str
    false_matches: int
    quarantined_at: datetime
    item_id: int | None
    case_id: str | None


class ReviewIn(Schema):
    decision: Literal["restore", "remove"]


class ReviewOut(Schema):
    entry_id: int
    decision: str
    matching: bool = Field(description="Whether platforms' uploads match the entry again")


class TriageItemOut(Schema):
    id: int
    case_id: str
    position: int
    url: str
    host: str
