"""Turning uploaded media into signals; the bytes are dropped as soon as they are hashed."""

from typing import Any

from hotline.core.errors import InvalidInput
from hotline.hashing.errors import MediaError
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.videos import hash_video_bytes, looks_like_video

# A video's item keeps this many distinct usable frame hashes for matching.
MAX_VIDEO_FRAME_SIGNALS = 20


def media_signals(*, data: bytes, label: str) -> list[dict[str, Any]]:
    """PDQ (with quality), MD5 and SHA-256 of an image, or MD5, SHA-256 and frame PDQs of a
    video. `label` names the upload in errors. The caller must not keep `data`."""
    try:
        if looks_like_video(data[:64]):
            return _video_signals(data)
        return _image_signals(data)
    except MediaError as error:
        raise InvalidInput(
            f"{label}: {error}", details=[{"element": label, "message": str(error)}]
        ) from error


def _image_signals(data: bytes) -> list[dict[str, Any]]:
    signals = hash_image_bytes(data)
    return [
        {"type": "pdq", "value": signals.pdq.hex, "quality": signals.pdq.quality},
        {"type": "md5", "value": signals.md5},
        {"type": "sha256", "value": signals.sha256},
    ]


def _video_signals(data: bytes) -> list[dict[str, Any]]:
    video = hash_video_bytes(data)
    rows: list[dict[str, Any]] = [
        {"type": "md5", "value": video.md5},
        {"type": "sha256", "value": video.sha256},
    ]
    seen: set[str] = set()
    for frame in video.frames:
        if frame.usable and frame.pdq not in seen and len(seen) < MAX_VIDEO_FRAME_SIGNALS:
            seen.add(frame.pdq)
            rows.append({"type": "pdq", "value": frame.pdq, "quality": frame.quality})
    return rows
