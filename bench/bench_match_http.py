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

`--prepared DIR` keeps the data directory (and, on SQLite, its database) for later runs, since
a 10M bank's setup takes many minutes; `--setup-only` prepares it and stops. `--code DIR`
twice serves two checkouts side by side on the same data, their rounds alternating.

Not part of the test suite. Run from the repository root:
    .venv/bin/python -m bench.bench_match_http [--n 1000000] [--workers 2] [--clients 4]
        [--seconds 10] [--rounds 3] [--db postgres://postgres@127.0.0.1:5432/hotline_bench]
        [--prepared DIR [--setup-only]] [--code DIR [--code DIR]]
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

from bench.bench_bank_scale import start_workers, write_csv  # noqa: E402
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


def _client(args: tuple[str, str, list[str], float, int]) -> tuple[list[float], int, int, float]:
    """One closed-loop client on one kept-alive connection (http.client: httpx's own cost per
    call, on the same two cores as the server, would be measured instead of the server's);
    with its own CPU seconds."""
    base, token, known, stop, seed = args
    cpu = time.process_time()
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
    return latencies, bad, hit, time.process_time() - cpu


def single(
    base: str, token: str, known: list[str], clients: int, seconds: float, master: int
) -> dict[str, Any]:
    """Clients in processes of their own, so that they do not share one interpreter's lock.

    Besides the rate, the CPU each call cost the server's workers and the clients: on a machine
    shared with other jobs the rate is what was left over, while CPU per call is the code's
    own, and two idle cores would serve about 2 / (server + client CPU per call) calls/s."""
    stop = time.time() + seconds
    began = time.monotonic()
    server_cpu = workers_cpu_s(master)
    with multiprocessing.Pool(clients) as pool:
        answers = pool.map(_client, [(base, token, known, stop, n) for n in range(clients)])
    took = time.monotonic() - began
    server_cpu = workers_cpu_s(master) - server_cpu
    latencies = [x for a in answers for x in a[0]]
    calls = max(len(latencies), 1)
    return {
        "clients": clients,
        "calls": len(latencies),
        "calls_per_s": round(len(latencies) / took),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "non_200": sum(a[1] for a in answers),
        "calls_with_a_match": sum(a[2] for a in answers),
        "server_cpu_us_per_call": round(server_cpu / calls * 1e6),
        "client_cpu_us_per_call": round(sum(a[3] for a in answers) / calls * 1e6),
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
# A fresh process faults the snapshot's pages in on its first searches (the server's workers
# are warm): two full batches first, so that the raw rate is not the page faults'.
for _ in range(2):
    snap.index.query_batch(rng.integers(0, 256, ({size}, 32), dtype=np.uint8), bank.threshold)
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


def prepare(var: Path, n: int, db: str) -> dict[str, Any]:
    """The demo, an N-row `known-content` bank and its snapshot in `var`; what the runs need
    (tokens, keys, a few of the bank's hashes) is written to var/prepared.json."""
    env = env_for(db, var)
    if db != "sqlite":
        ensure_postgres_database(db)
    started = time.monotonic()
    env["HOTLINE_SECRET_KEY"] = SECRET_KEY
    tokens = load_demo(env)
    env.update(keys_env(var))
    csv = var / "bank.csv"
    known = write_csv(csv, n)
    cli = [HOTLINE, "bank"]
    subprocess.run(
        [*cli, "import", "known-content", str(csv)], env=env, check=True, capture_output=True
    )
    subprocess.run([*cli, "snapshot", "known-content"], env=env, check=True, capture_output=True)
    csv.unlink()
    prepared = {"n": n, "db": db, "tokens": tokens, "known": known,
                "setup_s": round(time.monotonic() - started)}  # fmt: skip
    (var / "prepared.json").write_text(json.dumps(prepared))
    return prepared


SECRET_KEY = "bench-match-" + "k" * 40


def keys_env(var: Path) -> dict[str, str]:
    # The demo made its keys in the data directory; the bank commands and servers use them.
    return {
        "HOTLINE_SECRET_KEY": SECRET_KEY,
        "HOTLINE_ENCRYPTION_KEY_FILE": str(var / "demo-encryption-key"),
        "HOTLINE_AUDIT_SIGNING_KEY_FILE": str(var / "demo-audit-signing-key.pem"),
    }


def worker_pids(master: int) -> list[str]:
    return Path(f"/proc/{master}/task/{master}/children").read_text().split()


def process_memory(pid: int | str) -> dict[str, int]:
    """One process's resident and transparent-huge-page memory (MiB), and the part of its PSS
    that is the bank snapshot's mapped files: a worker whose index lies in small pages pays
    TLB misses on every search."""
    fields: dict[str, int] = {}
    snapshot_pss = 0
    in_snapshot = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        name, _, rest = line.partition(":")
        if rest.endswith(" kB") and " " not in name:  # "Pss:   123 kB"
            kib = int(rest.split()[0])
            fields[name] = fields.get(name, 0) + kib
            if name == "Pss" and in_snapshot:
                snapshot_pss += kib
        elif "-" in line.split(" ", 1)[0]:  # a mapping's first line: "7f00-7f80 r--s ... path"
            in_snapshot = "/snapshots/" in line
    return {
        "rss_mib": fields.get("Rss", 0) // 1024,
        "pss_mib": fields.get("Pss", 0) // 1024,  # a page shared by k processes counts 1/k
        "snapshot_pss_mib": snapshot_pss // 1024,
        "anon_huge_mib": fields.get("AnonHugePages", 0) // 1024,
    }


def server_memory(master: int) -> dict[str, Any]:
    """Each worker's memory, the master's (which holds the preloaded libraries the workers
    share), and their PSS together."""
    workers = [process_memory(pid) for pid in worker_pids(master)]
    own = process_memory(master)
    total = own["pss_mib"] + sum(w["pss_mib"] for w in workers)
    return {"workers": workers, "master": own, "pss_mib_total": total}


def workers_cpu_s(master: int) -> float:
    """User + system CPU seconds of the server's worker processes so far."""
    ticks = 0
    for pid in worker_pids(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


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
        action="append",
        help="serve another checkout's hotline (e.g. `git worktree add` of an older commit); "
        "twice for an A/B in one run, the checkouts' rounds alternating (default: this one); "
        "DIR:NAME=VALUE,... adds settings to that server's environment "
        "(e.g. .:HOTLINE_LEAN_MATCH=off)",
    )
    parser.add_argument(
        "--prepared",
        type=Path,
        help="a data directory to set up once (demo, bank, snapshot) and reuse in later runs; "
        "--n and --db are then the prepared ones",
    )
    parser.add_argument("--setup-only", action="store_true", help="prepare, then stop")
    parser.add_argument(
        "--cold-start",
        action="store_true",
        help="instead of serving: 1, then 4 fresh processes each answer one match on the "
        "prepared bank (seconds to the first answer, PSS together)",
    )
    args = parser.parse_args()
    codes: list[str] = args.code or [str(ROOT)]
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        var = args.prepared.resolve() if args.prepared else Path(tmp)
        var.mkdir(parents=True, exist_ok=True)
        ready = var / "prepared.json"
        if ready.exists():
            prepared = json.loads(ready.read_text())
        else:
            prepared = prepare(var, args.n, args.db)
        if args.setup_only:
            print(json.dumps({k: v for k, v in prepared.items() if k != "tokens"}, indent=2))
            return
        db = prepared["db"]
        token, known = prepared["tokens"]["moderator"], prepared["known"]
        if args.cold_start:
            env = {**env_for(db, var), **keys_env(var), "BENCH_BANK": "known-content"}
            env["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
            print(json.dumps([start_workers(env, known[0], w) for w in (1, 4)], indent=2))
            return
        servers = []
        try:
            for n, code in enumerate(codes):
                where, _, extra = code.partition(":")
                checkout = Path(where).resolve()
                env = {**env_for(db, var, checkout), **keys_env(var)}
                env.update(item.split("=", 1) for item in extra.split(",") if item)
                process, base = start("serve", env, args.workers, var / f"serve-{n}.log", checkout)
                servers.append((code, env, process, base))
                single(base, token, known, args.clients, 2, process.pid)  # warm every worker
            singles, rounds = [], []
            for r in range(args.rounds):
                # The checkouts alternate, and swap order each round, so a neighbour's load on
                # a shared machine hits each alike.
                for code, _, process, base in servers if r % 2 == 0 else servers[::-1]:
                    before = load()
                    result = single(base, token, known, args.clients, args.seconds, process.pid)
                    singles.append({"round": r, "code": str(code), **result,
                                    "load_average_before": before, "load_average_after": load()})  # fmt: skip
            # Raw and HTTP batches alternate, so a neighbour's load hits both.
            for r in range(args.rounds):
                before = load()
                raw = raw_rate(servers[0][1], args.batches)
                row: dict[str, Any] = {"round": r, "raw_signals_per_s": raw["signals_per_s"],
                                       "raw_median_call_ms": raw["median_call_ms"]}  # fmt: skip
                for code, _, _, base in servers if r % 2 == 0 else servers[::-1]:
                    over_http = batch(base, token, args.batches)
                    row[str(code)] = {
                        "http_signals_per_s": over_http["signals_per_s"],
                        "http_median_call_ms": over_http["median_call_ms"],
                        "http_vs_raw": round(over_http["signals_per_s"] / raw["signals_per_s"], 2),
                    }
                row["load_average_before"], row["load_average_after"] = before, load()
                rounds.append(row)
            memory = {str(code): server_memory(process.pid) for code, _, process, _ in servers}
        finally:
            for _, _, process, _ in servers:
                process.terminate()
                process.wait(30)
    medians = {}
    for code in codes:
        ratios = sorted(r[str(code)]["http_vs_raw"] for r in rounds)
        medians[str(code)] = ratios[len(ratios) // 2]
    print(
        json.dumps(
            {
                "bank_entries": prepared["n"],
                "database": "sqlite" if db == "sqlite" else "postgresql",
                "workers": args.workers,
                "cores": len(os.sched_getaffinity(0)),
                "setup_s": prepared["setup_s"],
                "single": singles,
                "batches_of_1000": rounds,
                "batch_vs_raw_median": medians,
                "workers_memory": memory,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
