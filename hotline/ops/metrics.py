"""Prometheus metrics: request counters kept in the process, database gauges read at scrape.

The database figures are computed by a collector each time /metrics is scraped, so every web
process reports the same truth whichever one Prometheus reaches. Request counters live in the
process; with several server processes set PROMETHEUS_MULTIPROC_DIR (docs/operations.md) and
they are summed across processes.
"""

import os
from collections.abc import Iterable, Iterator

from django.db import DatabaseError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from hotline.ops.selectors import OperationalFacts, operational_facts

REQUESTS = Counter(
    "hotline_http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "hotline_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class DatabaseCollector(Collector):
    """The outbox, the task queue, verification verdicts and worker heartbeats, from the DB."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("hotline_database_up", "1 if the database answered this scrape.")
        try:
            facts = operational_facts()
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily(
            "hotline_outbox_deliveries",
            "Deliveries in the outbox by status (pending, sent, failed) and kind.",
            labels=["status", "kind"],
        )
        for (status, kind), n in sorted(facts.deliveries.items()):
            outbox.add_metric([status, kind], n)
        yield outbox
        oldest = GaugeMetricFamily(
            "hotline_oldest_undelivered_notice_age_seconds",
            "Age of the oldest notice still pending in the outbox; 0 when none is.",
        )
        at = facts.oldest_pending_notice_at
        oldest.add_metric([], max(0.0, (facts.now - at).total_seconds()) if at else 0.0)
        yield oldest
        tasks = GaugeMetricFamily(
            "hotline_task_queue_ready",
            "Background tasks ready to run, by task and queue.",
            labels=["task", "queue"],
        )
        for (task, queue), n in sorted(facts.ready_tasks.items()):
            tasks.add_metric([task, queue], n)
        yield tasks
        checks = CounterMetricFamily(
            "hotline_verification_checks",
            "Verification checks ever made, by verdict (gone, present, inconclusive).",
            labels=["verdict"],
        )
        for verdict, n in sorted(facts.checks_by_verdict.items()):
            checks.add_metric([verdict], n)
        yield checks
        yield from _worker_metrics(facts)


def _worker_metrics(facts: OperationalFacts) -> Iterator[Metric]:
    age = GaugeMetricFamily(
        "hotline_worker_heartbeat_age_seconds",
        "Seconds since any worker last finished a round; -1 if none ever did.",
    )
    age.add_metric([], facts.heartbeat_age.total_seconds() if facts.heartbeat_age else -1)
    yield age
    seen = GaugeMetricFamily("hotline_workers_seen", "Worker processes that ever reported.")
    seen.add_metric([], facts.workers_seen)
    yield seen
    totals = facts.worker_totals
    for name, value, text in (
        ("rounds", totals.rounds, "Worker rounds finished, all workers together."),
        ("database_outages", totals.database_outages, "Database outages workers rode out."),
        ("delivery_failures", totals.delivery_failures, "Failed delivery attempts by workers."),
    ):
        counter = CounterMetricFamily(f"hotline_worker_{name}", text)
        counter.add_metric([], value)
        yield counter


def metrics_text() -> bytes:
    """The exposition text of one scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _ProcessRegistry(Collector):
    """This process's own metrics (requests, Python runtime), from the default registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
