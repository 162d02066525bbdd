"""Typed, immutable results of hashing: PDQ hashes, image and video signals, limits."""

from __future__ import annotations

from dataclasses import dataclass

MIN_USABLE_QUALITY = 50  # Meta: PDQ hashes of quality below 50 are not used for matching
MATCH_DISTANCE = 31  # Meta: two PDQ hashes match at Hamming distance <= 31


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-call resource limits, checked from headers before decoding and again while decoding."""

    max_pixels: int = 100_000_000
    max_image_bytes: int = 256 * 1024 * 1024
    # Bytes that decoding one image may hold at once (pixels x bytes per pixel, see
    # images.decode_bytes); keeps a whole hash within about 512 MB.
    max_decoded_bytes: int = 256 * 1024 * 1024
    # PDQ's per-axis operators grow with a side's length, whatever the pixel count.
    max_image_side: int = 65_535
    max_video_seconds: float = 3600.0
    max_video_pixels: int = 3840 * 2160


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A PDQ hash as 64 hex characters with Meta's 0-100 quality score."""

    hex: str
    quality: int

    @property
    def usable(self) -> bool:
        """Whether the hash may be used for matching (quality >= 50)."""
        return self.quality >= MIN_USABLE_QUALITY


@dataclass(frozen=True, slots=True)
class ImageSignals:
    """Signals of one image: PDQ, its 8 dihedral variants (original first), MD5, SHA-256."""

    pdq: PdqHash
    dihedral: tuple[str, ...]
    md5: str
    sha256: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """The PDQ hash of one sampled video frame; timestamp in seconds from the stream start."""

    timestamp: float
    pdq: str
    quality: int

    @property
    def usable(self) -> bool:
        """Whether the frame's hash may be used for matching (quality >= 50)."""
        return self.quality >= MIN_USABLE_QUALITY


@dataclass(frozen=True, slots=True)
class VideoSignals:
    """Signals of one video: vPDQ frames in time order, MD5 and SHA-256 of the file.

    ``partial_reason`` is set when the file is cut short or breaks off but its first frames
    decoded: the frames are those of the part that exists, and the reason says what is missing.
    """

    frames: tuple[VideoFrame, ...]
    md5: str
    sha256: str
    duration: float
    width: int
    height: int
    partial_reason: str | None = None

    @property
    def partial(self) -> bool:
        """Whether only part of the video could be decoded."""
        return self.partial_reason is not None

    def first_usable(self) -> VideoFrame | None:
        """The first frame with quality >= 50, or None."""
        return next((f for f in self.frames if f.usable), None)
