"""Portrait phone videos are hashed as displayed: landscape frames plus the MP4 track's
display matrix (what phones write) hash like the upright video, as Meta's vPDQ does through
FFmpeg's autorotate. PyAV cannot write a display matrix, so the test patches the track
header's matrix (tkhd, ISO/IEC 14496-12 8.3.2) of a video PyAV encoded."""

import struct

import numpy as np
import pytest

from hotline.hashing.pdq import hamming
from hotline.hashing.signals import VideoSignals
from hotline.hashing.videos import hash_video_bytes
from tests.hashing.media_factory import encode_video, scene

WIDTH, HEIGHT, FPS = 192, 256, 5  # upright: portrait
ONE = 0x10000  # 1.0 in the matrix's 16.16 fixed point
# Held upright, a phone stores frames turned a quarter counter-clockwise and writes the
# matrix that turns them back clockwise (FFmpeg reads it as a rotation of -90 degrees).
PORTRAIT = (0, ONE, 0, -ONE, 0, 0, HEIGHT * ONE, 0, 0x40000000)
UPSIDE_DOWN = (-ONE, 0, 0, 0, -ONE, 0, WIDTH * ONE, HEIGHT * ONE, 0x40000000)


def with_matrix(data: bytes, matrix: tuple[int, ...]) -> bytes:
    """The MP4 with its (version 0) track header's matrix replaced."""
    out = bytearray(data)
    at = out.index(b"tkhd") + 4
    assert out[at] == 0, "PyAV writes version 0 track headers"
    # version+flags, creation, modification, track id, reserved, duration, reserved[2],
    # layer, alternate group, volume, reserved: 40 bytes before the matrix.
    start = at + 40
    assert struct.unpack(">9i", out[start : start + 36])[0] == ONE  # identity, as written
    out[start : start + 36] = struct.pack(">9i", *matrix)
    return bytes(out)


@pytest.fixture(scope="module")
def upright() -> list[np.ndarray]:
    return scene(WIDTH, HEIGHT, 2.0, FPS, seed=21)


def close(a: VideoSignals, b: VideoSignals) -> None:
    assert len(a.frames) == len(b.frames) > 1
    for x, y in zip(a.frames, b.frames, strict=True):
        assert x.quality >= 50 and hamming(x.pdq, y.pdq) <= 10, (x, y)


def test_a_portrait_phone_video_is_hashed_as_displayed(upright: list[np.ndarray]) -> None:
    reference = hash_video_bytes(encode_video(upright, FPS))
    stored = [np.ascontiguousarray(np.rot90(f, k=1)) for f in upright]  # landscape frames
    as_recorded = encode_video(stored, FPS)
    ignored = hash_video_bytes(as_recorded)  # no matrix: the landscape frames, as stored
    assert (ignored.width, ignored.height) == (HEIGHT, WIDTH)
    assert hamming(ignored.frames[0].pdq, reference.frames[0].pdq) > 64

    portrait = hash_video_bytes(with_matrix(as_recorded, PORTRAIT))
    assert (portrait.width, portrait.height) == (WIDTH, HEIGHT)
    close(portrait, reference)


def test_an_upside_down_video_is_turned_too(upright: list[np.ndarray]) -> None:
    reference = hash_video_bytes(encode_video(upright, FPS))
    stored = [np.ascontiguousarray(np.rot90(f, k=2)) for f in upright]
    turned = hash_video_bytes(with_matrix(encode_video(stored, FPS), UPSIDE_DOWN))
    assert (turned.width, turned.height) == (WIDTH, HEIGHT)
    close(turned, reference)
