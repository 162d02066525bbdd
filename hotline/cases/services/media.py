"""Turning uploaded media into signals; the bytes are dropped as soon as they are hashed."""

from typing import Any

from django.core.files.uploadedfile import UploadedFile

from hotline.cases.uploads import OversizedUpload
from hotline.core.errors import InvalidInput
from hotline.hashing.batch import NOT_MEDIA
from hotline.hashing.errors import FileTooLarge, MediaError, NotMedia
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.signals import VideoSignals
from hotline.hashing.videos import hash_video_bytes, looks_like_video

# A video's item keeps this many distinct usable frame hashes for matching.
MAX_VIDEO_FRAME_SIGNALS = 20


class MediaRefused(InvalidInput):
    """Media that cannot be hashed: the message names the file and the reason (422)."""

    code = "bad_media"


class MediaTooLarge(MediaRefused):
    """A file over the upload limit: the message gives the file's size and the limit (413)."""

    status_code = 413
    code = "file_too_large"


def upload_bytes(upload: UploadedFile, *, label: str) -> bytes:
    """The bytes of an uploaded file; a file over the limit was never kept, only counted."""
    if isinstance(upload, OversizedUpload):
        error = FileTooLarge(
            f"file has {upload.size:,} bytes, over the upload limit of {upload.limit:,} bytes "
            f"({upload.limit / 2**20:g} MiB)"
        )
        raise _refusal(error, label=label, filename=upload.name)
    data: bytes = upload.read()
    return data


def media_signals(*, data: bytes, label: str, filename: str | None = None) -> list[dict[str, Any]]:
    """PDQ (with quality), MD5 and SHA-256 of an image, or MD5, SHA-256 and frame PDQs of a
    video. `label` (and `filename`, when known) name the upload in errors: every decoding
    problem is a 4xx naming the reason, never a 500. The caller must not keep `data`."""
    try:
        return _signals_of(data)
    except MediaError as error:
        raise _refusal(error, label=label, filename=filename) from error


def _refusal(error: MediaError, *, label: str, filename: str | None) -> MediaRefused:
    name = f"{label} ({filename})" if filename else label
    kind = MediaTooLarge if isinstance(error, FileTooLarge) else MediaRefused
    detail = {"element": label, "error": error.code}
    if filename:
        detail["file"] = filename
    detail["message"] = f"{filename}: {error}" if filename else str(error)
    return kind(f"{name}: {error}", details=[detail])


def _signals_of(data: bytes) -> list[dict[str, Any]]:
    if looks_like_video(data[:64]):
        return _video_signals(data)
    try:
        return _image_signals(data)
    except NotMedia:
        pass  # not an image Pillow accepts: FFmpeg may still read it as a video (MPEG-TS)
    try:
        return _video_signals(data)
    except NotMedia as error:
        raise NotMedia(NOT_MEDIA) from error


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
    return _marked_partial(rows, video)


def _marked_partial(rows: list[dict[str, Any]], video: VideoSignals) -> list[dict[str, Any]]:
    """Signals of a video cut short say so: each row carries the reason (docs/hashing.md)."""
    if video.partial_reason is None:
        return rows
    return [{**row, "partial": video.partial_reason} for row in rows]


def media_partial(signals: list[dict[str, Any]]) -> str | None:
    """Why an item's media signals cover only part of its video, or None."""
    return next((s["partial"] for s in signals if s.get("partial")), None)
