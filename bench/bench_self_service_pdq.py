"""Benchmark: the /self/ page's in-browser PDQ (web/static/web/pdq.js) in headless Chromium,
against hotline's Python PDQ in the same run, on every image of ../shared/testdata/pdq and on
generated photos of phone sizes; with agreement against Meta's C++ reference.

Run: .venv/bin/python bench/bench_self_service_pdq.py
"""

from __future__ import annotations

import base64
import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hashing")]

from media_factory import jpeg_bytes, shared_testdata  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from hotline.hashing.images import hash_image_bytes  # noqa: E402
from hotline.hashing.pdq import hamming  # noqa: E402

SCRIPT = ROOT / "hotline" / "web" / "static" / "web" / "pdq.js"
REPEATS = 3
TIMED = """async ([data, repeats]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const blob = new Blob([bytes]);
  let result = null;
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    result = await self.hotlinePdq.pdqOfBlob(blob);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return [result.hex, result.quality, times[Math.floor(times.length / 2)]];
}"""


def python_ms(data: bytes) -> tuple[str, float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        signals = hash_image_bytes(data)
        times.append((time.perf_counter() - start) * 1000)
    return signals.pdq.hex, statistics.median(times)


def main() -> None:
    rows = list(csv.DictReader((shared_testdata() / "pdq" / "expected-pdqhash.csv").open()))
    inputs = [(r["path"], (shared_testdata() / r["path"]).read_bytes(), r) for r in rows]
    for width, height in ((1280, 960), (4032, 3024)):  # a web photo; a 12 MP phone photo
        inputs.append((f"generated {width}x{height}", jpeg_bytes(width, height, seed=3), None))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(SCRIPT))
        print("| image | browser ms | Python ms | ratio | bits vs C++ | bits vs Python | quality |")
        print("|---|---|---|---|---|---|---|")
        for name, data, row in inputs:
            hex_, quality, ms = page.evaluate(TIMED, [base64.b64encode(data).decode(), REPEATS])
            py_hex, py_ms = python_ms(data)
            cpp = str(hamming(hex_, row["pdq_hex"])) if row else "—"
            print(
                f"| {name} | {ms:.1f} | {py_ms:.1f} | {ms / py_ms:.1f}× | {cpp} | "
                f"{hamming(hex_, py_hex)} | {quality} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
