"""Exceptions raised for media that cannot or must not be hashed."""

from __future__ import annotations


class MediaError(Exception):
    """Base class: the media could not be hashed; the message names the problem."""

    code = "bad_media"


class EmptyMedia(MediaError):
    """The file or byte string is empty."""

    code = "empty_media"


class NotMedia(MediaError):
    """The bytes are not an image or video format that can be decoded."""

    code = "not_media"


class TruncatedMedia(MediaError):
    """The header was read but the data is cut short or corrupt."""

    code = "truncated_media"


class DecompressionBomb(MediaError):
    """The image declares more pixels than allowed; refused before decoding."""

    code = "decompression_bomb"


class FileTooLarge(MediaError):
    """The file has more bytes than allowed for its kind."""

    code = "file_too_large"


class VideoTooLong(MediaError):
    """The video lasts longer than allowed."""

    code = "video_too_long"


class VideoTooLarge(MediaError):
    """The video's frames have more pixels than allowed."""

    code = "video_too_large"
