"""Benchmark: the /self/ page's in-browser vPDQ (web/static/web/video.js) in headless Chromium,
against hotline's Python hash_video_file in the same run, on the H.264 videos of
../shared/testdata/vpdq; with the vPDQ match score between the two frame lists.

Run: .venv/bin/python bench/bench_self_service_vpdq.py
"""

from __future__ import annotations

import base64
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hashing")]

from media_factory import shared_testdata  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from hotline.hashing.video_match import match_videos  # noqa: E402
from hotline.hashing.videos import hash_video_file  # noqa: E402

STATIC = ROOT / "hotline" / "web" / "static" / "web"
REPEATS = 2
TIMED = """async ([data, repeats]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const file = new File([bytes], "clip.mp4", {type: "video/mp4"});
  let result = null;
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    result = await self.hotlineVideo.videoSignals(file);
    times.push(performance.now() - start);
  }
  return [result.frames.map((f) => [f.pdq, f.quality]), Math.min(...times)];
}"""


def python_seconds(path: Path) -> tuple[list[tuple[str, int]], float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        video = hash_video_file(path)
        times.append(time.perf_counter() - start)
    return [(f.pdq, f.quality) for f in video.frames], statistics.median(times)


def main() -> None:
    paths = sorted((shared_testdata() / "vpdq" / "videos").glob("*.mp4"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        # A page on localhost (answered here, nothing listens): a secure context, for WebCrypto.
        page.route("http://localhost/", lambda route: route.fulfill(body="<html></html>"))
        page.goto("http://localhost/")
        page.add_script_tag(path=str(STATIC / "pdq.js"))
        page.add_script_tag(path=str(STATIC / "video.js"))
        print("| video | frames | browser s | Python s | ratio | match % (browser→Python, back) |")
        print("|---|---|---|---|---|---|")
        for path in paths:
            frames, ms = page.evaluate(
                TIMED, [base64.b64encode(path.read_bytes()).decode(), REPEATS]
            )
            browser_frames = [(hex_, int(q)) for hex_, q in frames]
            python_frames, py_s = python_seconds(path)
            there = match_videos(browser_frames, python_frames)
            back = match_videos(python_frames, browser_frames)
            print(
                f"| {path.name} | {len(browser_frames)} | {ms / 1000:.2f} | {py_s:.2f} | "
                f"{ms / 1000 / py_s:.1f}x | {there.query_match_percent:.0f}, "
                f"{back.query_match_percent:.0f} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
