"""Benchmark: hotline image PDQ vs pdqhash+Pillow (as HMA uses it), on one core, with agreement.

Run: .venv/bin/python bench/bench_hashing.py [--quick]
Prints ms/image per size, the throughput ratio, bit agreement with pdqhash and with the slow
pure-numpy reference, what each decoding shortcut costs in bits, and transform robustness.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

# One core, no helper threads: set before numpy, Pillow or pdqhash load.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_name] = "1"

import numpy as np  # noqa: E402
import pdqhash  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hashing")]

from media_factory import encode, photo_like  # noqa: E402

from hotline.hashing import images  # noqa: E402
from hotline.hashing.images import hash_image_file, pdq_of_image_bytes  # noqa: E402
from hotline.hashing.pdq import hamming, pdq_reference  # noqa: E402

SIZES = [(640, 480, 12), (1280, 720, 12), (1920, 1080, 12), (4000, 3000, 4)]
REPEATS = 5


def pdqhash_file(path: Path) -> tuple[str, int]:
    """What HMA's threatexchange does: Pillow decode, numpy array, pdqhash C++."""
    bits, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return f"{int(''.join(str(int(b)) for b in bits), 2):064x}", int(quality)


def hotline_pdq(path: Path) -> str:
    return pdq_of_image_bytes(path.read_bytes()).hex


def hotline_full(path: Path) -> str:
    return hash_image_file(path).pdq.hex


def ms_per_call(fn, paths: list[Path], repeats: int) -> float:
    for path in paths[:2]:
        fn(path)  # warm caches (operators, imports) outside the timing
    start = time.perf_counter()
    for _ in range(repeats):
        for path in paths:
            fn(path)
    return (time.perf_counter() - start) / (repeats * len(paths)) * 1000


def make_images(folder: Path, quick: bool) -> dict[tuple[int, int], list[Path]]:
    made = {}
    for width, height, count in SIZES:
        count = max(2, count // 4) if quick else count
        paths = []
        for seed in range(count):
            path = folder / f"{width}x{height}-{seed}.jpg"
            path.write_bytes(encode(photo_like(width, height, seed), "JPEG", quality=90))
            paths.append(path)
        made[(width, height)] = paths
    return made


def stats(distances: list[int]) -> str:
    arr = np.array(distances)
    return f"mean {arr.mean():.2f} p95 {np.percentile(arr, 95):.1f} max {arr.max()}"


def speed_and_agreement(made: dict[tuple[int, int], list[Path]], repeats: int) -> None:
    print("\n## Speed (one core, ms per image, end to end from file) and agreement")
    print(
        "| size | pdqhash+Pillow | hotline PDQ | hotline all signals | ratio PDQ | ratio all "
        "| bits vs pdqhash | bits vs reference | pdqhash vs reference |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    all_bits: list[int] = []
    for (width, height), paths in made.items():
        base = ms_per_call(pdqhash_file, paths, max(1, repeats // 2))
        fast = ms_per_call(hotline_pdq, paths, repeats)
        full = ms_per_call(hotline_full, paths, repeats)
        vs_pdqhash, vs_ref, base_vs_ref = [], [], []
        for path in paths:
            theirs, quality = pdqhash_file(path)
            ours = hotline_pdq(path)
            reference = pdq_reference(np.asarray(Image.open(path).convert("RGB")))[0]
            if quality >= 80:
                vs_pdqhash.append(hamming(ours, theirs))
            vs_ref.append(hamming(ours, reference))
            base_vs_ref.append(hamming(theirs, reference))
        all_bits += vs_pdqhash
        print(
            f"| {width}x{height} | {base:.1f} | {fast:.2f} | {full:.2f} | {base / fast:.1f}x "
            f"| {base / full:.1f}x | {stats(vs_pdqhash)} | {stats(vs_ref)} | {stats(base_vs_ref)} |"
        )
    print(f"\nall generated sizes, hotline vs pdqhash (quality >= 80): {stats(all_bits)}")
    meta = [
        p
        for p in sorted((ROOT.parent / "shared" / "testdata" / "pdq").rglob("*.jpg"))
        if p.name != "CMYK.jpg"  # pdqhash hashes CMYK's raw ink channels (a negative)
    ]
    bits = [hamming(hotline_pdq(p), pdqhash_file(p)[0]) for p in meta if pdqhash_file(p)[1] >= 80]
    print(f"Meta's reference photos (natural images, quality >= 80, n={len(bits)}): {stats(bits)}")


def shortcut_costs(made: dict[tuple[int, int], list[Path]]) -> None:
    print("\n## What the reduced decode costs: bits vs pdqhash by MIN_REDUCED_SIDE")
    print("| MIN_REDUCED_SIDE | " + " | ".join(f"{w}x{h}" for w, h in made) + " |")
    print("|---|" + "---|" * len(made))
    saved = images.MIN_REDUCED_SIDE
    try:
        for side in (64, 128, 256, 512, 1_000_000):
            images.MIN_REDUCED_SIDE = side
            cells = []
            for paths in made.values():
                bits = [hamming(hotline_pdq(p), pdqhash_file(p)[0]) for p in paths]
                fast = ms_per_call(hotline_pdq, paths, 2)
                cells.append(f"mean {np.mean(bits):.2f} max {max(bits)} ({fast:.1f} ms)")
            label = "full resolution" if side == 1_000_000 else str(side)
            print(f"| {label} | " + " | ".join(cells) + " |")
    finally:
        images.MIN_REDUCED_SIDE = saved


def transforms(made: dict[tuple[int, int], list[Path]]) -> None:
    print("\n## Bank hashed by pdqhash, queries transformed and hashed by hotline")
    edits = {
        "JPEG quality 50": lambda im: Image.open(io.BytesIO(encode(im, "JPEG", quality=50))),
        "resize to 50%": lambda im: im.resize((im.width // 2, im.height // 2)),
        "grayscale": lambda im: im.convert("L"),
    }
    for name, edit in edits.items():
        distances, false_matches = [], 0
        for paths in made.values():
            bank = [pdqhash_file(p)[0] for p in paths]
            for index, path in enumerate(paths):
                query = edit(Image.open(path))
                ours = pdq_of_image_bytes(encode(query, "JPEG", quality=90)).hex
                distances.append(hamming(ours, bank[index]))
                false_matches += sum(
                    hamming(ours, other) <= 31 for j, other in enumerate(bank) if j != index
                )
        matched = sum(d <= 31 for d in distances)
        print(
            f"- {name}: {matched}/{len(distances)} matched within 31 ({stats(distances)}); "
            f"false matches against other bank entries: {false_matches}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer images, for a smoke run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory() as folder:
        made = make_images(Path(folder), args.quick)
        speed_and_agreement(made, 2 if args.quick else REPEATS)
        shortcut_costs(made)
        transforms(made)


if __name__ == "__main__":
    main()
