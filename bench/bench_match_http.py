"""Matching over HTTP: `/api/match` under `hotline serve` against the raw in-process index, on
the same bank and the same cores, in the same run (docs/benchmarks.md, "Matching over HTTP").

It loads the demo (for a moderator's token), imports N random PDQ hashes into the
`known-content` bank, snapshots it (so every worker memory-maps one copy), starts
`hotline serve`, and measures:

- single: closed-loop clients on loopback, each on one kept-alive connection, sending
  single-signal calls (a random hash; one in ten a hash of the bank) for a few seconds:
  calls/s, p50, p99;
- batch: calls of 1,000 random signals, one client: signals/s, against
- raw: HammingIndex.query_batch on the snapshot's index in a process of its own, 1,000 random
  hashes at a time, at the bank's threshold: signals/s (no HTTP, no database, no JSON);
  raw and batch alternate for a few rounds, so a neighbour's load hits both.

Not part of the test suite. Run from the repository root:
    .venv/bin/python -m bench.bench_match_http [--n 1000000] [--workers 2] [--clients 4]
        [--seconds 10] [--rounds 3] [--db postgres://postgres@127.0.0.1:5432/hotline_bench]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = str(Path(sys.executable).with_name("hotline"))
sys.path.insert(0, str(ROOT))

from bench.bench_bank_scale import write_csv  # noqa: E402
from bench.bench_serve import ensure_postgres_database, load_demo, start  # noqa: E402


def env_for(db: str, var: Path, code: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(code),
        HOTLINE_VAR_DIR=str(var),
        HOTLINE_SECURE_COOKIES="off",
        HOTLINE_INDEX_SNAPSHOT_DIR=str(var / "snapshots"),
    )
    if db != "sqlite":
        env["DATABASE_URL"] = db
    return env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def random_hex(rng: random.Random) -> str:
    return rng.randbytes(32).hex()


def _client(args: tuple[str, str, list[str], float, int]) -> tuple[list[float], int, int]:
    """One closed-loop client on one kept-alive connection (http.client: httpx's own cost per
    call, on the same two cores as the server, would be measured instead of the server's)."""
    base, token, known, stop, seed = args
    rng = random.Random(seed)
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    bad = hit = 0
    while time.time() < stop:
        value = rng.choice(known) if rng.random() < 0.1 else random_hex(rng)
        body = json.dumps({"signals": [{"type": "pdq", "value": value, "quality": 90}]})
        started = time.perf_counter()
        connection.request("POST", "/api/match", body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        latencies.append(time.perf_counter() - started)
        if answer.status != 200:
            bad += 1
        elif json.loads(data)[0]["matches"]:
            hit += 1
    connection.close()
    return latencies, bad, hit


def single(base: str, token: str, known: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Clients in processes of their own, so that they do not share one interpreter's lock."""
    stop = time.time() + seconds
    began = time.monotonic()
    with multiprocessing.Pool(clients) as pool:
        answers = pool.map(_client, [(base, token, known, stop, n) for n in range(clients)])
    took = time.monotonic() - began
    latencies = [x for a in answers for x in a[0]]
    return {
        "clients": clients,
        "calls": len(latencies),
        "calls_per_s": round(len(latencies) / took),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "non_200": sum(a[1] for a in answers),
        "calls_with_a_match": sum(a[2] for a in answers),
    }


def batch(base: str, token: str, calls: int, size: int = 1000) -> dict[str, Any]:
    rng = random.Random(7)
    headers = {"Authorization": f"Bearer {token}"}
    took: list[float] = []
    with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
        for _ in range(calls + 1):
            body = {
                "signals": [
                    {"type": "pdq", "value": random_hex(rng), "quality": 90} for _ in range(size)
                ]
            }
            started = time.perf_counter()
            answer = c.post("/api/match", json=body)
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text[:300]
    took = took[1:]  # the first call pays the worker's first use of the batch path
    return {
        "calls": calls,
        "signals_per_call": size,
        "median_call_ms": round(sorted(took)[len(took) // 2] * 1000),
        "signals_per_s": round(size * len(took) / sum(took)),
    }


def raw_rate(env: dict[str, str], calls: int, size: int = 1000) -> dict[str, Any]:
    """The same bank's snapshot index, queried in a child process with the server's settings."""
    code = f"""
import json, time, numpy as np, django
django.setup()
from hotline.banks.models import Bank
from hotline.banks import snapshots
bank = Bank.objects.get(name="known-content")
snap = snapshots.snapshot_open(bank)
rng = np.random.default_rng(7)
snap.index.query_batch(rng.integers(0, 256, (10, 32), dtype=np.uint8), bank.threshold)
took = []
for _ in range({calls}):
    q = rng.integers(0, 256, ({size}, 32), dtype=np.uint8)
    t = time.perf_counter(); snap.index.query_batch(q, bank.threshold)
    took.append(time.perf_counter() - t)
print(json.dumps({{"signals_per_s": round({size} * len(took) / sum(took)),
                  "median_call_ms": round(sorted(took)[len(took) // 2] * 1000, 1)}}))
"""
    env = {**env, "DJANGO_SETTINGS_MODULE": "hotline.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batches", type=int, default=5, help="calls of 1,000 per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="serve another checkout's hotline (e.g. `git worktree add` of an older commit)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        var = Path(tmp)
        env = env_for(args.db, var, args.code)
        if args.db != "sqlite":
            ensure_postgres_database(args.db)
        setup_started = time.monotonic()
        env["HOTLINE_SECRET_KEY"] = "bench-match-" + "k" * 40
        tokens = load_demo(env)
        # The demo made its keys in the data directory; the bank commands and servers use them.
        env["HOTLINE_ENCRYPTION_KEY_FILE"] = str(var / "demo-encryption-key")
        env["HOTLINE_AUDIT_SIGNING_KEY_FILE"] = str(var / "demo-audit-signing-key.pem")
        csv = var / "bank.csv"
        known = write_csv(csv, args.n)
        cli = [HOTLINE, "bank"]
        subprocess.run(
            [*cli, "import", "known-content", str(csv)], env=env, check=True, capture_output=True
        )
        subprocess.run(
            [*cli, "snapshot", "known-content"], env=env, check=True, capture_output=True
        )
        setup_s = time.monotonic() - setup_started
        process, base = start("serve", env, args.workers, var / "serve.log")
        try:
            token = tokens["moderator"]
            single(base, token, known, args.clients, 2)  # warm every worker's bank index
            load_before = os.getloadavg()
            singles = single(base, token, known, args.clients, args.seconds)
            # Raw and HTTP batches alternate, so a neighbour's load on a shared machine hits both.
            rounds = []
            for _ in range(args.rounds):
                raw = raw_rate(env, args.batches)
                over_http = batch(base, token, args.batches)
                rounds.append({"raw_signals_per_s": raw["signals_per_s"],
                               "http_signals_per_s": over_http["signals_per_s"],
                               "http_median_call_ms": over_http["median_call_ms"],
                               "raw_median_call_ms": raw["median_call_ms"]})  # fmt: skip
            load_after = os.getloadavg()
        finally:
            process.terminate()
            process.wait(30)
        ratios = sorted(r["http_signals_per_s"] / r["raw_signals_per_s"] for r in rounds)
    print(
        json.dumps(
            {
                "bank_entries": args.n,
                "code": str(args.code),
                "database": "sqlite" if args.db == "sqlite" else "postgresql",
                "workers": args.workers,
                "cores": len(os.sched_getaffinity(0)),
                "setup_s": round(setup_s),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
                "single": singles,
                "batches_of_1000": rounds,
                "batch_vs_raw_median": round(ratios[len(ratios) // 2], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
