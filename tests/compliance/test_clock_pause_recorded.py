"""Whether a notice's clock pauses is fixed when the notice is made, not read from the policy now.

Otherwise changing a platform's policy later would silently rewrite past notices' figures.
In the takedown, post 2 waits 10 hours for KCSC's answer and is removed at 30 h: in time only
if those 10 hours are off Telegram's clock (20 h of 24), late if they are charged (30 h).
"""

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hotline.audit.models import Event
from hotline.cases.models import Notice
from hotline.compliance.render import as_table
from hotline.compliance.selectors import compliance_report
from hotline.platforms.models import DeadlinePolicy
from hotline.platforms.services import DeadlineRule, deadline_policy_set
from tests.compliance.conftest import AS_OF, T0, Takedown, set_kr_policy
from tests.conftest import ApiCaller


def telegram_kr_in_time() -> tuple[int, int]:
    rows = compliance_report(start=T0 - timedelta(days=1), end=T0 + timedelta(days=2), as_of=AS_OF)
    telegram = next(r for r in rows if r.platform == "Telegram")
    kr = next(j for j in telegram.by_jurisdiction if j.jurisdiction == "KR")
    return kr.items_due, kr.items_removed_within_deadline


@pytest.mark.parametrize(
    ("kr_pauses", "pauses_later", "due_and_in_time"),
    [
        pytest.param(True, False, (4, 3), id="paused-when-filed-stays-paused"),
        pytest.param(False, True, (4, 2), id="unpaused-when-filed-stays-charged"),
        pytest.param(True, True, (4, 3), id="paused-throughout"),
        pytest.param(False, False, (4, 2), id="charged-throughout"),
    ],
)
def test_changing_the_policy_later_does_not_change_past_figures(
    takedown: Takedown, kr_pauses: bool, pauses_later: bool, due_and_in_time: tuple[int, int]
) -> None:
    assert telegram_kr_in_time() == due_and_in_time
    set_kr_policy(pauses=pauses_later)
    assert telegram_kr_in_time() == due_and_in_time
    takedown.kcsc_notice.refresh_from_db()
    assert takedown.kcsc_notice.clock_pauses_for_info is kr_pauses


@pytest.mark.parametrize("kr_pauses", [True, False])
def test_the_notice_and_its_audit_event_record_the_pause_setting(
    takedown: Takedown, kr_pauses: bool
) -> None:
    notice = takedown.kcsc_notice
    event = Event.objects.get(tag="notice:create", subject=f"notice:{notice.pk}")
    assert event.payload["clock_pauses_for_info"] is kr_pauses
    # The US notice came from Telegram's US policy, which does not pause.
    us_event = Event.objects.get(tag="notice:create", subject=f"notice:{takedown.us_notice.pk}")
    assert us_event.payload["clock_pauses_for_info"] is False
    assert takedown.us_notice.clock_pauses_for_info is False


BEFORE = [("cases", "0002_itemlink")]


@pytest.fixture
def notice_field_removed() -> Iterator[MigrationExecutor]:
    """The cases schema before the notice recorded its pause; fully migrated again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pauses_at_migration", [True, False])
def test_existing_notices_take_their_policys_value_at_migration_time(
    takedown: Takedown, pauses_at_migration: bool, request: Any
) -> None:
    kcsc, us = takedown.kcsc_notice.pk, takedown.us_notice.pk
    request.getfixturevalue("notice_field_removed")
    # The row itself, not the service: today's services (and the receivers of the signal a
    # policy change sends) read today's cases tables, which the old schema lacks.
    DeadlinePolicy.objects.filter(platform__name="Telegram", jurisdiction="KR").update(
        clock_pauses_for_info=pauses_at_migration
    )
    _migrate_forward()
    assert Notice.objects.get(pk=kcsc).clock_pauses_for_info is pauses_at_migration
    assert Notice.objects.get(pk=us).clock_pauses_for_info is False


def test_the_demos_report_is_unchanged_by_a_later_policy_change(db: None) -> None:
    """The demo's notices record their (non-pausing) policies; flipping every policy afterwards
    to pause leaves its report exactly as it was, including the item waiting for KCSC."""
    call_command("demo", no_serve=True, stdout=StringIO())
    as_of = timezone.now()
    start, end = as_of - timedelta(days=1), as_of + timedelta(days=1)
    before = compliance_report(start=start, end=end, as_of=as_of)
    notices = list(Notice.objects.select_related("platform"))
    assert notices and not any(n.clock_pauses_for_info for n in notices)
    for policy in DeadlinePolicy.objects.select_related("platform"):
        rule = DeadlineRule(
            policy.jurisdiction,
            policy.hours,
            policy.urgent_hours,
            policy.legal_basis,
            clock_pauses_for_info=True,
        )
        deadline_policy_set(platform=policy.platform, rule=rule, actor="test")
    after = compliance_report(start=start, end=end, as_of=as_of)
    assert after == before
    telegram = next(r for r in after if r.platform == "Telegram")
    assert (telegram.items_received, telegram.items_due, telegram.items_clock_paused) == (25, 25, 0)
    assert "Telegram  all   25        24     23       22" in as_table(after)


@pytest.mark.parametrize("kr_pauses", [True, False])
def test_the_api_shows_the_notices_own_setting_after_a_policy_change(
    takedown: Takedown, kr_pauses: bool, call_api: ApiCaller
) -> None:
    set_kr_policy(pauses=not kr_pauses)
    status, notice = call_api("telegram_mod", "get", f"/notices/{takedown.kcsc_notice.pk}")
    assert status == 200, notice
    assert notice["clock_pauses_for_info"] is kr_pauses
