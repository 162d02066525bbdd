"""Bank writes, import and snapshots at scale, on SQLite or PostgreSQL (docs/benchmarks.md).

Run from the repository root, with the usual HOTLINE_* keys set (see `make demo`):

    .venv/bin/python -m bench.bench_bank_scale --n 1000000 --db sqlite
    .venv/bin/python -m bench.bench_bank_scale --n 1000000 \
        --db postgres://postgres@127.0.0.1:5432/hotline_bench
    .venv/bin/python -m bench.bench_bank_scale --n 10000000 --tables-only
    .venv/bin/python -m bench.bench_bank_scale --n 10000000 --db sqlite --import-only

It makes a fresh database (SQLite: a temporary file; PostgreSQL: drops and creates the one
named), then measures, printing one JSON object:

- import: `import_rows` of N PDQ hashes from a CSV file (rows/s, peak RSS of the process),
  against a plain COPY of the same rows into a bare table (PostgreSQL) and FAISS
  IndexBinaryFlat.add of the same hashes (memory only, no durability);
- writes: adding one hash and removing one entry in the N bank (ms, median of 20), and a
  match made while an add's transaction is held open in another process;
- snapshots: `hotline bank snapshot` time and size; then W fresh processes (1 and 4) that
  each answer one match: seconds to the first answer, and their memory together (PSS,
  which counts a page shared by k processes as 1/k in each), with and without a snapshot.

`--import-only` stops after the import and the single adds and removes (no peers, no held
transaction, no snapshots or worker processes: what a 10M run needs); `--code DIR` runs the
import and the writes with the code of another checkout (DIR, e.g. an export of main), so old
and new are measured by the same script in the same minutes.

`--tables-only` skips the database: it builds an index of N random hashes, saves its tables
and measures 1 and 4 fresh processes mapping them (time to the first answer, PSS together).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

RNG = np.random.default_rng(2026)
ROOT = Path(__file__).resolve().parents[1]
CODE = ROOT  # the checkout whose `hotline` the import and the writes run (--code)


def write_csv(path: Path, n: int) -> list[str]:
    """N random PDQ rows; returns a few of them for queries."""
    chunk = 200_000
    kept: list[str] = []
    with path.open("w") as f:
        for start in range(0, n, chunk):
            raw = RNG.integers(0, 256, (min(chunk, n - start), 32), dtype=np.uint8)
            flat = raw.tobytes().hex()
            lines = [flat[i : i + 64] for i in range(0, len(flat), 64)]
            kept += lines[:3]
            f.write("".join(f"pdq,{h},90\n" for h in lines))
    return kept


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_env(db: str, var: Path, snapshots: str) -> dict[str, str]:
    env = dict(os.environ)
    env["HOTLINE_VAR_DIR"] = str(var)
    env["HOTLINE_INDEX_SNAPSHOT_DIR"] = snapshots
    env["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = db
    return env


# --- the child processes -----------------------------------------------------------------


def worker_main(query: str) -> None:
    """A fresh process: seconds from start to its first match, then wait to be measured."""
    started = time.monotonic()
    import django

    django.setup()
    from hotline.banks.selectors import bank_match
    from hotline.banks.services import Signal

    bank = os.environ.get("BENCH_BANK", "big")  # bench_match_http's prepared bank is another
    rows = bank_match(signals=[Signal("pdq", query, 90)], bank_names=[bank])
    print(json.dumps({"first_match_s": time.monotonic() - started, "hits": len(rows[0])}))
    sys.stdout.flush()
    sys.stdin.read()


def holder_main(value: str) -> None:
    """Hold an add's transaction open until stdin closes."""
    import django

    django.setup()
    from django.db import transaction

    from hotline.banks.models import Bank
    from hotline.banks.services import Signal, bank_add

    with transaction.atomic():
        bank_add(
            bank=Bank.objects.get(name="big"), signals=[Signal("pdq", value, 90)],
            source="held", actor="bench",
        )  # fmt: skip
        print("held", flush=True)
        sys.stdin.read()


def start_workers(env: dict[str, str], query: str, count: int) -> dict[str, Any]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.bench_bank_scale", "--worker", query],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    answers = [json.loads(p.stdout.readline()) for p in procs if p.stdout]
    pss = sum(pss_kib(p.pid) for p in procs)
    rss = sum(rss_kib(p.pid) for p in procs)
    for p in procs:
        if p.stdin:
            p.stdin.close()
        p.wait(60)
    return {
        "workers": count,
        "first_match_s": [round(a["first_match_s"], 2) for a in answers],
        "hits": [a["hits"] for a in answers],
        "pss_mib_total": round(pss / 1024),
        "rss_mib_total": round(rss / 1024),
    }


# --- the parent -------------------------------------------------------------------------


def fresh_database(db: str, var: Path) -> None:
    if db != "sqlite":
        import psycopg

        name = db.rsplit("/", 1)[1]
        with psycopg.connect(db.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = child_env(db, var, "")
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "migrate", "-v0"], env=env, cwd=CODE, check=True
    )


def measure_import(db: str, var: Path, csv: Path, n: int) -> dict[str, Any]:
    env = child_env(db, var, "")
    cli = [sys.executable, "-m", "hotline.cli", "bank"]
    subprocess.run([*cli, "create", "big"], env=env, cwd=CODE, check=True, capture_output=True)
    started = time.monotonic()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", *cli, "import", "big", "--no-progress", str(csv)],
        env=env, cwd=CODE, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.monotonic() - started
    peak_kib, user_s, system_s = done.stderr.strip().splitlines()[-1].split()
    return {
        "rows": n,
        "seconds": round(seconds, 1),
        "rows_per_s": round(n / seconds),
        "peak_rss_mib": round(int(peak_kib) / 1024),
        # The import process's own CPU: the rest of the time it waits on the database.
        "client_cpu_s": round(float(user_s) + float(system_s), 1),
        "output": done.stdout.strip(),
    }


def measure_plain_copy(db: str, csv: Path, n: int) -> dict[str, Any] | None:
    if db == "sqlite":
        return None
    import psycopg

    with psycopg.connect(db) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE plain (signal_type text, value text, quality smallint)")
        started = time.monotonic()
        with csv.open() as f, cur.copy("COPY plain FROM STDIN (FORMAT csv)") as copy:
            while block := f.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 1), "rows_per_s": round(n / seconds)}


def measure_faiss(csv: Path, n: int) -> dict[str, Any]:
    import faiss

    faiss.omp_set_num_threads(1)
    started = time.monotonic()
    index = faiss.IndexBinaryFlat(256)
    with csv.open() as f:
        while lines := f.readlines(1 << 24):
            index.add(np.frombuffer(bytes.fromhex("".join(x[4:68] for x in lines)), np.uint8)
                      .reshape(-1, 32))  # fmt: skip
    seconds = time.monotonic() - started
    return {"seconds": round(seconds, 1), "rows_per_s": round(n / seconds), "parse_included": True}


def measure_writes(db: str, var: Path, query: str, held_match: bool = True) -> dict[str, Any]:
    env = child_env(db, var, "")
    os.environ.update({k: v for k, v in env.items() if k != "DATABASE_URL"})
    if db != "sqlite":
        os.environ["DATABASE_URL"] = db
    sys.path.insert(0, str(CODE))
    import django

    django.setup()
    from hotline.banks.models import Bank
    from hotline.banks.services import Signal, bank_add, bank_remove

    bank = Bank.objects.get(name="big")
    adds, removes = [], []
    for _ in range(20):
        value = RNG.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()
        started = time.perf_counter()
        entry = bank_add(bank=bank, signals=[Signal("pdq", value, 90)], source="w", actor="b")
        adds.append(time.perf_counter() - started)
        started = time.perf_counter()
        bank_remove(bank=bank, entry_ids=[entry[0].pk], actor="b")
        removes.append(time.perf_counter() - started)
    out: dict[str, Any] = {
        "add_one_ms_median": round(statistics.median(adds) * 1000, 1),
        "remove_one_ms_median": round(statistics.median(removes) * 1000, 1),
        "add_one_ms_max": round(max(adds) * 1000, 1),
        "remove_one_ms_max": round(max(removes) * 1000, 1),
    }
    if not held_match:
        return out
    held = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_bank_scale", "--hold", query[::-1]],
        env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert held.stdout and held.stdin and held.stdout.readline().strip() == "held"
    started = time.monotonic()
    during = subprocess.run(
        [sys.executable, "-m", "bench.bench_bank_scale", "--worker", query],
        env=env, cwd=ROOT, input="", capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    waited = time.monotonic() - started
    still_held = held.poll() is None
    held.stdin.close()
    held.wait(60)
    return {
        **out,
        "match_process_during_open_add_s": round(waited, 2),
        "add_still_uncommitted_when_match_answered": still_held,
        "match_answer": json.loads(during.stdout.splitlines()[0]) if during.stdout else None,
    }


def tables_child(folder: str, query: str) -> None:
    """A fresh process that maps the tables and answers one query (no Django, no database)."""
    started = time.monotonic()
    from hotline.hashing.index import HammingIndex

    index = HammingIndex.open_tables(folder)
    hits = index.query(query, 31)
    print(json.dumps({"first_match_s": time.monotonic() - started, "hits": len(hits)}))
    sys.stdout.flush()
    sys.stdin.read()


def tables_only(n: int) -> dict[str, Any]:
    """The snapshot files alone at size N: build, save, then 1 and 4 processes mapping them."""
    from hotline.hashing.index import HammingIndex, hashes_to_hex

    work = Path(tempfile.mkdtemp(prefix="bench-bank-tables-"))
    hashes = RNG.integers(0, 2**64, (n, 4), dtype=np.uint64)
    started = time.monotonic()
    index = HammingIndex(expected_size=n)
    index.add(np.arange(n, dtype=np.int64), hashes)
    built = time.monotonic() - started
    started = time.monotonic()
    index.save_tables(work / "tables")
    saved = time.monotonic() - started
    query = hashes_to_hex(hashes[:1])[0]
    del index, hashes
    out: dict[str, Any] = {"n": n, "build_s": round(built, 1), "save_s": round(saved, 1)}
    out["mib"] = round(sum(p.stat().st_size for p in (work / "tables").iterdir()) / 2**20)
    runs = []
    for count in (1, 4):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.bench_bank_scale",
                    "--tables-child",
                    str(work / "tables"),
                    query,
                ],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]
        answers = [json.loads(p.stdout.readline()) for p in procs if p.stdout]
        runs.append(
            {
                "processes": count,
                "first_match_s": [round(a["first_match_s"], 2) for a in answers],
                "hits": [a["hits"] for a in answers],
                "pss_mib_total": round(sum(pss_kib(p.pid) for p in procs) / 1024),
            }
        )
        for p in procs:
            if p.stdin:
                p.stdin.close()
            p.wait(60)
    out["processes"] = runs
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgres:// URL")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--hold", help=argparse.SUPPRESS)
    parser.add_argument("--tables-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--tables-only", action="store_true", help="only the snapshot files at --n, no database"
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="only the import and single adds and removes (no peers, snapshots or workers)",
    )
    parser.add_argument("--code", help="run the import and writes with this checkout's hotline")
    args = parser.parse_args()
    if args.code:
        global CODE
        CODE = Path(args.code).resolve()
    if args.tables_child:
        tables_child(*args.tables_child)
        return
    if args.tables_only:
        print(json.dumps(tables_only(args.n), indent=2))
        return
    if args.worker:
        worker_main(args.worker)
        return
    if args.hold:
        holder_main(args.hold)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-bank-scale-"))
    var, snapshots = work / "var", work / "snapshots"
    var.mkdir()
    csv = work / "bank.csv"
    queries = write_csv(csv, args.n)
    fresh_database(args.db, var)
    out: dict[str, Any] = {"n": args.n, "db": "sqlite" if args.db == "sqlite" else "postgresql"}
    out["load_average_at_start"] = os.getloadavg()
    out["code"] = str(CODE)
    out["import"] = measure_import(args.db, var, csv, args.n)
    if args.import_only:
        csv.unlink()
        out["writes"] = measure_writes(args.db, var, queries[0], held_match=False)
        out["load_average_at_end"] = os.getloadavg()
        print(json.dumps(out, indent=2))
        return
    out["plain_copy"] = measure_plain_copy(args.db, csv, args.n)
    out["faiss_binary_flat_add"] = measure_faiss(csv, args.n)
    csv.unlink()
    out["writes"] = measure_writes(args.db, var, queries[0])
    no_snapshot = child_env(args.db, var, "")
    out["workers_without_snapshot"] = [start_workers(no_snapshot, queries[1], w) for w in (1, 4)]
    with_snapshot = child_env(args.db, var, str(snapshots))
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "bank", "snapshot", "big"],
        env=with_snapshot, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    out["snapshot"] = {
        "write_s": round(time.monotonic() - started, 1),
        "mib": round(sum(p.stat().st_size for p in snapshots.rglob("*.npy")) / 2**20),
    }
    out["workers_with_snapshot"] = [start_workers(with_snapshot, queries[2], w) for w in (1, 4)]
    out["load_average_at_end"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
