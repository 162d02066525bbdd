"""Image signals: PDQ (with dihedral variants), MD5 and SHA-256, fast and memory-bounded."""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, JpegImagePlugin, UnidentifiedImageError

from hotline.hashing import pdq
from hotline.hashing.errors import (
    DecompressionBomb,
    EmptyMedia,
    FileTooLarge,
    NotMedia,
    TruncatedMedia,
)
from hotline.hashing.signals import DEFAULT_LIMITS, ImageSignals, Limits, PdqHash

# Decode so that the shorter side keeps at least this many pixels. PDQ blurs with a box of
# ceil(side / 128) pixels twice, so a reduced side of >= 256 keeps each reduced pixel within
# half a box width; docs/hashing.md gives the bits each choice costs against pdqhash.
MIN_REDUCED_SIDE = 256
_EXIF_ORIENTATION = 0x0112
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
# EXIF orientation -> (transpose, flip rows, flip columns), applied in that order.
_ORIENTATIONS = {
    1: (False, False, False),
    2: (False, False, True),
    3: (False, True, True),
    4: (False, True, False),
    5: (True, False, False),
    6: (True, False, True),
    7: (True, True, True),
    8: (True, True, False),
}


@dataclass(frozen=True, slots=True)
class _Plane:
    """A luma plane with the full-resolution shape and the block size each pixel stands for."""

    luma: npt.NDArray[np.generic]
    full_shape: tuple[int, int]
    scale: tuple[int, int]
    reverse: tuple[bool, bool] = (False, False)


def hash_image_file(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> ImageSignals:
    """Hash an image file; the file is read once, its size checked first."""
    size = os.path.getsize(path)
    if size > limits.max_image_bytes:
        raise FileTooLarge(
            f"image file has {size} bytes, over the limit of {limits.max_image_bytes}"
        )
    with open(path, "rb") as handle:
        return hash_image_bytes(handle.read(), limits)


def hash_image_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ImageSignals:
    """Hash an encoded image: PDQ of the (EXIF-oriented) first frame, dihedral variants, digests."""
    plane, width, height = _decode(data, limits)
    pdq_hash, coeffs = _pdq_of_plane(plane)
    dihedral = pdq.dihedral_hexes(coeffs) if coeffs is not None else (pdq.ZERO_HEX,) * 8
    return ImageSignals(
        pdq=pdq_hash,
        dihedral=dihedral,
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
    )


def pdq_of_image_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> PdqHash:
    """Only the PDQ hash of an encoded image (no digests, no dihedral variants)."""
    plane, _, _ = _decode(data, limits)
    return _pdq_of_plane(plane)[0]


def pdq_of_image(image: Image.Image) -> PdqHash:
    """PDQ of an already-decoded Pillow image, at full resolution, without EXIF orientation."""
    luma = _luma_array(image)
    return _pdq_of_plane(_Plane(luma, (luma.shape[0], luma.shape[1]), (1, 1)))[0]


def _pdq_of_plane(plane: _Plane) -> tuple[PdqHash, pdq.F32 | None]:
    if not pdq.hashable(plane.full_shape):
        return PdqHash(pdq.ZERO_HEX, 0), None
    buffer64 = pdq.buffer64_from_luma(plane.luma, plane.full_shape, plane.scale, plane.reverse)
    coeffs = pdq.dct16(buffer64)
    return PdqHash(pdq.hex_from_dct(coeffs), pdq.quality_of(buffer64)), coeffs


def _decode(data: bytes, limits: Limits) -> tuple[_Plane, int, int]:
    """Decode to an oriented, possibly reduced luma plane; returns it with display size."""
    if not data:
        raise EmptyMedia("file is empty")
    image = _open(data, limits)
    try:
        orientation = _orientation(image)
        plane = _reduced_luma(image)
    finally:
        image.close()
    plane = _orient(plane, orientation)
    return plane, plane.full_shape[1], plane.full_shape[0]


def _open(data: bytes, limits: Limits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Our own per-call pixel limit below replaces Pillow's global warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"image refused before decoding: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise NotMedia("not a recognised image format") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise TruncatedMedia(f"image header is truncated or corrupt: {exc}") from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise NotMedia(f"image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels:
        image.close()
        raise DecompressionBomb(
            f"image declares {width}x{height} = {width * height} pixels, "
            f"over the limit of {limits.max_pixels}; refused before decoding"
        )
    return image


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and value in _ORIENTATIONS else 1


def _reduction(width: int, height: int) -> int:
    """Largest power-of-two factor (<= 8, JPEG's DCT scaling) keeping MIN_REDUCED_SIDE."""
    factor = 1
    while factor < 8 and min(width, height) // (factor * 2) >= MIN_REDUCED_SIDE:
        factor *= 2
    return factor


def _reduced_luma(image: Image.Image) -> _Plane:
    width, height = image.size
    factor = _reduction(width, height)
    drafted = 1
    if factor > 1 and isinstance(image, JpegImagePlugin.JpegImageFile):
        # JPEG can decode straight to luma (the Y channel) at 1/2, 1/4 or 1/8 size.
        mode = "L" if image.mode in ("RGB", "L") else image.mode
        result = image.draft(mode, (width // factor, height // factor))
        if result is not None:
            drafted = round(width / result[1][2])
    try:
        image.load()
        if image.mode in _SIXTEEN_BIT_MODES or image.mode == "F":
            luma = _luma_array(image)
            return _Plane(luma, (height, width), (drafted, drafted))
        gray = _to_gray(image)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise TruncatedMedia(f"image data is truncated or corrupt: {exc}") from exc
    rest = factor // drafted
    if rest > 1:
        gray = gray.reduce(rest)  # box average, last partial block averaged over what exists
    return _Plane(np.asarray(gray), (height, width), (drafted * rest, drafted * rest))


def _to_gray(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit luma; alpha is ignored, as pdqhash does."""
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
        raise NotMedia(f"unsupported image mode {image.mode}") from exc


def _luma_array(image: Image.Image) -> npt.NDArray[np.float32]:
    """Luma on a 0..255 scale as float32; 16-bit data is scaled down, floats are clipped."""
    if image.mode in _SIXTEEN_BIT_MODES:
        wide = np.asarray(image).astype(np.float32)
        return np.asarray(np.clip(wide / np.float32(257.0), 0.0, 255.0), dtype=np.float32)
    if image.mode == "F":
        return np.clip(np.asarray(image, dtype=np.float32), np.float32(0.0), np.float32(255.0))
    return np.asarray(_to_gray(image), dtype=np.float32)


def _orient(plane: _Plane, orientation: int) -> _Plane:
    """Apply EXIF orientation to the reduced plane, tracking which axes were flipped."""
    transpose, flip_rows, flip_cols = _ORIENTATIONS[orientation]
    if orientation == 1:
        return plane
    luma, full, scale = plane.luma, plane.full_shape, plane.scale
    if transpose:
        luma, full, scale = luma.T, (full[1], full[0]), (scale[1], scale[0])
    if flip_rows:
        luma = luma[::-1, :]
    if flip_cols:
        luma = luma[:, ::-1]
    return _Plane(luma, full, scale, (flip_rows, flip_cols))
