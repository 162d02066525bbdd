"""`hotline hash` and `hotline match --bank` run on the framework-free engine: no Django, no
secret key, the CPU affinity they are given, and a process pool only when it pays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from media_factory import jpeg_bytes, video_bytes

from hotline.hashing import batch

FRAMEWORKS = {"django", "ninja", "tqdm", "av"}


def _probe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console entry point as the `hotline` script does, listing what it imported."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from hotline.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def _loaded(result: subprocess.CompletedProcess[str]) -> str:
    """The frameworks among the imported modules, as "LOADED a,b"."""
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return "LOADED " + ",".join(sorted(names & FRAMEWORKS))


def _errors(result: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in result.stderr.splitlines() if not line.startswith("import"))


def _without_key() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_SECRET_KEY")}


def test_hash_starts_without_django_or_a_key(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(320, 240, seed=1))
    result = _probe("hash", "--no-progress", str(tmp_path / "a.jpg"), env=_without_key())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "image"
    assert _loaded(result) == "LOADED "  # no Django, no progress bar, no FFmpeg for an image


def test_hash_of_a_video_loads_ffmpeg_only_then(tmp_path: Path) -> None:
    (tmp_path / "v.mp4").write_bytes(video_bytes())
    result = _probe("hash", "--no-progress", str(tmp_path / "v.mp4"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["partial"] is False
    assert _loaded(result) == "LOADED av"


def test_match_with_a_bank_file_starts_without_django_or_a_key(tmp_path: Path) -> None:
    (tmp_path / "bank.txt").write_text(f"{'f' * 64},7\n")
    (tmp_path / "q.txt").write_text(f"{'f' * 64}\n")
    result = _probe(
        "match", "--bank", str(tmp_path / "bank.txt"), str(tmp_path / "q.txt"), env=_without_key()
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"query": 0, "matches": [{"id": 7, "distance": 0}]}
    assert "django" not in _loaded(result)


def test_match_against_the_database_still_needs_django_and_a_key(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text(f"{'f' * 64}\n")
    result = _probe("match", str(tmp_path / "q.txt"), env=_without_key())
    assert result.returncode == 2
    assert "secret key" in _errors(result).lower()
    assert "django" in _loaded(result)


def test_bad_worker_count_is_refused(tmp_path: Path) -> None:
    result = _probe("hash", "--workers", "0", str(tmp_path))
    assert result.returncode == 2
    assert _errors(result) == "hotline hash: --workers must be at least 1, got 0"


def test_the_affinity_given_is_the_cores_used() -> None:
    core = min(os.sched_getaffinity(0))
    result = subprocess.run(
        [sys.executable, "-c", "from hotline.hashing.batch import allowed_cores as a; print(a())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        preexec_fn=lambda: os.sched_setaffinity(0, {core}),
    )
    assert result.stdout.strip() == "1"


@pytest.fixture
def photos(tmp_path: Path) -> list[str]:
    paths = []
    for seed in range(6):
        path = tmp_path / f"{seed}.jpg"
        path.write_bytes(jpeg_bytes(320, 240, seed=seed))
        paths.append(str(path))
    return paths


def test_one_allowed_core_never_starts_a_pool(
    photos: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "allowed_cores", lambda: 1)
    monkeypatch.setattr(batch, "POOL_MIN_SECONDS", 0.0)  # even when the work would pay

    def no_pool(*args: object) -> None:
        raise AssertionError("a pool was started on one core")

    monkeypatch.setattr(batch, "_in_pool", no_pool)
    results = list(batch.hash_files(photos, progress=False))
    assert [r.path for r in results] == photos and all(r.signals for r in results)


def test_a_pool_starts_only_when_the_work_pays(photos: list[str], tmp_path: Path) -> None:
    # Six small JPEGs (about 20 KB each) are milliseconds of work: one process.
    assert not batch.pool_pays(photos, 2)
    assert not batch.pool_pays(photos[:1], 2)
    assert not batch.pool_pays(photos, 1)
    videos = []
    for n in range(2):
        path = tmp_path / f"{n}.mp4"
        path.write_bytes(video_bytes())
        videos.append(str(path))
    assert batch.pool_pays(videos, 2)  # a video counts as a second of work
    big = tmp_path / "big.bin"
    big.write_bytes(b"\xff\xd8\xff" + bytes(int(batch._IMAGE_BYTES_PER_SECOND * 0.3)))
    assert batch.pool_pays([str(big), photos[0]], 2)


def test_a_pool_gives_the_same_results_in_the_same_order(photos: list[str]) -> None:
    alone = list(batch.hash_files(photos, workers=1, progress=False))
    pooled = list(batch.hash_files(photos, workers=2, progress=False))
    assert pooled == alone
