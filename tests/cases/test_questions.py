"""Questions get answers, or the record shows who failed: age, reminder, escalation, task."""

from datetime import timedelta

from hotline.audit.models import Event
from hotline.cases.models import MessageKind, Notice
from hotline.cases.services.deadlines import notice_escalate_if_overdue, questions_remind_due
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act, message_post
from hotline.cases.workflow import ItemAction
from hotline.delivery.models import Delivery, Subscription
from hotline.platforms.models import Platform
from hotline.platforms.services import DeadlineRule, deadline_policy_set
from tests.conftest import ApiCaller, Directory
from tests.web.conftest import signed_in_client


def file_notice(directory: Directory) -> Notice:
    result = request_submit(
        actor=directory.actors["analyst"],
        data=RequestInput(
            category="sexual_deepfake",
            reasons="Sexual deepfakes of an identifiable woman, shared without consent.",
            items=[ItemInput(url="https://t.me/room/1"), ItemInput(url="https://t.me/room/2")],
            legal_bases=[],
        ),
    )
    return result.request.notices.get()


def test_an_unanswered_question_is_reminded_once_then_goes_with_the_escalation(
    directory: Directory, call_api: ApiCaller
) -> None:
    telegram = Platform.objects.get(name="Telegram")
    rule = DeadlineRule("KR", 24, 6, question_reminder_hours=4)
    deadline_policy_set(platform=telegram, rule=rule, actor="test")
    notice = file_notice(directory)
    assert notice.question_reminder_hours == 4  # fixed on the notice, like its deadline
    question = message_post(
        actor=directory.actors["analyst"],
        notice_id=notice.pk,
        kind=MessageKind.QUESTION,
        body="Did you keep the uploader's account details for the police?",
    )
    status, waiting = call_api("telegram_mod", "get", "/questions")
    assert status == 200 and [q["id"] for q in waiting] == [question.pk]
    status, thread = call_api("telegram_mod", "get", f"/notices/{notice.pk}/messages")
    assert status == 200 and thread[0]["age_seconds"] >= 0 and thread[0]["answered_at"] is None
    # Centre A reports the first room too: its item follows KCSC's.
    centre = request_submit(
        actor=directory.actors["caseworker_a"],
        data=RequestInput(
            category="sexual_deepfake",
            reasons="Sexual deepfakes of an identifiable woman, shared without consent.",
            items=[ItemInput(url="https://t.me/room/1")],
            legal_bases=[],
        ),
    ).request

    asked = question.created_at
    assert questions_remind_due(now=asked + timedelta(hours=3)) == 0
    assert questions_remind_due(now=asked + timedelta(hours=4, minutes=1)) == 1
    assert questions_remind_due(now=asked + timedelta(hours=5)) == 0  # once
    reminder = Delivery.objects.get(idempotency_key=f"reminder-{question.pk}")
    assert reminder.recipient == "hotline@telegram.example"
    assert "account details" in reminder.body
    assert Event.objects.filter(tag="message:reminder").count() == 1

    assert notice_escalate_if_overdue(notice_id=notice.pk, now=notice.deadline_at + timedelta(1))
    escalation = Delivery.objects.get(idempotency_key=f"escalation-{notice.pk}")
    assert escalation.recipient == "official@telegram.example"
    assert "still unanswered (1)" in escalation.body and "account details" in escalation.body
    assert escalation.payload["open_questions"] == [question.pk]
    # The reporter hears of the missed deadline too.
    status, news = call_api("analyst", "get", "/news")
    assert status == 200 and [n["kind"] for n in news] == ["escalation"]
    assert news[0]["facts"]["waiting"] == 2
    status, followed = call_api("caseworker_a", "get", "/news")
    assert status == 200 and [n["kind"] for n in followed] == ["escalation"]
    assert followed[0]["case_id"] == centre.case_id and followed[0]["notice_id"] is None
    assert notice.request.case_id not in str(followed)


def test_an_answered_question_is_not_reminded_and_its_age_stops(
    directory: Directory, call_api: ApiCaller
) -> None:
    telegram = Platform.objects.get(name="Telegram")
    deadline_policy_set(
        platform=telegram, rule=DeadlineRule("KR", 24, 6, question_reminder_hours=1), actor="t"
    )
    notice = file_notice(directory)
    question = message_post(
        actor=directory.actors["analyst"],
        notice_id=notice.pk,
        kind=MessageKind.QUESTION,
        body="Is the room closed?",
    )
    message_post(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        kind=MessageKind.ANSWER,
        body="Yes.",
        reply_to_id=question.pk,
    )
    assert questions_remind_due(now=question.created_at + timedelta(hours=2)) == 0
    status, thread = call_api("analyst", "get", f"/notices/{notice.pk}/messages")
    assert status == 200 and thread[0]["answered_at"] is not None
    assert call_api("telegram_mod", "get", "/questions") == (200, [])


def test_the_platforms_question_is_the_reporters_open_task_on_the_dashboard(
    directory: Directory,
) -> None:
    notice = file_notice(directory)
    item_act(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=notice.items.order_by("position").first().pk,  # type: ignore[union-attr]
        decision=ItemDecision(action=ItemAction.NEED_INFO, question="Which account posted it?"),
    )
    client = signed_in_client("analyst")
    page = client.get("/requests/").content.decode()
    assert "Questions waiting for your answer" in page and "Which account posted it?" in page
    assert "What changed since you last looked" in page and "1 new" in page
    response = client.post("/requests/news/seen/", {"through": "not a time"})
    assert response.status_code == 302
    page = client.get("/requests/").content.decode()
    assert "Nothing new since you last looked." in page
    assert "Which account posted it?" in page  # still open until answered
    # Another organisation's dashboard shows none of it.
    other = signed_in_client("caseworker_b").get("/requests/").content.decode()
    assert "Which account posted it?" not in other


def test_a_reporter_chooses_on_the_web_how_they_are_told(directory: Directory) -> None:
    client = signed_in_client("caseworker_a")
    assert client.get("/notifications/").status_code == 200
    refused = client.post("/notifications/", {"email": "not an address", "language": "ko"})
    assert refused.status_code == 200 and not Subscription.objects.exists()
    saved = client.post(
        "/notifications/", {"email": "me@centre-a.example", "language": "ko", "digest": "on"}
    )
    assert saved.status_code == 302
    mine = Subscription.objects.get()
    assert (mine.email, mine.language, mine.immediate, mine.digest) == (
        "me@centre-a.example",
        "ko",
        False,
        True,
    )
    assert mine.user_id == directory.actors["caseworker_a"].user_id
    assert signed_in_client("telegram_mod").get("/notifications/").status_code in (302, 403)
