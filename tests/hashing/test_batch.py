"""Batch hashing: every core, input order, per-file errors, progress on stderr."""

from __future__ import annotations

import os

import pytest
from media_factory import encode, jpeg_bytes, video_bytes
from PIL import Image

from hotline.hashing.batch import MediaResult, Options, hash_files, hash_media_file, hash_one
from hotline.hashing.errors import EmptyMedia, NotMedia
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.signals import ImageSignals, Limits, VideoSignals
from hotline.hashing.videos import hash_video_bytes


@pytest.fixture
def mixed(tmp_path):
    """Images, a video and broken files, in a known order."""
    files = []
    for index in range(6):
        path = tmp_path / f"img{index}.jpg"
        path.write_bytes(jpeg_bytes(200 + 10 * index, 150, seed=index))
        files.append(path)
    video = tmp_path / "clip.mp4"
    video.write_bytes(video_bytes())
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(3000))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    files[2:2] = [video, junk]
    files.append(empty)
    files.append(tmp_path / "missing.jpg")
    return [str(p) for p in files]


def _check(results: list[MediaResult], paths: list[str]) -> None:
    assert [r.path for r in results] == paths
    by_name = {os.path.basename(r.path): r for r in results}
    assert by_name["junk.bin"].error == "not a recognised image or video format"
    assert by_name["empty.png"].error == "file is empty"
    assert by_name["missing.jpg"].error == "No such file or directory"
    assert by_name["clip.mp4"].kind == "video"
    for index in range(6):
        result = by_name[f"img{index}.jpg"]
        assert result.kind == "image"
        assert result.signals == hash_image_bytes(jpeg_bytes(200 + 10 * index, 150, seed=index))


def test_pool_yields_in_input_order_with_per_file_errors(mixed):
    _check(list(hash_files(mixed, workers=2, progress=False)), mixed)


def test_single_worker_gives_the_same_results(mixed):
    _check(list(hash_files(mixed, workers=1, progress=False)), mixed)


def test_progress_bar_goes_to_stderr(mixed, capsys):
    list(hash_files(mixed[:3], workers=1, progress=True))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "3/3" in captured.err


def test_options_reach_the_workers(mixed):
    options = Options(limits=Limits(max_pixels=1000))
    results = list(hash_files(mixed[:2], workers=2, progress=False, options=options))
    assert all("over the limit of 1000" in (r.error or "") for r in results)


def test_media_kind_is_sniffed_from_content(tmp_path):
    video = tmp_path / "named-like-an-image.jpg"
    video.write_bytes(video_bytes())
    image = tmp_path / "named-like-a-video.mp4"
    image.write_bytes(jpeg_bytes(120, 90))
    assert hash_media_file(video) == hash_video_bytes(video_bytes())
    assert isinstance(hash_media_file(image), ImageSignals)
    assert isinstance(hash_media_file(video), VideoSignals)
    gif = tmp_path / "still.gif"
    gif.write_bytes(encode(Image.open(image).convert("P"), "GIF"))  # "GIF" starts with 0x47
    assert isinstance(hash_media_file(gif), ImageSignals)


def test_media_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(EmptyMedia):
        hash_media_file(empty)
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 100)
    with pytest.raises(NotMedia, match="not a recognised image or video format"):
        hash_media_file(text)
    assert hash_one(str(text)).error == "not a recognised image or video format"
