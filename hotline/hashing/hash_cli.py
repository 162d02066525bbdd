"""The `hotline hash` command: files or folders in, one JSON line of signals per file out."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from hotline.hashing.batch import MediaResult, hash_files
from hotline.hashing.signals import ImageSignals, VideoSignals


def run_hash(
    paths: list[str], *, out: TextIO, err: TextIO, workers: int | None, progress: bool
) -> int:
    """Hash files and folders (recursively); returns 0 unless every file failed or none exist."""
    files: list[str] = []
    failures = 0
    for given in paths:
        if os.path.isdir(given):
            files.extend(_walk(given))
        elif os.path.isfile(given):
            files.append(given)
        else:
            err.write(f"{given}: no such file or folder\n")
            failures += 1
    total = len(files) + failures
    if total == 0:
        err.write("no files to hash\n")
        return 2
    for result in hash_files(files, workers=workers, progress=progress):
        if result.error is not None:
            err.write(f"{result.path}: {result.error}\n")
            failures += 1
        else:
            out.write(json.dumps(record(result), separators=(",", ":")) + "\n")
    out.flush()
    return 1 if failures == total else 0


def _walk(folder: str) -> Iterator[str]:
    """Every regular file under ``folder``, hidden ones (".DS_Store", ".git") left out, sorted."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if not name.startswith(".") and path.is_file():
                yield str(path)


def record(result: MediaResult) -> dict[str, Any]:
    """The JSON object printed for one hashed file."""
    signals = result.signals
    if isinstance(signals, ImageSignals):
        return {
            "path": result.path,
            "kind": "image",
            "pdq": signals.pdq.hex,
            "quality": signals.pdq.quality,
            "dihedral": list(signals.dihedral),
            "md5": signals.md5,
            "sha256": signals.sha256,
            "width": signals.width,
            "height": signals.height,
        }
    if isinstance(signals, VideoSignals):
        first = signals.first_usable()
        return {
            "path": result.path,
            "kind": "video",
            "pdq": first.pdq if first else None,
            "quality": first.quality if first else None,
            "dihedral": None,
            "md5": signals.md5,
            "sha256": signals.sha256,
            "width": signals.width,
            "height": signals.height,
            "duration": round(signals.duration, 3),
            "partial": signals.partial,
            "partial_reason": signals.partial_reason,
            "frames": [
                {"timestamp": f.timestamp, "pdq": f.pdq, "quality": f.quality}
                for f in signals.frames
            ],
        }
    raise ValueError(f"{result.path} has no signals: {result.error}")


def build_parser() -> argparse.ArgumentParser:
    """The arguments of `hotline hash`."""
    parser = argparse.ArgumentParser(
        prog="hotline hash",
        description="Hash images and videos (files or folders): PDQ, dihedral PDQ, MD5, "
        "SHA-256, vPDQ. One JSON line per file on stdout, one 'path: reason' line per failure "
        "on stderr.",
    )
    parser.add_argument("paths", nargs="+", help="Files or folders (searched recursively)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Processes (default: the cores this process may use, and only when it pays)",
    )
    parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """`hotline hash ...` without Django: the console script dispatches here directly."""
    args = build_parser().parse_args(argv)
    if args.workers is not None and args.workers < 1:
        sys.stderr.write(f"hotline hash: --workers must be at least 1, got {args.workers}\n")
        return 2
    return run_hash(
        args.paths,
        out=sys.stdout,
        err=sys.stderr,
        workers=args.workers,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
