"""The workflow's JSON API: glue between HTTP and services/selectors, nothing more."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Form, Query, Router
from ninja.responses import Status
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from hotline.accounts.actors import Actor
from hotline.accounts.auth import request_actor
from hotline.banks.services import Signal
from hotline.cases import lists, selectors
from hotline.cases.inputs import request_input
from hotline.cases.models import Item, MessageKind, Victim
from hotline.cases.schemas import (
    ActionIn,
    CopyOut,
    ImportIn,
    ImportLineOut,
    ImportOut,
    ImportProblemOut,
    ItemOut,
    ListQuery,
    MatchIn,
    MatchOut,
    MatchResultOut,
    MessageIn,
    MessageOut,
    NoticeOut,
    NoticeSummaryOut,
    NotSameIn,
    NotSameOut,
    QuarantinedOut,
    ReceiptOut,
    RequestIn,
    RequestSummaryOut,
    ReviewIn,
    ReviewOut,
    TriageItemOut,
    VictimItemOut,
    VictimOut,
    VictimSummaryOut,
)
from hotline.cases.serializers import (
    item_out,
    message_out,
    notice_out,
    notice_summary_out,
    receipt_out,
)
from hotline.cases.services.bulk import import_chunk
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.matching import (
    QueryResult,
    UploadQuery,
    match_not_same,
    quarantine_review,
    uploads_match,
)
from hotline.cases.services.media import media_signals, upload_bytes
from hotline.cases.services.moderation import (
    ItemDecision,
    item_act,
    message_post,
    notice_acknowledge,
)
from hotline.cases.workflow import ItemAction
from hotline.core import clock
from hotline.core.errors import InvalidInput
from hotline.core.paging import Page, page_limit, paginate

router = Router(tags=["takedown workflow"])
M = TypeVar("M", bound=Model)


def _request_input(body: RequestIn, uploads: dict[int, list[dict[str, Any]]]) -> RequestInput:
    items = [
        ItemInput(url=i.url, signals=[s.dict() for s in i.signals] + uploads.get(n, []))
        for n, i in enumerate(body.items, start=1)
    ]
    return request_input(body, items)


def _file(
    request: HttpRequest, body: RequestIn, uploads: dict[int, list[dict[str, Any]]]
) -> Status[ReceiptOut]:
    result = request_submit(actor=request_actor(request), data=_request_input(body, uploads))
    filed = selectors.request_get(
        actor=request_actor(request), case_id=result.request.case_id or ""
    )
    receipt = receipt_out(filed, duplicate_submission=not result.created)
    return Status(201 if result.created else 200, receipt)


@router.post("/requests", response={200: ReceiptOut, 201: ReceiptOut})
def submit_request(request: HttpRequest, body: RequestIn) -> Status[ReceiptOut]:
    """File a takedown request. 201 with a receipt; 200 with the first receipt for a repeat."""
    return _file(request, body, {})


@router.post("/requests/upload", response={200: ReceiptOut, 201: ReceiptOut})
def submit_request_with_media(request: HttpRequest, payload: Form[str]) -> Status[ReceiptOut]:
    """The same request as multipart: `payload` holds the JSON, and each item's `media` names
    the form field of its image or video. Files are hashed in memory and never stored."""
    try:
        body = RequestIn.model_validate_json(payload)
    except PydanticValidationError as error:
        raise InvalidInput(
            "payload is not a valid request", details=_pydantic_details(error)
        ) from error
    uploads: dict[int, list[dict[str, Any]]] = {}
    for n, item in enumerate(body.items, start=1):
        if item.media is None:
            continue
        label = f"items[{n}].media"
        upload = request.FILES.get(item.media)
        if upload is None:
            raise InvalidInput(
                f"{label}: no file in form field {item.media!r}", details=[{"element": label}]
            )
        data = upload_bytes(upload, label=label)  # 413 with the file's size over the limit
        uploads[n] = media_signals(data=data, label=label, filename=upload.name)
    return _file(request, body, uploads)


@router.post("/requests/import", response={200: ImportOut, 201: ImportOut})
def import_requests(request: HttpRequest, body: ImportIn) -> Status[ImportOut]:
    """File one chunk of a bulk import: good lines become one request, bad lines come back
    with their number and reason. 201 when filed; 200 for a retried chunk or no good line."""
    template = request_input(body, [])
    result = import_chunk(
        actor=request_actor(request),
        template=template,
        reference=body.reference,
        lines=body.lines,
        first_line=body.first_line,
        columns=[c.strip().lower() for c in body.columns] if body.columns else None,
    )
    out = ImportOut(
        case_id=result.request.case_id if result.request else None,
        duplicate_submission=result.request is not None and not result.created,
        filed=[ImportLineOut(**f.__dict__) for f in result.filed],
        rejected=[ImportProblemOut(**r.__dict__) for r in result.rejected],
    )
    return Status(201 if result.created else 200, out)


def _pydantic_details(error: PydanticValidationError) -> list[dict[str, Any]]:
    return [
        {"element": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()
    ]


# The answer is serialised by pydantic-core in one pass: ninja's generic path re-validated and
# dumped a batch of 1,000 results at more than the index's own cost (decision 27). The lean
# /api/match in front of Django (hotline/lean_match.py, decision 31) dumps with it too.
MATCH_RESULTS = TypeAdapter(list[MatchResultOut])
JSON = "application/json; charset=utf-8"  # what ninja's renderer sends


@router.post("/match", response=list[MatchResultOut])
def match(request: HttpRequest, body: MatchIn) -> HttpResponse:
    """Match upload signals and videos (vPDQ) against hash banks (default: content confirmed
    removed). One result per signal, then one per video. A platform's query with an
    `upload_ref` that matches known content opens an item on its platform (`reupload`)."""
    return HttpResponse(MATCH_RESULTS.dump_json(match_results(request, body)), content_type=JSON)


def match_results(request: HttpRequest, body: MatchIn) -> list[MatchResultOut]:
    if not body.signals and not body.videos:
        raise InvalidInput("send at least one signal or video", details=[{"element": "signals"}])
    actor = request_actor(request)
    queries = match_queries(body)
    results = uploads_match(actor=actor, queries=queries, bank_names=body.banks)
    return match_results_out(actor, queries, results)


def match_queries(body: MatchIn) -> list[UploadQuery]:
    """One query per signal, then one per video, as /api/match answers them."""
    return [
        UploadQuery(
            signals=[Signal(type=s.type, value=s.value, quality=s.quality)],
            upload_ref=s.upload_ref,
            url=s.url,
        )
        for s in body.signals
    ] + [
        UploadQuery(
            signals=[Signal(type="pdq", value=f.value, quality=f.quality) for f in v.frames],
            upload_ref=v.upload_ref,
            url=v.url,
            video=True,
        )
        for v in body.videos
    ]


def match_results_out(
    actor: Actor, queries: list[UploadQuery], results: list[QueryResult]
) -> list[MatchResultOut]:
    """The answer's models, built without validation (model_construct): every value comes from
    hotline's own reads, already of the field's type, and a batch holds up to 1,000."""
    rows = selectors.match_rows_for_actor(actor=actor, results=[r.matches for r in results])
    return [
        MatchResultOut.model_construct(
            query=n,
            kind="video" if q.video else "signal",
            upload_ref=q.upload_ref,
            matches=[MatchOut.model_construct(**m) for m in row],
            reupload=_copy_out(r.copy, opened=r.opened) if r.copy else None,
        )
        for n, (q, r, row) in enumerate(zip(queries, results, rows, strict=True))
    ]


def _copy_out(item: Item, *, opened: bool) -> CopyOut:
    return CopyOut(
        item_id=item.pk,
        notice_id=item.notice_id,
        case_id=item.request.case_id or "",
        copy_number=item.copy_number or 0,
        state=item.state,
        opened=opened,
    )


@router.post("/match/not-same", response=NotSameOut)
def match_not_same_content(request: HttpRequest, body: NotSameIn) -> NotSameOut:
    """Say an upload matched a bank entry but is not the same content. Counted once per
    upload; the item the match opened is rejected; repeated reports quarantine the entry."""
    outcome = match_not_same(
        actor=request_actor(request),
        entry_id=body.entry_id,
        upload_ref=body.upload_ref,
        note=body.note,
    )
    return NotSameOut(
        entry_id=outcome.entry_id,
        counted=outcome.counted,
        false_matches=outcome.false_matches,
        quarantined=outcome.quarantined,
        item_id=outcome.item.pk if outcome.item else None,
        item_state=outcome.item.state if outcome.item else None,
    )


@router.get("/banks/quarantine", response=list[QuarantinedOut])
def list_quarantined(request: HttpRequest) -> list[QuarantinedOut]:
    """Entries from your cases that platforms reported as false matches, out of matching."""
    return [
        QuarantinedOut(**row)
        for row in selectors.quarantined_for_actor(actor=request_actor(request))
    ]


@router.post("/banks/entries/{entry_id}/review", response=ReviewOut)
def review_quarantined(request: HttpRequest, entry_id: int, body: ReviewIn) -> ReviewOut:
    """Restore a quarantined entry to matching, or remove it from the bank."""
    entry = quarantine_review(
        actor=request_actor(request), entry_id=entry_id, restore=body.decision == "restore"
    )
    return ReviewOut(
        entry_id=entry.pk,
        decision=body.decision,
        matching=entry.quarantined_at is None and entry.removed_version is None,
    )


@router.get("/requests", response=list[RequestSummaryOut])
def list_requests(
    request: HttpRequest, response: HttpResponse, query: Query[ListQuery]
) -> list[RequestSummaryOut]:
    """The organisation's requests, newest first, one page at a time (see `X-Total-Count`)."""
    rows = lists.requests_list(
        actor=request_actor(request), filters=_filters(query), now=clock.now()
    ).select_related("victim")
    page = _page(request, response, rows, lists.REQUEST_KEYS, query)
    return [
        RequestSummaryOut(
            case_id=r.case_id or "",
            created_at=r.created_at,
            category=r.category,
            urgent=r.urgent,
            item_count=r.item_count,  # type: ignore[attr-defined]
            victim_reference=r.victim.reference if r.victim else None,
        )
        for r in lists.with_item_counts(page.rows)
    ]


def _filters(query: ListQuery) -> lists.ListFilters:
    return lists.list_filters(
        state=query.state,
        platform=query.platform,
        urgent=query.urgent,
        filed_from=query.filed_from,
        filed_to=query.filed_to,
        deadline=query.deadline,
        search=query.q,
        victim=query.victim,
    )


def _page(
    request: HttpRequest,
    response: HttpResponse,
    rows: QuerySet[M],
    keys: tuple[str, ...],
    query: ListQuery,
) -> Page[M]:
    """Page `rows` and say so in headers: the body stays the plain list it always was."""
    page = paginate(rows, keys=keys, cursor=query.cursor or None, limit=page_limit(query.limit))
    response["X-Total-Count"] = str(page.total)
    if page.next_cursor:
        response["X-Next-Cursor"] = page.next_cursor
        following = request.GET.copy()
        following["cursor"] = page.next_cursor
        response["Link"] = f'<{request.path}?{following.urlencode()}>; rel="next"'
    return page


@router.get("/requests/{case_id}", response=ReceiptOut)
def get_request(request: HttpRequest, case_id: str) -> ReceiptOut:
    filed = selectors.request_get(actor=request_actor(request), case_id=case_id)
    return receipt_out(filed, duplicate_submission=False)


@router.get("/triage", response=list[TriageItemOut])
def list_triage(
    request: HttpRequest, response: HttpResponse, query: Query[ListQuery]
) -> list[TriageItemOut]:
    """Items no platform is known for: never dropped, visible to the filing organisation.
    Paged like every list; `q` searches the URL or case id, `victim` narrows to her items."""
    rows = selectors.triage_items_for_actor(actor=request_actor(request))
    rows = lists.queue_list(items=rows, filters=_filters(query), now=clock.now())
    page = _page(request, response, rows, lists.TRIAGE_KEYS, query)
    return [
        TriageItemOut(
            id=i.pk, case_id=i.request.case_id or "", position=i.position, url=i.url, host=i.host
        )
        for i in page.rows
    ]


@router.get("/victims", response=list[VictimSummaryOut])
def list_victims(
    request: HttpRequest, response: HttpResponse, query: Query[ListQuery]
) -> list[VictimSummaryOut]:
    """Your organisation's victims, newest first, with how many of her items are open and
    still up; `q` is part of a reference. Paged like every list (`X-Total-Count`)."""
    rows = selectors.victims_for_actor(actor=request_actor(request), search=query.q)
    page = _page(request, response, rows, ("-pk",), query)
    return [_victim_summary(v) for v in selectors.with_victim_counts(page.rows)]


def _victim_summary(victim: Victim) -> VictimSummaryOut:
    return VictimSummaryOut(
        reference=victim.reference,
        created_at=victim.created_at,
        case_count=victim.case_count,  # type: ignore[attr-defined]
        item_count=victim.item_count,  # type: ignore[attr-defined]
        open_count=victim.open_count,  # type: ignore[attr-defined]
        still_up_count=victim.still_up_count,  # type: ignore[attr-defined]
    )


@router.get("/victims/{reference}", response=VictimOut)
def get_victim(
    request: HttpRequest, response: HttpResponse, reference: str, query: Query[ListQuery]
) -> VictimOut:
    """Every item of every case filed for one of your victims: case, platform, state,
    deadline, whether it is still up. Items are paged (filters: state, deadline, q, ...);
    another organisation's victim is a 404, like one that does not exist."""
    victim = selectors.victim_get(actor=request_actor(request), reference=reference)
    now = clock.now()
    rows = lists.queue_list(
        items=selectors.victim_items(victim=victim), filters=_filters(query), now=now
    )
    page = _page(request, response, rows, selectors.VICTIM_ITEM_KEYS, query)
    return VictimOut(
        **_victim_summary(victim).dict(),
        items=[
            VictimItemOut(
                case_id=i.request.case_id or "",
                case_url=f"/api/requests/{i.request.case_id}",
                item_id=i.pk,
                position=i.position,
                url=i.url,
                platform=i.platform.name if i.platform else None,
                notice_id=i.notice_id,
                state=i.state,
                deadline_at=i.notice.deadline_at if i.notice else None,
                overdue=selectors.item_overdue(i, now),
                open=selectors.item_is_open(i),
                still_up=selectors.item_still_up(i),
            )
            for i in page.rows
        ],
    )


@router.get("/notices", response=list[NoticeSummaryOut])
def list_notices(
    request: HttpRequest, response: HttpResponse, query: Query[ListQuery], open: bool = False
) -> list[NoticeSummaryOut]:
    """Open notices first, urgent, then the nearest deadline; one page at a time."""
    filters = _filters(query)
    rows = lists.notices_list(actor=request_actor(request), filters=filters, now=clock.now())
    if open:
        rows = rows.filter(closed_at=None)
    page = _page(request, response, rows, lists.NOTICE_KEYS, query)
    return [notice_summary_out(n) for n in page.rows]


@router.get("/notices/{notice_id}/items", response=list[ItemOut])
def list_notice_items(
    request: HttpRequest, response: HttpResponse, notice_id: int, query: Query[ListQuery]
) -> list[ItemOut]:
    """A notice's items in position order, one page at a time (filters: state, q)."""
    notice = selectors.notice_get(actor=request_actor(request), notice_id=notice_id)
    rows = lists.notice_items_list(notice=notice, filters=_filters(query))
    page = _page(request, response, rows, lists.NOTICE_ITEM_KEYS, query)
    return [item_out(i) for i in page.rows]


@router.get("/notices/{notice_id}", response=NoticeOut)
def get_notice(request: HttpRequest, notice_id: int) -> NoticeOut:
    notice = selectors.notice_get(actor=request_actor(request), notice_id=notice_id)
    return notice_out(
        notice,
        list(selectors.notice_items(notice=notice)),
        list(selectors.notice_messages(notice=notice)),
    )


@router.post("/notices/{notice_id}/acknowledge", response=NoticeSummaryOut)
def acknowledge_notice(request: HttpRequest, notice_id: int) -> NoticeSummaryOut:
    return notice_summary_out(notice_acknowledge(actor=request_actor(request), notice_id=notice_id))


@router.post("/notices/{notice_id}/items/{item_id}/action", response=ItemOut)
def act_on_item(request: HttpRequest, notice_id: int, item_id: int, body: ActionIn) -> ItemOut:
    decision = ItemDecision(
        action=ItemAction(body.action),
        reason=body.reason,
        note=body.note,
        question=body.question,
    )
    item = item_act(
        actor=request_actor(request), notice_id=notice_id, item_id=item_id, decision=decision
    )
    return item_out(item)


@router.get("/notices/{notice_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, notice_id: int) -> list[MessageOut]:
    notice = selectors.notice_get(actor=request_actor(request), notice_id=notice_id)
    return [message_out(m) for m in selectors.notice_messages(notice=notice)]


@router.post("/notices/{notice_id}/messages", response={201: MessageOut})
def post_message(request: HttpRequest, notice_id: int, body: MessageIn) -> Status[MessageOut]:
    message = message_post(
        actor=request_actor(request),
        notice_id=notice_id,
        kind=MessageKind(body.kind),
        body=body.body,
        item_id=body.item_id,
        reply_to_id=body.reply_to,
    )
    return Status(201, message_out(message))
