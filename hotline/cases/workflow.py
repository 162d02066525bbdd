"""PURE: the item state table, the notice life cycle and deadline arithmetic. No database."""

from datetime import datetime, timedelta
from enum import StrEnum


class ItemState(StrEnum):
    TRIAGE = "triage"  # no platform known for its host; the reporter's organisation sorts it out
    DUPLICATE = "duplicate"  # same URL already on an open notice; follows that item
    NOTIFIED = "notified"  # on a notice, waiting for the platform
    INFO_REQUESTED = "info_requested"  # the platform asked a question about it
    REMOVED = "removed"  # the platform says it is removed; verification pending
    RESTRICTED = "restricted"  # e.g. geo-blocked; the platform's final answer
    REJECTED = "rejected"  # the platform refuses, with a reason
    CONFIRMED_REMOVED = "confirmed_removed"  # hotline saw it gone after the platform said so
    REOPENED = "reopened"  # reported removed but still up; back with the platform


class ItemAction(StrEnum):
    REMOVE = "removed"
    RESTRICT = "restricted"
    REJECT = "rejected"
    NEED_INFO = "needs_info"
    ANSWER = "answered"  # the reporter answered the platform's question
    VERIFY_GONE = "verified_gone"
    VERIFY_PRESENT = "verified_present"


# Platform actions are accepted wherever the platform still owes a decision.
AWAITING_PLATFORM = frozenset({ItemState.NOTIFIED, ItemState.INFO_REQUESTED, ItemState.REOPENED})

TRANSITIONS: dict[tuple[ItemState, ItemAction], ItemState] = {
    **{(s, ItemAction.REMOVE): ItemState.REMOVED for s in AWAITING_PLATFORM},
    **{(s, ItemAction.RESTRICT): ItemState.RESTRICTED for s in AWAITING_PLATFORM},
    **{(s, ItemAction.REJECT): ItemState.REJECTED for s in AWAITING_PLATFORM},
    (ItemState.NOTIFIED, ItemAction.NEED_INFO): ItemState.INFO_REQUESTED,
    (ItemState.REOPENED, ItemAction.NEED_INFO): ItemState.INFO_REQUESTED,
    (ItemState.INFO_REQUESTED, ItemAction.ANSWER): ItemState.NOTIFIED,
    (ItemState.REMOVED, ItemAction.VERIFY_GONE): ItemState.CONFIRMED_REMOVED,
    # Gone after a reopen: the platform acted again without saying so; the check confirms it.
    (ItemState.REOPENED, ItemAction.VERIFY_GONE): ItemState.CONFIRMED_REMOVED,
    (ItemState.REMOVED, ItemAction.VERIFY_PRESENT): ItemState.REOPENED,
}

# States in which the platform owes nothing more on the item.
SETTLED = frozenset({ItemState.RESTRICTED, ItemState.REJECTED, ItemState.CONFIRMED_REMOVED})
# States in which hotline keeps re-checking the URL.
WATCHED = frozenset(
    {ItemState.NOTIFIED, ItemState.INFO_REQUESTED, ItemState.REMOVED, ItemState.REOPENED}
)
PLATFORM_ACTIONS = frozenset(
    {ItemAction.REMOVE, ItemAction.RESTRICT, ItemAction.REJECT, ItemAction.NEED_INFO}
)


class IllegalTransition(Exception):
    def __init__(self, state: ItemState, action: ItemAction) -> None:
        super().__init__(f"cannot apply '{action}' to an item in state '{state}'")
        self.state, self.action = state, action


def next_state(state: ItemState, action: ItemAction) -> ItemState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def notice_is_settled(item_states: list[ItemState]) -> bool:
    """A notice closes when the platform owes nothing on any of its items."""
    return all(state in SETTLED for state in item_states)


def deadline_after(start: datetime, *, hours: int, urgent_hours: int, urgent: bool) -> datetime:
    return start + timedelta(hours=urgent_hours if urgent else hours)


def is_overdue(*, deadline: datetime, now: datetime, item_states: list[ItemState]) -> bool:
    """Overdue: the deadline has passed and some item still waits for the platform."""
    waiting = any(state in AWAITING_PLATFORM for state in item_states)
    return now > deadline and waiting


class RejectionReason(StrEnum):
    """A platform's reason for rejecting an item; free text accompanies it."""

    NOT_FOUND = "not_found"
    NOT_ILLEGAL = "not_illegal"
    NOT_INTIMATE = "not_intimate"
    CONSENT_SHOWN = "consent_shown"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    NOT_OUR_SERVICE = "not_our_service"
    LEGAL_PROCESS_REQUIRED = "legal_process_required"
    NOT_SAME_CONTENT = "not_same_content"  # a hash match that is another picture
    OTHER = "other"
