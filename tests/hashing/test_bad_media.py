"""The bad-media corpus through the engine and `hotline hash`: signals or a typed error, never
a crash; partial videos say so; files Pillow would hand to other programs are refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bad_media import corpus, write_corpus
from PIL import Image, ImageFile

from hotline.hashing.batch import hash_media_file
from hotline.hashing.errors import DecompressionBomb, TruncatedMedia
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.signals import ImageSignals, Limits, VideoSignals
from hotline.hashing.videos import hash_video_bytes

HOTLINE = str(Path(sys.executable).with_name("hotline"))


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, object]:
    return write_corpus(tmp_path_factory.mktemp("bad-media"))


def _names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        return sorted(corpus(Path(scratch)))


@pytest.mark.parametrize("name", _names())
def test_every_corpus_file_gives_signals_or_its_typed_error(
    corpus_dir: dict[Path, object], name: str
) -> None:
    path = next(p for p in corpus_dir if p.name == name)
    expected = corpus_dir[path]
    if isinstance(expected, type):
        with pytest.raises(expected) as raised:
            hash_media_file(path)
        assert str(raised.value), "the error must say why"
        assert type(raised.value) is expected, f"{name}: {raised.value!r}"
        return
    signals = hash_media_file(path)
    if expected == "image":
        assert isinstance(signals, ImageSignals)
        assert len(signals.pdq.hex) == 64 and len(signals.dihedral) == 8
    else:
        assert isinstance(signals, VideoSignals) and signals.frames
        assert signals.partial is (expected == "partial")
        if expected == "partial":
            assert signals.partial_reason and len(signals.partial_reason) > 10


def test_a_bomb_found_inside_load_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow checks some sizes only while loading (images inside images): still a 4xx."""

    def bomb(self: ImageFile.ImageFile) -> None:
        raise Image.DecompressionBombError("Image size (200000000 pixels) exceeds limit")

    from media_factory import jpeg_bytes

    photo = jpeg_bytes(320, 240)
    monkeypatch.setattr(ImageFile.ImageFile, "load", bomb)
    with pytest.raises(DecompressionBomb, match="exceeds limit"):
        hash_image_bytes(photo)


def test_any_other_decoder_exception_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin bug (IndexError, struct.error, ...) on untrusted bytes is the file's fault."""

    def broken(self: ImageFile.ImageFile) -> None:
        raise IndexError("list index out of range")

    from media_factory import jpeg_bytes

    monkeypatch.setattr(ImageFile.ImageFile, "load", broken)
    with pytest.raises(TruncatedMedia, match=r"corrupt \(IndexError: list index out of range\)"):
        hash_image_bytes(jpeg_bytes(320, 240))


def test_bytes_per_pixel_count_in_the_limit() -> None:
    """The same pixel count is refused in RGBA (4 bytes) and accepted in L (1 byte)."""
    limits = Limits(max_decoded_bytes=4_000_000)
    gray = Image.new("L", (1500, 1500), 80)
    rgba = Image.new("RGBA", (1500, 1500), (80, 80, 80, 255))
    hash_image_bytes(_png(gray), limits)  # 2.25 MB decoded + the plane
    with pytest.raises(DecompressionBomb, match=r"mode RGBA \(4 bytes per pixel decoded\)"):
        hash_image_bytes(_png(rgba), limits)


def test_a_partial_video_keeps_the_frames_it_has(corpus_dir: dict[Path, object]) -> None:
    whole = hash_video_bytes(next(p for p in corpus_dir if p.name == "whole.mp4").read_bytes())
    path = next(p for p in corpus_dir if p.name == "truncated.mkv")
    partial = hash_video_bytes(path.read_bytes())
    assert partial.partial and "of the 4.0 s the container declares" in str(partial.partial_reason)
    assert 0 < len(partial.frames) < len(whole.frames)


def test_hotline_hash_reports_each_bad_file_on_stderr(corpus_dir: dict[Path, object]) -> None:
    folder = next(iter(corpus_dir)).parent
    result = subprocess.run(
        [HOTLINE, "hash", "--no-progress", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr  # some files hashed
    hashed = {Path(row["path"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    errors = dict(line.split(": ", 1) for line in result.stderr.splitlines())
    for path, expected in corpus_dir.items():
        if isinstance(expected, type):
            assert str(path) in errors, path.name
            assert path.name not in hashed
        else:
            assert path.name in hashed, (path.name, errors.get(str(path)))
            if expected in ("video", "partial"):
                assert hashed[path.name]["partial"] is (expected == "partial")
                assert (hashed[path.name]["partial_reason"] is None) is (expected == "video")
    assert len(errors) == sum(isinstance(e, type) for e in corpus_dir.values())


def _png(image: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
