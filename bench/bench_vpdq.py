"""Benchmark: hotline vPDQ vs PyAV decode + pdqhash per sampled frame, on one core.

Run: .venv/bin/python bench/bench_vpdq.py [--quick]
Meta's `vpdq` package needs FFmpeg development files to build and has no wheel, so the
baseline is what a Python service would otherwise write: PyAV decode, rgb24, pdqhash.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# One core, no helper threads: set before numpy, PyAV or pdqhash load.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_name] = "1"

import av  # noqa: E402
import numpy as np  # noqa: E402
import pdqhash  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hashing")]

from media_factory import encode_video, scene  # noqa: E402

from hotline.hashing.pdq import hamming  # noqa: E402
from hotline.hashing.videos import hash_video_file  # noqa: E402


def baseline(path: Path, fps: float) -> list[tuple[float, str, int]]:
    """PyAV decode of every frame, pdqhash of rgb24 for one frame per 1/fps seconds."""
    out, next_time = [], 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"  # keep FFmpeg on the one core we measure
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t + 1e-3 < next_time:
                continue
            while next_time <= t + 1e-3:
                next_time += 1.0 / fps
            bits, quality = pdqhash.compute(frame.to_ndarray(format="rgb24"))
            out.append((round(t, 3), f"{int(''.join(str(int(b)) for b in bits), 2):064x}", quality))
    return out


def timed(fn, repeats: int):
    result = fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return result, (time.perf_counter() - start) / repeats * 1000


def compare(path: Path, fps: float, repeats: int) -> str:
    ours, ours_ms = timed(lambda: hash_video_file(path, fps=fps, dedupe_distance=-1), repeats)
    theirs, theirs_ms = timed(lambda: baseline(path, fps), repeats)
    by_time = {t: (h, q) for t, h, q in theirs}
    bits = [
        hamming(f.pdq, by_time[f.timestamp][0])
        for f in ours.frames
        if f.timestamp in by_time and by_time[f.timestamp][1] >= 50
    ]
    agreement = f"mean {np.mean(bits):.2f} p95 {np.percentile(bits, 95):.1f}" if bits else "n/a"
    return (
        f"| {path.name} | {fps:g} | {len(ours.frames)} | {theirs_ms:.0f} | {ours_ms:.0f} "
        f"| {theirs_ms / ours_ms:.2f}x | {agreement} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    repeats = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as folder:
        generated = Path(folder) / "generated-1280x720-30fps.mp4"
        seconds = 4.0 if args.quick else 20.0
        generated.write_bytes(encode_video(scene(1280, 720, seconds, 30, seed=1), 30))
        videos = [generated, *sorted((ROOT.parent / "shared/testdata/vpdq/videos").glob("*.mp4"))]
        print("| video | sampled fps | frames | PyAV+pdqhash ms | hotline ms | ratio | bits |")
        print("|---|---|---|---|---|---|---|")
        for path in videos:
            for fps in (1.0, 1000.0):
                print(compare(path, fps, repeats), flush=True)


if __name__ == "__main__":
    main()
