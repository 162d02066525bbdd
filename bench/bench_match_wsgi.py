"""One single-signal `/api/match` call's cost inside the process: hotline's WSGI application
called directly (no HTTP, no server), the lean path on and off (HOTLINE_LEAN_MATCH), rounds
alternating, on the data of a `bench_match_http --prepared DIR` (SQLite).

Not part of the test suite. Run from the repository root:
    .venv/bin/python -m bench.bench_match_wsgi --prepared DIR [--calls 2000] [--rounds 4]
"""

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_match_http import env_for, keys_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepared", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    var = args.prepared.resolve()
    prepared = json.loads((var / "prepared.json").read_text())
    os.environ.update({**env_for(prepared["db"], var), **keys_env(var)})
    from django.conf import settings

    from hotline.wsgi import application

    token = prepared["tokens"]["moderator"]
    rng = random.Random(3)

    def call(value: str) -> float:
        body = json.dumps({"signals": [{"type": "pdq", "value": value, "quality": 90}]}).encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/match",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        started = time.perf_counter()
        status: list[str] = []
        result = application(environ, lambda s, h, *_: status.append(s))
        b"".join(result)
        getattr(result, "close", lambda: None)()
        took = time.perf_counter() - started
        assert status == ["200 OK"], status
        return took

    def measure(lean: bool, known: bool) -> float:
        settings.HOTLINE_LEAN_MATCH = lean
        took = sorted(
            call(rng.choice(prepared["known"]) if known else rng.randbytes(32).hex())
            for _ in range(args.calls)
        )
        return round(took[len(took) // 2] * 1000, 3)

    for lean in (True, False):  # warm both paths (index, kernels, token cache)
        measure(lean, known=False)
    rows = []
    for r in range(args.rounds):
        before = [round(x, 2) for x in os.getloadavg()]
        row: dict[str, Any] = {"round": r, "load_average_before": before}
        for lean in (True, False) if r % 2 == 0 else (False, True):
            for known in (False, True):
                row[f"{'lean' if lean else 'django'}_{'hit' if known else 'miss'}_median_ms"] = (
                    measure(lean, known)
                )
        row["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        rows.append(row)
    print(json.dumps({"bank_entries": prepared["n"], "rounds": rows}, indent=2))


if __name__ == "__main__":
    main()
