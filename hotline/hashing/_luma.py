"""Decoded Pillow images to reduced luma planes, strip by strip, with a byte count first.

Reducing before converting keeps memory at the decoded image plus one strip: a full-size
float copy of a 100-megapixel image would be 400 MB on its own. `decode_bytes` says, before
any pixel is decoded, how many bytes decoding and reducing will hold at once, so an image is
refused by what it costs rather than by its pixel count alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, JpegImagePlugin

if TYPE_CHECKING:  # numpy.typing costs a command-line start-up several milliseconds
    import numpy.typing as npt

SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})
_WIDE_MODES = SIXTEEN_BIT_MODES | {"F"}
# Bytes per pixel of Pillow's own storage: 1 for these, 2 for I;16*, 4 for every other mode
# (RGB is stored as 4 bytes per pixel).
_ONE_BYTE_MODES = frozenset({"1", "L", "P"})
# Decoders that fill buffers of their own before Pillow copies the pixels: copies of the
# image held at once, measured with tests/hashing/test_memory.py (WebP's animation decoder
# keeps a canvas and a previous canvas; libavif a YUV frame and an RGB one).
_DECODER_COPIES = {"WEBP": 4, "AVIF": 3, "HEIF": 3}
_STRIP_PIXELS = 1 << 20  # pixels converted at a time


def storage_bytes_per_pixel(mode: str) -> int:
    """How many bytes Pillow stores per pixel of an image in ``mode``."""
    if mode in _ONE_BYTE_MODES:
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def decode_bytes(image: Image.Image, factor: int, full_size: tuple[int, int]) -> int:
    """Bytes held at once while ``image`` (already drafted from ``full_size``) is decoded and
    reduced by ``factor``.

    The decoded image (times the copies its decoder holds), a progressive JPEG's
    coefficient buffer (2 bytes per coefficient, at full resolution), and the reduced plane
    (float32 for 16-bit and float modes, 8-bit otherwise).
    """
    width, height = image.size
    pixels = width * height
    total = pixels * storage_bytes_per_pixel(image.mode)
    total *= _DECODER_COPIES.get(image.format or "", 1)
    if isinstance(image, JpegImagePlugin.JpegImageFile) and image.info.get("progressive"):
        total += _jpeg_coefficient_bytes(image, full_size)
    plane_bytes = 4 if image.mode in _WIDE_MODES else 1
    rows, cols = -(-height // factor), -(-width // factor)
    return total + rows * cols * plane_bytes


def _jpeg_coefficient_bytes(
    image: JpegImagePlugin.JpegImageFile, full_size: tuple[int, int]
) -> int:

    # libjpeg keeps every DCT coefficient of a progressive JPEG until the last scan, whatever
    # the output scale: 2 bytes per coefficient per component, scaled by its sampling factors.
    full_width, full_height = full_size
    layers = getattr(image, "layer", None) or [("Y", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    share = sum(layer[1] * layer[2] for layer in layers) / (h_max * v_max)
    return int(full_width * full_height * share * 2)


def reduced_luma(image: Image.Image, factor: int) -> npt.NDArray[np.generic]:
    """Luma of a loaded image reduced by ``factor`` (box average), converted strip by strip.

    8-bit modes give a uint8 plane through Pillow's own conversions (P through its palette,
    CMYK/YCbCr via RGB, LAB's L channel); 16-bit and float modes give float32 on 0..255.
    """
    width, height = image.size
    if image.mode == "L" and factor == 1:
        return np.asarray(image)
    rows_per_strip = max(1, _STRIP_PIXELS // max(1, width) // factor) * factor
    strips = []
    for top in range(0, height, rows_per_strip):
        strip = image.crop((0, top, width, min(height, top + rows_per_strip)))
        strips.append(_strip_luma(strip, factor))
    return np.concatenate(strips, axis=0)


def _strip_luma(strip: Image.Image, factor: int) -> npt.NDArray[np.generic]:
    if strip.mode in _WIDE_MODES:
        return _block_mean(_wide_luma(strip), factor)
    gray = to_gray(strip)
    if factor > 1:
        gray = gray.reduce(factor)  # box average, last partial block averaged over what exists
    return np.asarray(gray)


def _wide_luma(strip: Image.Image) -> npt.NDArray[np.float32]:
    """16-bit data scaled down to 0..255 (as its 8-bit version would be), floats clipped."""
    values = np.asarray(strip).astype(np.float32)
    if strip.mode in SIXTEEN_BIT_MODES:
        values /= np.float32(257.0)
    np.clip(values, np.float32(0.0), np.float32(255.0), out=values)
    return values


def _block_mean(values: npt.NDArray[np.float32], factor: int) -> npt.NDArray[np.float32]:
    if factor == 1:
        return values
    rows, cols = values.shape
    row_starts, col_starts = np.arange(0, rows, factor), np.arange(0, cols, factor)
    sums = np.add.reduceat(np.add.reduceat(values, row_starts, axis=0), col_starts, axis=1)
    row_counts = np.minimum(factor, rows - row_starts).astype(np.float32)
    col_counts = np.minimum(factor, cols - col_starts).astype(np.float32)
    return np.asarray(sums / (row_counts[:, None] * col_counts[None, :]), dtype=np.float32)


def to_gray(image: Image.Image) -> Image.Image:
    """Convert any 8-bit Pillow mode to 8-bit luma; alpha is ignored, as pdqhash does."""
    if image.mode == "L":
        return image
    if image.mode == "LAB":
        return image.getchannel("L")
    try:
        return image.convert("L")
    except ValueError:
        pass
    try:
        return image.convert("RGB").convert("L")
    except ValueError as exc:
        raise ValueError(f"unsupported image mode {image.mode}") from exc
