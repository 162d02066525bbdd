"""Where an ISO media file (MP4, MOV) is cut short, from its top-level box headers alone.

FFmpeg reads a file whose last box is cut as far as it can and says nothing when the frames it
reached were whole; walking the box headers says exactly which box the file ends inside.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

_HEADER = 8
_MAX_BOXES = 10_000  # a real file has a handful of top-level boxes


def cut_box(source: BinaryIO) -> str | None:
    """The problem with the top-level boxes, such as "the file ends inside its 'moov' box
    (1,200 of 5,000 bytes)", or None when every box is whole. Leaves the position at 0."""
    try:
        return _walk(source)
    finally:
        source.seek(0)


def _walk(source: BinaryIO) -> str | None:
    end = source.seek(0, os.SEEK_END)
    offset = 0
    for _ in range(_MAX_BOXES):
        if offset >= end:
            return None
        source.seek(offset)
        header = source.read(_HEADER)
        if len(header) < _HEADER:
            return f"the file ends inside a box header at byte {offset}"
        size, kind = struct.unpack(">I4s", header)
        if not kind.isascii() or not kind.decode("ascii").isprintable():
            return f"its box headers are corrupt at byte {offset}"
        name = kind.decode("ascii")
        if size == 1:
            large = source.read(8)
            if len(large) < 8:
                return f"the file ends inside the header of its {name!r} box"
            size = struct.unpack(">Q", large)[0]
        elif size == 0:
            return None  # the box runs to the end of the file, whatever its length
        if size < _HEADER:
            return f"its {name!r} box at byte {offset} has an impossible size ({size})"
        if offset + size > end:
            return (
                f"the file ends inside its {name!r} box "
                f"({end - offset:,} of {size:,} bytes present)"
            )
        offset += size
    return None
