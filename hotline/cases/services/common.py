"""Small pieces the workflow services share: audit tagging and state changes of items."""

from datetime import datetime
from typing import Any

from hotline.audit.services import AuditEntry, audit_record, audit_record_many
from hotline.cases.models import Item, Notice, TakedownRequest
from hotline.cases.services.news import news_item_changed
from hotline.cases.workflow import IllegalTransition, ItemAction, ItemState, next_state
from hotline.core.errors import Conflict


def item_ref(key: str, *, organisation_id: int, other: Item) -> dict[str, Any]:
    """How one organisation's audit event refers to another item: by id when the item is the
    same organisation's, else only as one of another organisation (decision 22). Events are
    signed and go whole into the organisation's evidence package, so no other organisation's
    item id may be written into them."""
    if other.request.organisation_id == organisation_id:
        return {key: other.pk}
    return {f"{key}_another_organisation": True}


def record(
    *,
    tag: str,
    actor: str,
    subject: Item | Notice | TakedownRequest,
    organisation_id: int,
    payload: dict[str, Any] | None = None,
) -> None:
    """Audit one change; the subject is named `item:ID`, `notice:ID` or `request:ID`."""
    kind = {Item: "item", Notice: "notice", TakedownRequest: "request"}[type(subject)]
    audit_record(
        tag=tag,
        actor=actor,
        subject=f"{kind}:{subject.pk}",
        organisation_id=organisation_id,
        payload=payload or {},
    )


def record_many(
    *,
    tag: str,
    actor: str,
    organisation_id: int,
    subjects: list[tuple[Item, dict[str, Any]]],
) -> None:
    """Audit the same change of many items in one batch (see `audit_record_many`)."""
    audit_record_many(
        [
            AuditEntry(
                tag=tag,
                actor=actor,
                subject=f"item:{item.pk}",
                organisation_id=organisation_id,
                payload=payload,
            )
            for item, payload in subjects
        ]
    )


def transition(item: Item, action: ItemAction, *, actor: str, at: datetime, **payload: Any) -> None:
    """Move an item through the state table, save it and audit it; illegal moves are 409s."""
    try:
        new_state = next_state(ItemState(item.state), action)
    except IllegalTransition as error:
        raise Conflict(f"item {item.position}: {error}") from error
    old_state, item.state = item.state, new_state
    item.save()
    record(
        tag=f"item:{action}",
        actor=actor,
        subject=item,
        organisation_id=item.request.organisation_id,
        payload={"from": old_state, "to": new_state, "at": at.isoformat(), **payload},
    )
    news_item_changed(item=item, action=action, check_id=payload.get("check"))
