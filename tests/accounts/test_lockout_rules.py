"""PURE: the lockout rules, without a database."""

from datetime import UTC, datetime, timedelta

from hotline.accounts.lockout_rules import (
    ACCOUNT_SLOWDOWN,
    ADDRESS_FAILURES,
    PAIR_FAILURES,
    SLOW_INTERVAL,
    WINDOW,
    Recent,
    newly_reached,
    refusal,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _times(n: int, *, step: timedelta = timedelta(seconds=10)) -> list[datetime]:
    return [NOW - step * i for i in range(n)]  # newest first


def _recent(**changes: object) -> Recent:
    base: dict[str, object] = {
        "pair_failures": [],
        "address_failures": [],
        "account_failures": 0,
        "last_attempt_from_address": None,
        "known_address": False,
    }
    return Recent(**{**base, **changes})  # type: ignore[arg-type]


def test_nothing_recent_refuses_nothing() -> None:
    assert refusal(_recent(), NOW) is None


def test_the_fifth_failure_of_a_pair_locks_it_for_the_window_after_it() -> None:
    assert refusal(_recent(pair_failures=_times(PAIR_FAILURES - 1)), NOW) is None
    failures = _times(PAIR_FAILURES)
    locked = refusal(_recent(pair_failures=failures), NOW)
    assert locked is not None and locked.rule == "pair"
    assert locked.until == failures[PAIR_FAILURES - 1] + WINDOW
    assert refusal(_recent(pair_failures=failures), locked.until) is None  # over at its end


def test_one_address_spraying_many_usernames_is_locked() -> None:
    locked = refusal(_recent(address_failures=_times(ADDRESS_FAILURES)), NOW)
    assert locked is not None and locked.rule == "address"


def test_a_username_attacked_from_everywhere_is_slowed_never_locked() -> None:
    attacked = {"account_failures": ACCOUNT_SLOWDOWN * 10}
    assert refusal(_recent(**attacked), NOW) is None  # a first try from a new address goes
    just_tried = _recent(**attacked, last_attempt_from_address=NOW - timedelta(seconds=5))
    slowed = refusal(just_tried, NOW)
    assert slowed is not None and slowed.rule == "slowed"
    assert slowed.until == NOW - timedelta(seconds=5) + SLOW_INTERVAL
    assert refusal(just_tried, slowed.until) is None  # one try per interval, for ever


def test_the_users_own_address_is_not_slowed() -> None:
    known = _recent(
        account_failures=ACCOUNT_SLOWDOWN * 10,
        last_attempt_from_address=NOW - timedelta(seconds=5),
        known_address=True,
    )
    assert refusal(known, NOW) is None


def test_each_limit_is_reported_once_when_reached() -> None:
    assert newly_reached(_recent(pair_failures=_times(PAIR_FAILURES))) == "pair"
    assert newly_reached(_recent(pair_failures=_times(PAIR_FAILURES + 1))) is None
    assert newly_reached(_recent(address_failures=_times(ADDRESS_FAILURES))) == "address"
    assert newly_reached(_recent(account_failures=ACCOUNT_SLOWDOWN)) == "slowed"
