"""Peak memory of hashing one file stays under 512 MB for anything within the default limits.

Each file is hashed in a fresh process that reads it into memory first (as an upload is) and
then reports its peak resident set (`VmHWM` in /proc/self/status). `resource.ru_maxrss` is not
used for the child's own figure: Linux carries a process's maximum RSS across fork and exec,
so a child of a large pytest process would report pytest's size, not its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bad_media import large_corpus
from media_factory import encode_video

PEAK_LIMIT_MB = 512
CHILD = """
import sys
from hotline.hashing.errors import MediaError
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.videos import hash_video_bytes, looks_like_video

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024

with open(sys.argv[1], "rb") as handle:
    data = handle.read()
try:
    hashed = hash_video_bytes(data) if looks_like_video(data[:64]) else hash_image_bytes(data)
    outcome = type(hashed).__name__
except MediaError as error:
    outcome = type(error).__name__
print(peak_mb(), outcome)
"""
# What each file must give: hashed, or refused before decoding as too costly.
EXPECTED = {
    "sixteen-bit-10000x10000.png": "ImageSignals",
    "gray-10000x10000.png": "ImageSignals",
    "rgba-8000x8000.png": "ImageSignals",
    "rgb-65000x600.png": "ImageSignals",
    "progressive-9000x7000.jpg": "ImageSignals",
    "baseline-10000x10000.jpg": "ImageSignals",
    "webp-5600x5600.webp": "DecompressionBomb",  # 4 decoder copies x 4 bytes x 31 Mpx
    "tiff-deflate-10000x6000.tiff": "ImageSignals",
    "gif-10000x10000.gif": "ImageSignals",
    "sixteen-bit-claims-only.png": "TruncatedMedia",
    "video-3840x2160.mp4": "VideoSignals",
}


@pytest.fixture(scope="module")
def large_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large-media")
    for name, make in large_corpus().items():
        (folder / name).write_bytes(make())
    frames = [np.full((2160, 3840, 3), 40 * n, np.uint8) for n in range(3)]
    for frame in frames:
        frame[::60] = 255
    (folder / "video-3840x2160.mp4").write_bytes(encode_video(frames, 10))
    return folder


def test_every_large_file_is_listed() -> None:
    assert set(large_corpus()) | {"video-3840x2160.mp4"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_peak_memory_of_one_file_is_bounded(large_files: Path, name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(large_files / name)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    peak, outcome = result.stdout.split()
    assert outcome == EXPECTED[name], result.stdout
    assert int(peak) <= PEAK_LIMIT_MB, f"{name}: {peak} MB at peak"
