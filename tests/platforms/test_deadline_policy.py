"""Deadline policies are data: hours per jurisdiction and whether the clock pauses for info."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.audit.models import Event
from hotline.platforms.models import DeadlinePolicy


def policies() -> dict[str, tuple[int, int, bool]]:
    return {
        p.jurisdiction: (p.hours, p.urgent_hours, p.clock_pauses_for_info)
        for p in DeadlinePolicy.objects.filter(platform__name="Forum")
    }


@pytest.mark.django_db
def test_create_records_which_jurisdictions_pause_the_clock() -> None:
    out = StringIO()
    call_command(
        "platform",
        "create",
        "--name",
        "Forum",
        "--host",
        "forum.example",
        "--deadline",
        "KR:24:6:KR law",
        "--deadline",
        "US:48:48",
        "--clock-pauses-for-info",
        "us",
        stdout=out,
    )
    assert policies() == {"KR": (24, 6, False), "US": (48, 48, True)}
    event = Event.objects.filter(tag="platform:deadline_set").order_by("seq").last()
    assert event is not None and event.payload["clock_pauses_for_info"] is True
    listed = StringIO()
    call_command("platform", "list", stdout=listed)
    assert "KR:24h/6h,US:48h/48h(pauses for info)" in listed.getvalue()


@pytest.mark.django_db
def test_deadline_changes_a_policy_and_audits_it() -> None:
    call_command(
        "platform", "create", "--name", "Forum", "--deadline", "KR:24:6", stdout=StringIO()
    )
    out = StringIO()
    call_command(
        "platform",
        "deadline",
        "--name",
        "Forum",
        "--deadline",
        "KR:24:12",
        "--clock-pauses-for-info",
        "KR",
        stdout=out,
    )
    assert "Forum: KR:24h/12h(pauses for info)" in out.getvalue()
    assert policies() == {"KR": (24, 12, True)}
    assert Event.objects.filter(tag="platform:deadline_set").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--deadline", "KR:24:6", "--clock-pauses-for-info", "US"], "no --deadline for that"),
        (["--deadline", "KR:24"], "expected JURISDICTION:HOURS:URGENT_HOURS"),
        (
            ["--deadline", "KR:30:6", "--deadline", "US:12:24"],
            "urgent deadline must be",
        ),  # all or none
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(arguments: list[str], message: str) -> None:
    call_command(
        "platform", "create", "--name", "Forum", "--deadline", "KR:24:6", stdout=StringIO()
    )
    with pytest.raises(CommandError, match=message):
        call_command("platform", "deadline", "--name", "Forum", *arguments, stdout=StringIO())
    assert policies() == {"KR": (24, 6, False)}


@pytest.mark.django_db
def test_deadline_names_an_unknown_platform() -> None:
    with pytest.raises(CommandError, match="no platform named 'Nope'"):
        call_command("platform", "deadline", "--name", "Nope", "--deadline", "KR:1:1")
