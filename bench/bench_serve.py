"""`hotline serve` (gunicorn) against `hotline runserver` under a mixed API load, on SQLite and
PostgreSQL, in the same run.

Each database gets the demo's data (`hotline demo --reset --no-serve`), then each server in
turn serves it while a closed-loop load generator on loopback (a fixed number of threads, each
sending its next request when the last one answers) runs the mix below for a few seconds.
Recorded: requests/s, p50 and p99 latency, and non-2xx answers. Not part of the test suite.

Run from the repository root:
    .venv/bin/python bench/bench_serve.py [--seconds 5] [--clients 8] [--databases sqlite,postgres]
PostgreSQL: --postgres-url (default postgres://postgres@127.0.0.1:5432/hotline_package);
the database is created if missing and emptied by the demo.
"""

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hotline.core.serving import default_workers

HOTLINE = str(Path(sys.executable).with_name("hotline"))
REPO = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
TOKEN_LINE = re.compile(r"^\s+(\w+)\s+token: (hl_\S+)", re.MULTILINE)
RUNSERVER_PORT = 18640  # runserver cannot report an ephemeral port; 18600-18699 is ours
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def env_for(database_url: str | None, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(REPO), HOTLINE_VAR_DIR=str(var_dir), HOTLINE_SECURE_COOKIES="off")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def load_demo(env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        [HOTLINE, "demo", "--reset", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return dict(TOKEN_LINE.findall(done.stdout))


def start(
    kind: str, env: dict[str, str], workers: int, log: Path, cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server in `cwd` (default: here): gunicorn puts its working directory first on
    sys.path, ahead of PYTHONPATH, so that is the checkout whose hotline it serves."""
    if kind == "serve":
        argv = [HOTLINE, "serve", "--bind", "127.0.0.1:0", "--workers", str(workers)]
        # Every worker warms itself before it accepts (gunicorn_conf.post_worker_init).
    else:
        argv = [HOTLINE, "runserver", f"127.0.0.1:{RUNSERVER_PORT}", "--noreload"]
    with log.open("wb") as out:
        # runserver announces itself on stdout, gunicorn on stderr; access logs go with them.
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        ready = text.count("Worker ready")
        if kind == "serve" and (found := LISTENING.search(text)) and ready >= workers:
            base = f"http://127.0.0.1:{found.group(1)}"
        elif kind == "runserver" and "Quit the server" in text:
            base = f"http://127.0.0.1:{RUNSERVER_PORT}"
        else:
            if process.poll() is not None:
                raise SystemExit(f"{kind} exited:\n{text}")
            time.sleep(0.2)
            continue
        for _ in range(100):  # until the first request is answered (workers import lazily)
            try:
                httpx.get(f"{base}/login/", timeout=30)
                return process, base
            except httpx.TransportError:
                time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{kind} did not start:\n{log.read_text(errors='replace')}")


def request_body(n: int) -> dict[str, object]:
    return {
        "category": "sexual_deepfake",
        "reasons": "A sexual deepfake of an identifiable woman, shared without consent.",
        "items": [{"url": f"https://t.me/bench_room/{n}"}],
        "legal_bases": ["take_it_down"],
        "legal": {
            "signature": "/s/ Bench",
            "good_faith_statement": "not consensual",
            "contact": "bench@example.org",
        },
        "client_reference": f"bench-{n}",
    }


def mix(
    tokens: dict[str, str], notice_id: int
) -> list[tuple[str, int, Callable[[httpx.Client, int], httpx.Response]]]:
    moderator = {"Authorization": f"Bearer {tokens['moderator']}"}
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    match = {"signals": [{"type": "pdq", "value": PDQ, "quality": 90}]}
    return [  # (kind, weight, call)
        ("GET /api/notices", 35, lambda c, n: c.get("/api/notices", headers=moderator)),
        (
            "GET /api/notices/{id}",
            20,
            lambda c, n: c.get(f"/api/notices/{notice_id}", headers=moderator),
        ),
        ("GET /api/requests", 20, lambda c, n: c.get("/api/requests", headers=analyst)),
        ("POST /api/match", 15, lambda c, n: c.post("/api/match", json=match, headers=moderator)),
        (
            "POST /api/requests",
            10,
            lambda c, n: c.post("/api/requests", json=request_body(n), headers=analyst),
        ),
    ]


def drive(base: str, calls: list, seconds: float, clients: int, seed_base: int) -> Tally:
    tally = Tally()
    kinds = [k for k, _, _ in calls]
    weights = [w for _, w, _ in calls]
    stop_at = time.monotonic() + seconds
    counter = iter(range(seed_base, 10**9))
    counter_lock = threading.Lock()

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop_at:
                (index,) = rng.choices(range(len(calls)), weights)
                with counter_lock:
                    n = next(counter)
                began = time.perf_counter()
                try:
                    ok = calls[index][2](client, n).is_success
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - began
                with tally.lock:
                    tally.latencies.append(took)
                    tally.by_kind[kinds[index]] = tally.by_kind.get(kinds[index], 0) + 1
                    if not ok:
                        tally.failures[kinds[index]] = tally.failures.get(kinds[index], 0) + 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def measure(
    kind: str,
    env: dict[str, str],
    tokens: dict[str, str],
    args: argparse.Namespace,
    database: str,
    round_no: int,
    seed: int,
) -> dict[str, object]:
    var = Path(env["HOTLINE_VAR_DIR"])
    workers = args.workers or default_workers(len(os.sched_getaffinity(0)))
    process, base = start(kind, env, workers, var / f"{kind}-{round_no}.log")
    try:
        notice_id = httpx.get(
            f"{base}/api/notices",
            headers={"Authorization": f"Bearer {tokens['moderator']}"},
            timeout=60,
        ).json()[0]["id"]
        calls = mix(tokens, notice_id)
        drive(base, calls, 1.0, args.clients, seed_base=10**6 * seed + 900_000)  # warm-up
        tally = drive(base, calls, args.seconds, args.clients, seed_base=10**6 * seed)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {
        "database": database,
        "server": kind,
        "round": round_no,
        "requests": len(tally.latencies),
        "rps": len(tally.latencies) / args.seconds,
        "p50_ms": 1000 * percentile(tally.latencies, 0.50),
        "p99_ms": 1000 * percentile(tally.latencies, 0.99),
        "failures": tally.failures,
        "by_kind": tally.by_kind,
        "load_average": os.getloadavg()[0],
    }


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def summary(results: list[dict[str, object]], databases: list[str]) -> None:
    print("| database | server | round | requests/s | p50 ms | p99 ms | non-2xx | load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['database']} | {r['server']} | {r['round']} | {r['rps']:.1f} | "
            f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {sum(r['failures'].values())} | "
            f"{r['load_average']:.1f} |"
        )
    for database in databases:
        pooled = {}
        for kind in ("serve", "runserver"):
            rows = [r for r in results if r["database"] == database and r["server"] == kind]
            requests = sum(r["requests"] for r in rows)
            pooled[kind] = requests / (len(rows) * float(rows[0]["seconds"]))
        print(
            f"{database}: serve/runserver requests/s {pooled['serve'] / pooled['runserver']:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="serve's workers; 0: its default")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each server per database")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/hotline_package"
    )
    args = parser.parse_args()
    databases = args.databases.split(",")
    out_dir = REPO / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    for database in databases:
        var = Path(tempfile.mkdtemp(prefix=f"bench-serve-{database}-"))
        url = None
        if database == "postgres":
            url = args.postgres_url
            ensure_postgres_database(url)
        env = env_for(url, var)
        env["HOTLINE_SECRET_KEY"] = "bench-serve-" + "k" * 40  # both servers, one key
        tokens = load_demo(env)
        # Alternate the servers, so that a neighbour's load on a shared machine hits both.
        for round_no in range(args.rounds):
            order = ("serve", "runserver") if round_no % 2 == 0 else ("runserver", "serve")
            for kind in order:
                row = measure(kind, env, tokens, args, database, round_no, len(results))
                row["seconds"] = args.seconds
                results.append(row)
                print(json.dumps(row), flush=True)
    print(
        f"\n{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}, "
        f"{args.clients} clients, {args.seconds:g} s per run"
    )
    summary(results, databases)
    (out_dir / "bench_serve.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
