"""Video signals: vPDQ (PDQ of frames sampled in time, deduplicated), MD5 and SHA-256 via PyAV."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from hotline.hashing import pdq
from hotline.hashing._isobmff import cut_box
from hotline.hashing.errors import (
    EmptyMedia,
    MediaError,
    NotMedia,
    TruncatedMedia,
    VideoTooLarge,
    VideoTooLong,
)
from hotline.hashing.signals import DEFAULT_LIMITS, Limits, VideoFrame, VideoSignals

if TYPE_CHECKING:  # numpy.typing costs a command-line start-up several milliseconds
    import numpy.typing as npt

DEFAULT_FPS = 1.0
# A sampled frame whose hash is within this distance of the last kept frame is dropped.
# 0 drops exact repeats only, as Meta's vpdq `dedupe` does; raise it to thin static scenes.
DEFAULT_DEDUPE_DISTANCE = 0
_YUV8_FORMATS = frozenset(
    f"{p}{s}" for p in ("yuv", "yuvj") for s in ("420p", "422p", "444p", "440p", "411p", "410p")
) | {"nv12", "nv21"}
_AVCOL_RANGE_JPEG = 2  # FFmpeg's full-range flag
# Only real video containers: FFmpeg would otherwise render text files as video (tty) or
# follow playlists (hls, concat) to other files and URLs.
_DEMUXERS = "mov,matroska,webm,avi,flv,mpegts,mpeg,ogg,asf"
_CHUNK = 1 << 20
_TIME_SLACK = 1e-3  # seconds; timestamps are rounded to the container's time base
# Decoded frames ending this much before the declared duration mean the file is cut short;
# below it, rounding and a last frame's own length explain the gap.
_MISSING_SECONDS = 0.5


def hash_video_file(
    path: str | os.PathLike[str],
    *,
    fps: float = DEFAULT_FPS,
    dedupe_distance: int = DEFAULT_DEDUPE_DISTANCE,
    limits: Limits = DEFAULT_LIMITS,
) -> VideoSignals:
    """Hash a video file without reading it into memory."""
    if os.path.getsize(path) == 0:
        raise EmptyMedia("file is empty")
    with open(path, "rb") as handle:
        md5, sha256 = _digests(handle)
        handle.seek(0)
        head = handle.read(64)
        handle.seek(0)
        return _hash_stream(handle, head, md5, sha256, fps, dedupe_distance, limits)


def hash_video_bytes(
    data: bytes,
    *,
    fps: float = DEFAULT_FPS,
    dedupe_distance: int = DEFAULT_DEDUPE_DISTANCE,
    limits: Limits = DEFAULT_LIMITS,
) -> VideoSignals:
    """Hash an encoded video held in memory."""
    if not data:
        raise EmptyMedia("file is empty")
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    sha256 = hashlib.sha256(data).hexdigest()
    return _hash_stream(io.BytesIO(data), data[:64], md5, sha256, fps, dedupe_distance, limits)


def looks_like_video(head: bytes) -> bool:
    """Whether the first bytes carry the signature of a common video container."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        # ISO media: HEIF/AVIF stills share the box layout; their brands mark them as images.
        return head[8:12] not in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis")
    return (
        head.startswith((b"\x1a\x45\xdf\xa3", b"FLV", b"OggS", b"\x00\x00\x01\xba"))
        or head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11")  # ASF / WMV
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
    )  # MPEG-TS has no reliable signature: it is found by trying FFmpeg after Pillow


def _digests(handle: BinaryIO) -> tuple[str, str]:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        md5.update(chunk)
        sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest()


def _hash_stream(
    source: BinaryIO,
    head: bytes,
    md5: str,
    sha256: str,
    fps: float,
    dedupe_distance: int,
    limits: Limits,
) -> VideoSignals:
    import av  # here, not at the top: `hotline hash` on images should not pay for FFmpeg

    if fps <= 0:
        raise ValueError("fps must be positive")
    iso = len(head) >= 12 and head[4:8] == b"ftyp"
    cut = cut_box(source) if iso else None
    try:
        container = av.open(source, mode="r", options={"format_whitelist": _DEMUXERS})
    except Exception as exc:
        if looks_like_video(head):
            raise TruncatedMedia(f"video container is truncated or corrupt: {cut or exc}") from exc
        raise NotMedia("not a recognised video format") from exc
    try:
        with container:
            return _hash_container(container, cut, md5, sha256, fps, dedupe_distance, limits)
    except MediaError:
        raise
    except Exception as exc:
        # Untrusted bytes: whatever FFmpeg or PyAV raise is a property of the file.
        raise TruncatedMedia(f"video is corrupt ({type(exc).__name__}: {exc})") from exc


def _hash_container(
    container: Any,
    cut: str | None,
    md5: str,
    sha256: str,
    fps: float,
    dedupe_distance: int,
    limits: Limits,
) -> VideoSignals:
    if not container.streams.video:
        if cut:
            raise TruncatedMedia(f"video index is cut off: {cut}")
        raise NotMedia("file has no video stream")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        if cut:
            raise TruncatedMedia(f"video index is cut off: {cut}")
        raise NotMedia("the video stream's codec cannot be decoded")
    width, height = _check_metadata(container, stream, limits)
    sampled = _sampled_frames(container, stream, fps, dedupe_distance, limits)
    declared = _duration(container, stream)
    partial = cut or sampled.stopped or _missing(stream, declared, sampled)
    if sampled.quarter_turns % 2:  # a portrait phone video: its size as displayed
        width, height = height, width
    return VideoSignals(
        tuple(sampled.kept), md5, sha256, declared or sampled.last_time, width, height, partial
    )


def _missing(stream: Any, declared: float, sampled: _Sampled) -> str | None:
    """Why the decoded frames fall short of what the container declares, if they do."""
    expected = int(stream.frames or 0)
    if expected > sampled.decoded:
        return f"only {sampled.decoded} of the {expected} frames the container lists decoded"
    end = sampled.last_time + sampled.frame_seconds
    if declared - end > max(_MISSING_SECONDS, 2 * sampled.frame_seconds):
        return f"frames end at {end:.1f} s of the {declared:.1f} s the container declares"
    return None


def _check_metadata(container: Any, stream: Any, limits: Limits) -> tuple[int, int]:
    """Refuse from the header alone, before any frame is decoded."""
    width, height = int(stream.codec_context.width), int(stream.codec_context.height)
    _check_size(width, height, limits)
    duration = _duration(container, stream)
    if duration > limits.max_video_seconds:
        raise VideoTooLong(
            f"video lasts {duration:.1f} s, over the limit of {limits.max_video_seconds:g} s"
        )
    return width, height


def _check_size(width: int, height: int, limits: Limits) -> None:
    if width * height > limits.max_video_pixels:
        raise VideoTooLarge(
            f"video frames are {width}x{height} = {width * height} pixels, "
            f"over the limit of {limits.max_video_pixels}"
        )


def _duration(container: Any, stream: Any) -> float:
    import av

    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return 0.0


@dataclass(slots=True)
class _Sampled:
    kept: list[VideoFrame] = field(default_factory=list)
    decoded: int = 0
    last_time: float = 0.0
    frame_seconds: float = 0.0
    stopped: str | None = None  # why decoding broke off after some frames
    quarter_turns: int = 0  # of the first frame, as displayed (see upright)


def _sampled_frames(
    container: Any, stream: Any, fps: float, dedupe_distance: int, limits: Limits
) -> _Sampled:
    import av

    interval, next_time = 1.0 / fps, 0.0
    rate = float(stream.average_rate) if stream.average_rate else 30.0
    sampled = _Sampled(frame_seconds=1.0 / rate)
    try:
        for timestamp, frame in _decoded(container, stream, rate, limits):
            sampled.decoded += 1
            sampled.last_time = timestamp
            if timestamp + _TIME_SLACK < next_time:
                continue
            # Skip whole intervals after a gap so one late frame does not trigger a burst.
            while next_time <= timestamp + _TIME_SLACK:
                next_time += interval
            if sampled.decoded == 1:
                sampled.quarter_turns = quarter_turns(frame)
            hashed = hash_frame(frame, timestamp)
            if sampled.kept and pdq.hamming(hashed.pdq, sampled.kept[-1].pdq) <= dedupe_distance:
                continue
            sampled.kept.append(hashed)
    except av.error.FFmpegError as exc:
        if not sampled.kept:
            raise TruncatedMedia(f"video data is truncated or corrupt: {exc}") from exc
        sampled.stopped = f"decoding broke off after {sampled.last_time:.1f} s: {exc}"
    if not sampled.kept:
        raise TruncatedMedia("video has no decodable frames")
    return sampled


def _decoded(
    container: Any, stream: Any, rate: float, limits: Limits
) -> Iterator[tuple[float, Any]]:
    """Decoded frames with their time from the stream start, enforcing limits as they come."""
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    for index, frame in enumerate(container.decode(stream)):
        # Headers can lie: the limits are checked again on what is actually decoded.
        _check_size(frame.width, frame.height, limits)
        timestamp = float(frame.time) - start if frame.time is not None else index / rate
        if timestamp > limits.max_video_seconds:
            raise VideoTooLong(f"video runs past {limits.max_video_seconds:g} s, the limit")
        yield max(0.0, timestamp), frame


def quarter_turns(frame: Any) -> int:
    """Counter-clockwise quarter turns that show the frame as displayed (0 to 3).

    Phones store portrait video as landscape frames plus a display matrix (the MP4 track's
    matrix, a rotation of -90 degrees when held upright); FFmpeg hands it to each frame as
    side data, which PyAV reads as ``frame.rotation`` (degrees counter-clockwise). Players, and
    Meta's vPDQ via FFmpeg's autorotate, show and hash the turned picture."""
    degrees = float(getattr(frame, "rotation", 0) or 0)
    return round(degrees / 90) % 4


def upright(luma: npt.NDArray[np.uint8], turns: int) -> npt.NDArray[np.uint8]:
    """The frame's pixels turned as displayed (np.rot90 turns counter-clockwise)."""
    return np.ascontiguousarray(np.rot90(luma, k=turns)) if turns else luma


def hash_frame(frame: Any, timestamp: float) -> VideoFrame:
    """PDQ of one decoded PyAV video frame, from its luma at full resolution, as displayed."""
    luma, limited_range = _luma(frame)
    luma = upright(luma, quarter_turns(frame))
    height, width = luma.shape
    if not pdq.hashable((height, width)):
        return VideoFrame(round(timestamp, 3), pdq.ZERO_HEX, 0)
    buffer64 = pdq.buffer64_from_luma(luma, (height, width))
    coeffs = pdq.dct16(buffer64)  # PDQ's bits ignore an affine change of luma; quality does not
    if limited_range:
        buffer64 = (buffer64 - np.float32(16.0)) * np.float32(255.0 / 219.0)
    return VideoFrame(round(timestamp, 3), pdq.hex_from_dct(coeffs), pdq.quality_of(buffer64))


def _luma(frame: Any) -> tuple[npt.NDArray[np.uint8], bool]:
    """The Y plane as is (no rounding through a scaler) when 8-bit YUV, else swscale's gray."""
    name = frame.format.name
    if name not in _YUV8_FORMATS:
        return frame.to_ndarray(format="gray"), False
    plane = frame.planes[0]
    rows = np.frombuffer(plane, dtype=np.uint8).reshape(frame.height, plane.line_size)
    full_range = "yuvj" in name or int(frame.color_range or 0) == _AVCOL_RANGE_JPEG
    return rows[:, : frame.width], not full_range
