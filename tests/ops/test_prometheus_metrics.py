"""/metrics: behind a bearer token, database figures read at scrape, nothing per organisation."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from hotline.cases.models import Item, ItemCheck
from hotline.core import clock
from hotline.core.heartbeat import heartbeat_beat
from hotline.delivery.models import Delivery
from tests.api.conftest import World
from tests.conftest import Directory

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_token(settings: object) -> str:
    settings.HOTLINE_METRICS_TOKEN = TOKEN  # type: ignore[attr-defined]
    return TOKEN


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_metrics_are_off_without_a_configured_token(db: None) -> None:
    response = Client().get("/metrics")
    assert response.status_code == 403
    assert "HOTLINE_METRICS_TOKEN" in response.json()["message"]


@pytest.mark.parametrize("authorization", ["", "Bearer wrong", f"Basic {TOKEN}", TOKEN + "x"])
def test_metrics_refuse_a_missing_or_wrong_token(
    db: None, metrics_token: str, authorization: str
) -> None:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_database_figures_are_read_at_scrape_time(metrics_token: str, world: World) -> None:
    pending_notices = Delivery.objects.filter(kind="notice", status="pending").count()
    assert pending_notices == 2  # world: one notice to Telegram, one to X, not yet relayed
    Delivery.objects.filter(kind="notice").update(created_at=clock.now() - timedelta(hours=2))
    item = Item.objects.get(pk=world.telegram_item)
    for verdict in ("gone", "gone", "present"):
        ItemCheck.objects.create(
            item=item, checked_at=clock.now(), url=item.url, verdict=verdict, reason="test"
        )
    heartbeat_beat(name="host:1", started_at=clock.now(), database_outages=3)

    samples = scrape()
    assert samples["hotline_database_up", ()] == 1
    assert samples["hotline_outbox_deliveries", (("kind", "notice"), ("status", "pending"))] == 2
    age = samples["hotline_oldest_undelivered_notice_age_seconds", ()]
    assert 2 * 3600 <= age < 3 * 3600
    verdicts = {"gone": 2.0, "present": 1.0}
    for verdict, n in verdicts.items():
        assert samples["hotline_verification_checks_total", (("verdict", verdict),)] == n
    assert samples["hotline_worker_database_outages_total", ()] == 3
    assert 0 <= samples["hotline_worker_heartbeat_age_seconds", ()] < 60
    ready = {k: v for k, v in samples.items() if k[0] == "hotline_task_queue_ready"}
    assert ready, "filing a request queues its follow-up tasks"
    assert all(dict(labels)["task"].startswith("hotline.") for _, labels in ready)

    Delivery.objects.filter(kind="notice").update(status="sent", sent_at=clock.now())
    after = scrape()
    assert after["hotline_oldest_undelivered_notice_age_seconds", ()] == 0
    assert after["hotline_outbox_deliveries", (("kind", "notice"), ("status", "sent"))] == 2


def test_requests_are_counted_and_timed_by_route_name_and_status(
    metrics_token: str, directory: Directory
) -> None:
    def count(route: str, status: str) -> float:
        key = (
            "hotline_http_requests_total",
            (("method", "GET"), ("route", route), ("status", status)),
        )
        return scrape().get(key, 0.0)

    before_ok, before_401 = count("healthz", "200"), count("api-1:me", "401")
    Client().get("/healthz")
    Client().get("/api/me")
    Client().get(f"/api/notices/{10**9}")  # ids never become labels
    assert count("healthz", "200") == before_ok + 1
    assert count("api-1:me", "401") == before_401 + 1
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "hotline_http_request_duration_seconds_bucket" in text
    # In no label; a sample may hold the digits (process_cpu_seconds_total 116.91000000000001).
    labels = re.findall(r'="([^"]*)"', text)
    assert labels and not [value for value in labels if str(10**9) in value]


def test_metrics_name_no_organisation_platform_or_case(metrics_token: str, world: World) -> None:
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content.decode()
    for name in ("KCSC", "Centre A", "Telegram", "telegram", "x.com", world.case_a, "t.me"):
        assert name not in text, name
