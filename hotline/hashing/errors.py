"""Exceptions raised for media that cannot or must not be hashed."""

from __future__ import annotations


class MediaError(Exception):
    """Base class: the media could not be hashed; the message names the problem."""


class EmptyMedia(MediaError):
    """The file or byte string is empty."""


class NotMedia(MediaError):
    """The bytes are not an image or video format that can be decoded."""


class TruncatedMedia(MediaError):
    """The header was read but the data is cut short or corrupt."""


class DecompressionBomb(MediaError):
    """The image declares more pixels than allowed; refused before decoding."""


class FileTooLarge(MediaError):
    """The file has more bytes than allowed for its kind."""


class VideoTooLong(MediaError):
    """The video lasts longer than allowed."""


class VideoTooLarge(MediaError):
    """The video's frames have more pixels than allowed."""
