"""`hotline hash` and `hotline match` as scripts call them: through the installed entry point."""

import json
import subprocess
import sys
from pathlib import Path

from tests.hashing.media_factory import jpeg_bytes

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HOTLINE, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_hotline_hash_prints_one_json_line_per_file_and_errors_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(320, 240, seed=1))
    (tmp_path / "b.jpg").write_bytes(jpeg_bytes(320, 240, seed=2))
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    result = run("hash", "--no-progress", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(r["path"]).name for r in rows) == ["a.jpg", "b.jpg"]
    for row in rows:
        assert {"path", "kind", "pdq", "quality", "dihedral", "md5", "sha256"} <= set(row)
        assert row["kind"] == "image" and len(row["dihedral"]) == 8
    assert "broken.jpg" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_hotline_hash_fails_only_when_every_file_failed(tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\x00" * 10)
    result = run("hash", "--no-progress", str(tmp_path / "x.bin"), cwd=tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""


def test_hotline_match_with_a_bank_file_follows_the_contract(tmp_path: Path) -> None:
    a = "f" * 64
    b = "f" * 60 + "0000"  # 16 bits from a
    (tmp_path / "bank.txt").write_text(f"{a},100\n{b}\n")
    (tmp_path / "q.txt").write_text(f"{a}\n{'0' * 64}\n")
    result = run(
        "match", "--bank", str(tmp_path / "bank.txt"), str(tmp_path / "q.txt"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {
        "query": 0,
        "matches": [{"id": 100, "distance": 0}, {"id": 1, "distance": 16}],
    }
    assert rows[1] == {"query": 1, "matches": []}
