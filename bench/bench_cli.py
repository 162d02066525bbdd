"""Benchmark: `hotline hash` against pdqhash + Pillow, both as whole processes on one core.

Run: .venv/bin/python bench/bench_cli.py [--repeats 7] [--core 0]

Each command is started fresh (interpreter start-up, imports and all) with its CPU affinity set
to one core, as `taskset -c 0` would; the two are run alternately, and the best and median
wall-clock and CPU times of each are printed with their ratios. Inputs are generated photo-like
JPEGs (quality 90): 24 at 1920x1080, 6 at 4000x3000 (12 MP) and one at 640x480.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hashing")]

from media_factory import jpeg_bytes  # noqa: E402

HOTLINE = str(Path(sys.executable).with_name("hotline"))
# What HMA's threatexchange does per file, printing a line per file as `hotline hash` does.
PDQHASH_SCRIPT = """
import sys
import numpy as np
import pdqhash
from PIL import Image
for path in sys.argv[1:]:
    bits, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    print(path, f"{int(''.join(str(int(b)) for b in bits), 2):064x}", int(quality))
"""
SETS = [("24 JPEGs at 1920x1080", 1920, 1080, 24), ("6 JPEGs at 12 MP", 4000, 3000, 6),
        ("1 small JPEG (640x480)", 640, 480, 1)]  # fmt: skip


def run_once(command: list[str], core: int, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process pinned to ``core``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=lambda: os.sched_setaffinity(0, {core}),
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({process.returncode}): {errors}")
    return wall, usage.ru_utime + usage.ru_stime


def environment() -> dict[str, str]:
    env = dict(os.environ)
    # Installed packages have their byte code compiled; a checkout must be allowed to write it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"  # the same for both: one core, no helper threads
    return env


def measure(files: list[str], core: int, repeats: int) -> dict[str, list[tuple[float, float]]]:
    env = environment()
    commands = {
        "pdqhash + Pillow": [sys.executable, "-c", PDQHASH_SCRIPT, *files],
        "hotline hash": [HOTLINE, "hash", "--no-progress", *files],
    }
    for command in commands.values():
        run_once(command, core, env)  # warm the page cache and the byte-code cache
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            times[name].append(run_once(command, core, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--core", type=int, default=min(os.sched_getaffinity(0)))
    args = parser.parse_args()
    print(f"one core ({args.core}), {args.repeats} runs each, alternating; seconds per process")
    print()
    print("| files | command | wall best | wall median | CPU best | CPU median |")
    print("|---|---|---:|---:|---:|---:|")
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        for label, width, height, count in SETS:
            files = []
            for seed in range(count):
                path = Path(folder) / f"{width}x{height}-{seed}.jpg"
                path.write_bytes(jpeg_bytes(width, height, seed=seed))
                files.append(str(path))
            times = measure(files, args.core, args.repeats)
            for name, runs in times.items():
                walls, cpus = [w for w, _ in runs], [c for _, c in runs]
                print(
                    f"| {label} | {name} | {min(walls):.3f} | {statistics.median(walls):.3f} "
                    f"| {min(cpus):.3f} | {statistics.median(cpus):.3f} |"
                )
            base, ours = times["pdqhash + Pillow"], times["hotline hash"]
            ratios.append(
                (
                    label,
                    min(w for w, _ in base) / min(w for w, _ in ours),
                    min(c for _, c in base) / min(c for _, c in ours),
                    min(w for w, _ in ours),
                )
            )
    print()
    print("| files | hotline faster, wall (best) | hotline faster, CPU (best) | hotline wall |")
    print("|---|---:|---:|---:|")
    for label, wall_ratio, cpu_ratio, wall in ratios:
        print(f"| {label} | {wall_ratio:.1f}x | {cpu_ratio:.1f}x | {wall:.3f} s |")


if __name__ == "__main__":
    main()
