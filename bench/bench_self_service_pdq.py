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
  const totals = [], hashes = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const bitmap = await createImageBitmap(blob, {imageOrientation: "from-image",
      colorSpaceConversion: "none", premultiplyAlpha: "none"});
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const decoded = performance.now();
    result = self.hotlinePdq.pdqFromRgba(pixels, bitmap.width, bitmap.height);
    const end = performance.now();
    bitmap.close();
    totals.push(end - start);
    hashes.push(end - decoded);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return [result.hex, result.quality, median(totals), median(hashes)];
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
        print(
            "| image | browser ms (of it PDQ) | Python ms | ratio | bits vs C++ | bits vs Python | quality |"
        )
        print("|---|---|---|---|---|---|---|")
        for name, data, row in inputs:
            hex_, quality, ms, hash_ms = page.evaluate(
                TIMED, [base64.b64encode(data).decode(), REPEATS]
            )
            py_hex, py_ms = python_ms(data)
            cpp = str(hamming(hex_, row["pdq_hex"])) if row else "—"
            print(
                f"| {name} | {ms:.1f} ({hash_ms:.1f}) | {py_ms:.1f} | {ms / py_ms:.1f}x | {cpp} | "
                f"{hamming(hex_, py_hex)} | {quality} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
