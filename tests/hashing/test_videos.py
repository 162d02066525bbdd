"""vPDQ: conformance with Meta's vpdq output, sampling, dedupe, limits and bad input."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from media_factory import encode_video, scene, shared_testdata, video_bytes

from hotline.hashing.errors import EmptyMedia, NotMedia, TruncatedMedia, VideoTooLarge, VideoTooLong
from hotline.hashing.pdq import hamming, pdq_reference
from hotline.hashing.signals import Limits
from hotline.hashing.videos import hash_video_bytes, hash_video_file

VPDQ = shared_testdata() / "vpdq"
VIDEOS = sorted(p.stem for p in (VPDQ / "videos").glob("*.mp4"))
FRAME_BITS = 31  # Meta's vpdq regression tolerance per frame


def _expected(name: str) -> dict[float, tuple[str, int]]:
    table = {}
    for line in (VPDQ / "expected" / f"{name}.txt").read_text().split():
        _frame, quality, pdq_hex, seconds = line.split(",")
        table[round(float(seconds), 3)] = (pdq_hex, int(quality))
    return table


def test_all_five_reference_videos_are_present():
    assert len(VIDEOS) == 5
    assert all((VPDQ / "expected" / f"{v}.txt").is_file() for v in VIDEOS)


@pytest.mark.parametrize("fps", [1.0, 1000.0], ids=["1fps", "every-frame"])
@pytest.mark.parametrize("name", VIDEOS)
def test_frames_match_meta_vpdq(name, fps):
    expected = _expected(name)
    signals = hash_video_file(VPDQ / "videos" / f"{name}.mp4", fps=fps, dedupe_distance=-1)
    if fps == 1.0:
        assert [f.timestamp for f in signals.frames] == [
            float(t) for t in range(len(signals.frames))
        ]
        assert len(signals.frames) == int(max(expected)) + 1
    else:
        assert len(signals.frames) == len(expected)
    for frame in signals.frames:
        pdq_hex, quality = expected[frame.timestamp]
        assert abs(frame.quality - quality) <= 2
        if quality >= 50:
            # Frames below quality 50 (near-black) are noise even between Meta's own builds
            # and are never used for matching.
            assert hamming(frame.pdq, pdq_hex) <= FRAME_BITS


@pytest.mark.parametrize("name", VIDEOS)
def test_md5_of_reference_videos(name):
    path = VPDQ / "videos" / f"{name}.mp4"
    signals = hash_video_file(path)
    assert signals.md5 == hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
    assert signals.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_generated_video_is_hashed_per_second(tmp_path):
    frames = scene(320, 240, 4.0, 10)
    data = encode_video(frames, 10)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    signals = hash_video_file(path)
    assert (signals.width, signals.height) == (320, 240)
    assert [f.timestamp for f in signals.frames] == [0.0, 1.0, 2.0, 3.0]
    assert signals.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    for frame in signals.frames:
        source = frames[round(frame.timestamp * 10)]
        assert hamming(frame.pdq, pdq_reference(source)[0]) <= FRAME_BITS
        assert frame.usable
    assert hash_video_bytes(data) == signals
    assert not signals.partial


def test_sampling_rate_is_configurable():
    signals = hash_video_bytes(video_bytes(), fps=2.0, dedupe_distance=-1)
    assert [f.timestamp for f in signals.frames] == [0.5 * i for i in range(8)]


def test_identical_consecutive_frames_are_deduplicated():
    still = scene(320, 240, 1.0, 10)[0]
    data = encode_video([still] * 30 + scene(320, 240, 3.0, 10, seed=7)[10:], 10)
    kept = hash_video_bytes(data, dedupe_distance=8)
    every = hash_video_bytes(data, dedupe_distance=-1)
    assert [f.timestamp for f in every.frames] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [f.timestamp for f in kept.frames] == [0.0, 3.0, 4.0]


def test_too_long_is_refused_from_metadata():
    with pytest.raises(VideoTooLong, match="over the limit of 3 s"):
        hash_video_bytes(video_bytes(), limits=Limits(max_video_seconds=3))


def test_too_large_is_refused_from_metadata():
    with pytest.raises(VideoTooLarge, match="320x240 = 76800 pixels, over the limit of 76799"):
        hash_video_bytes(video_bytes(), limits=Limits(max_video_pixels=76_799))


def test_truncated_mp4_index_missing():
    data = video_bytes()
    with pytest.raises(TruncatedMedia, match="truncated or corrupt"):
        hash_video_bytes(data[: len(data) // 2])


def test_empty_and_random(tmp_path):
    with pytest.raises(EmptyMedia):
        hash_video_bytes(b"")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(EmptyMedia):
        hash_video_file(empty)
    with pytest.raises(NotMedia, match="not a recognised video format"):
        hash_video_bytes(os.urandom(5000))


def test_audio_only_file_has_no_video_stream():
    import io

    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format="matroska") as output:
        stream = output.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), dtype=np.int16), layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    with pytest.raises(NotMedia, match="no video stream"):
        hash_video_bytes(out.getvalue())


def test_truncated_mp4_with_index_first(tmp_path):
    import av

    path = tmp_path / "faststart.mp4"
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as output:
        stream = output.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for array in scene(320, 240, 4.0, 10):
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and b"moov" in data[:200]
    whole = hash_video_bytes(data)
    assert not whole.partial
    # Its first frames are whole: they are hashed, and the signals say they are partial.
    half = hash_video_bytes(data[: len(data) // 2])
    assert half.partial and "ends inside its 'mdat' box" in (half.partial_reason or "")
    assert 0 < len(half.frames) < len(whole.frames)
    assert half.frames == whole.frames[: len(half.frames)]
    # Cut before the first whole frame: nothing to hash, a typed error.
    with pytest.raises(TruncatedMedia, match="truncated or corrupt"):
        hash_video_bytes(data[: data.index(b"mdat") + 200])
