"""The `hotline hash` contract: JSON lines out, one error line per failed file, exit codes."""

from __future__ import annotations

import io
import json

from media_factory import jpeg_bytes, video_bytes

from hotline.hashing.hash_cli import run_hash
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.videos import hash_video_bytes


def _run(paths, workers=1):
    out, err = io.StringIO(), io.StringIO()
    code = run_hash([str(p) for p in paths], out=out, err=err, workers=workers, progress=False)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_folder_is_hashed_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(300, 200, seed=1))
    (tmp_path / "sub" / "b.mp4").write_bytes(video_bytes())
    (tmp_path / "sub" / "c.txt").write_text("not media")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    code, lines, err = _run([tmp_path], workers=2)
    assert code == 0
    assert [line["path"] for line in lines] == [
        str(tmp_path / "a.jpg"),
        str(tmp_path / "sub/b.mp4"),
    ]
    assert err == f"{tmp_path / 'sub' / 'c.txt'}: not a recognised image or video format\n"

    image, video = lines
    expected = hash_image_bytes(jpeg_bytes(300, 200, seed=1))
    assert image == {
        "path": str(tmp_path / "a.jpg"),
        "kind": "image",
        "pdq": expected.pdq.hex,
        "quality": expected.pdq.quality,
        "dihedral": list(expected.dihedral),
        "md5": expected.md5,
        "sha256": expected.sha256,
        "width": 300,
        "height": 200,
    }
    signals = hash_video_bytes(video_bytes())
    assert video["kind"] == "video"
    assert video["dihedral"] is None
    assert video["pdq"] == signals.frames[0].pdq
    assert video["quality"] == signals.frames[0].quality
    assert video["md5"] == signals.md5
    assert video["frames"] == [
        {"timestamp": f.timestamp, "pdq": f.pdq, "quality": f.quality} for f in signals.frames
    ]


def test_video_without_usable_frame_has_null_pdq(tmp_path):
    import numpy as np
    from media_factory import encode_video

    dark = tmp_path / "dark.mp4"
    dark.write_bytes(encode_video([np.zeros((64, 64, 3), np.uint8)] * 10, 10))
    code, lines, _ = _run([dark])
    assert code == 0
    assert lines[0]["pdq"] is None
    assert lines[0]["quality"] is None
    assert lines[0]["frames"][0]["quality"] == 0


def test_exit_code_is_nonzero_only_when_every_file_fails(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg_bytes(100, 100))
    code, lines, err = _run([bad, good])
    assert code == 0
    assert len(lines) == 1
    assert err.startswith(f"{bad}: ")
    code, lines, err = _run([bad, tmp_path / "nowhere.png"])
    assert code == 1
    assert lines == []
    assert err.splitlines()[0] == f"{tmp_path / 'nowhere.png'}: no such file or folder"
    assert len(err.splitlines()) == 2


def test_no_files_at_all(tmp_path):
    code, lines, err = _run([tmp_path])
    assert code == 2
    assert lines == []
    assert err == "no files to hash\n"
