"""Image signals: PDQ (with dihedral variants), MD5 and SHA-256, fast and memory-bounded."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from PIL import Image, JpegImagePlugin, UnidentifiedImageError

from hotline.hashing import pdq
from hotline.hashing._luma import decode_bytes, reduced_luma, storage_bytes_per_pixel
from hotline.hashing.errors import (
    DecompressionBomb,
    EmptyMedia,
    FileTooLarge,
    MediaError,
    NotMedia,
    TruncatedMedia,
)
from hotline.hashing.signals import DEFAULT_LIMITS, ImageSignals, Limits, PdqHash

if TYPE_CHECKING:  # numpy.typing costs a command-line start-up several milliseconds
    import numpy.typing as npt

# Decode so that the shorter side keeps at least this many pixels. PDQ blurs with a box of
# ceil(side / 128) pixels twice, so a reduced side of >= 256 keeps each reduced pixel within
# half a box width; docs/hashing.md gives the bits each choice costs against pdqhash.
MIN_REDUCED_SIDE = 256
_EXIF_ORIENTATION = 0x0112
# Photo and web formats only: Pillow's other plugins (EPS runs Ghostscript; ICO and ICNS
# decode embedded images of sizes their headers do not declare) are refused as not media.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "PPM", "AVIF", "HEIF")
# Format name -> Pillow plugin module. Pillow always loads JPEG, PNG, GIF, BMP and PPM; the
# others cost 3-10 ms each to import (native libraries; TIFF pulls in fractions), so they are
# imported only for files that start like them.
_PLUGINS = {"JPEG": "Jpeg", "PNG": "Png", "GIF": "Gif", "TIFF": "Tiff", "BMP": "Bmp",
            "PPM": "Ppm", "WEBP": "WebP", "AVIF": "Avif"}  # fmt: skip
# HEIC/HEIF (phones' default) brands; AVIF is HEIF's AV1 sibling that Pillow reads itself.
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
_BY_SIGNATURE: dict[str, Callable[[bytes], bool]] = {
    "TIFF": lambda head: head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "WEBP": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "AVIF": lambda head: head[4:8] == b"ftyp",
    "HEIF": lambda head: head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS,
}
# Files up to this size are read once into memory; larger ones are streamed twice (digests,
# then Pillow), which holds less.
_READ_WHOLE_BYTES = 32 * 1024 * 1024
_CHUNK = 1 << 20
# A file starting like an accepted format that Pillow cannot open is cut short, not "not media".
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
                     b"MM\x00*", b"BM")  # fmt: skip
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
    """Hash an image file; its size is checked first. Files over 32 MB are streamed (never
    held whole in memory); smaller ones are read once."""
    size = os.path.getsize(path)
    if size > limits.max_image_bytes:
        raise FileTooLarge(
            f"image file has {size} bytes, over the limit of {limits.max_image_bytes} bytes"
        )
    if size == 0:
        raise EmptyMedia("file is empty")
    with open(path, "rb") as handle:
        if size <= _READ_WHOLE_BYTES:
            return hash_image_bytes(handle.read(), limits)
        md5, sha256 = _digests(handle)
        handle.seek(0)
        return _signals(handle, md5, sha256, limits)


def hash_image_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ImageSignals:
    """Hash an encoded image: PDQ of the (EXIF-oriented) first frame, dihedral variants, digests."""
    if not data:
        raise EmptyMedia("file is empty")
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return _signals(io.BytesIO(data), md5, hashlib.sha256(data).hexdigest(), limits)


def _signals(source: BinaryIO, md5: str, sha256: str, limits: Limits) -> ImageSignals:
    plane, width, height = _decode(source, limits)
    pdq_hash, coeffs = _pdq_of_plane(plane)
    dihedral = pdq.dihedral_hexes(coeffs) if coeffs is not None else (pdq.ZERO_HEX,) * 8
    return ImageSignals(pdq_hash, dihedral, md5, sha256, width, height)


def _digests(handle: BinaryIO) -> tuple[str, str]:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        md5.update(chunk)
        sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest()


def pdq_of_image_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> PdqHash:
    """Only the PDQ hash of an encoded image (no digests, no dihedral variants)."""
    if not data:
        raise EmptyMedia("file is empty")
    plane, _, _ = _decode(io.BytesIO(data), limits)
    return _pdq_of_plane(plane)[0]


def pdq_of_image(image: Image.Image) -> PdqHash:
    """PDQ of an already-decoded Pillow image, at full resolution, without EXIF orientation."""
    luma = reduced_luma(image, 1)
    return _pdq_of_plane(_Plane(luma, (luma.shape[0], luma.shape[1]), (1, 1)))[0]


def _pdq_of_plane(plane: _Plane) -> tuple[PdqHash, pdq.F32 | None]:
    if not pdq.hashable(plane.full_shape):
        return PdqHash(pdq.ZERO_HEX, 0), None
    buffer64 = pdq.buffer64_from_luma(plane.luma, plane.full_shape, plane.scale, plane.reverse)
    coeffs = pdq.dct16(buffer64)
    return PdqHash(pdq.hex_from_dct(coeffs), pdq.quality_of(buffer64)), coeffs


def _decode(source: BinaryIO, limits: Limits) -> tuple[_Plane, int, int]:
    """Decode to an oriented, possibly reduced luma plane; returns it with display size.

    Every failure of a decoder, whatever it raises, becomes a MediaError: the bytes are
    untrusted and a plugin's own exception must never reach the caller as a crash.
    """
    try:
        image = _open(source, limits)
        try:
            orientation = _orientation(image)
            plane = _reduced_luma(image, limits)
        finally:
            image.close()
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"image refused while decoding: {exc}") from exc
    except MemoryError as exc:
        raise DecompressionBomb("image needs more memory to decode than is available") from exc
    except (OSError, SyntaxError, EOFError) as exc:
        raise TruncatedMedia(f"image data is truncated or corrupt: {exc}") from exc
    except Exception as exc:
        raise TruncatedMedia(f"image data is corrupt ({type(exc).__name__}: {exc})") from exc
    plane = _orient(plane, orientation)
    return plane, plane.full_shape[1], plane.full_shape[0]


def _open(source: BinaryIO, limits: Limits) -> Image.Image:
    head = _head(source)
    try:
        with warnings.catch_warnings():
            # Our own per-call limits below replace Pillow's global warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source, formats=_formats_for(head))
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"image refused before decoding: {exc}") from exc
    except UnidentifiedImageError as exc:
        if head.startswith(_IMAGE_SIGNATURES):
            raise TruncatedMedia("image header is truncated or corrupt") from exc
        raise NotMedia(
            f"not a recognised image format (accepted: {', '.join(_accepted_formats())})"
        ) from exc
    except ValueError as exc:
        if "too large" in str(exc):  # Pillow's limits on PNG text and ICC chunks
            raise DecompressionBomb(f"image refused before decoding: {exc}") from exc
        raise TruncatedMedia(f"image header is truncated or corrupt: {exc}") from exc
    except Exception as exc:
        raise TruncatedMedia(f"image header is truncated or corrupt: {exc}") from exc
    try:
        _check_header(image, limits)
    except MediaError:
        image.close()
        raise
    return image


def _head(source: BinaryIO) -> bytes:
    head = source.read(16)
    source.seek(0)
    return head


def _formats_for(head: bytes) -> list[str]:
    """The accepted formats worth trying on a file that starts with ``head``."""
    names = [n for n in ACCEPTED_FORMATS if n not in _BY_SIGNATURE]
    names += [n for n, starts in _BY_SIGNATURE.items() if starts(head)]
    return _loaded(tuple(names))


def _accepted_formats() -> list[str]:
    return _loaded(ACCEPTED_FORMATS)


@cache
def _loaded(names: tuple[str, ...]) -> list[str]:
    # Import just these plugins: Image.init() would import all 47 (a quarter of a second).
    for name in names:
        with contextlib.suppress(ImportError):  # a Pillow built without this codec
            if name == "HEIF":  # pillow-heif (libheif) registers itself as Pillow's HEIF opener
                importlib.import_module("pillow_heif").register_heif_opener()
            else:
                importlib.import_module(f"PIL.{_PLUGINS[name]}ImagePlugin")
    return [name for name in names if name in Image.OPEN]


def _check_header(image: Image.Image, limits: Limits) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise NotMedia(f"image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels:
        raise DecompressionBomb(
            f"image declares {width}x{height} = {width * height} pixels, "
            f"over the limit of {limits.max_pixels}; refused before decoding"
        )
    if max(width, height) > limits.max_image_side:
        raise DecompressionBomb(
            f"image declares {width}x{height} pixels, a side over the limit of "
            f"{limits.max_image_side}; refused before decoding"
        )


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


def _reduced_luma(image: Image.Image, limits: Limits) -> _Plane:
    """Reduce before converting: JPEG decodes reduced; others are reduced strip by strip."""
    full_size = width, height = image.size
    factor = _reduction(width, height)
    drafted = 1
    if factor > 1 and isinstance(image, JpegImagePlugin.JpegImageFile):
        # JPEG can decode straight to luma (the Y channel) at 1/2, 1/4 or 1/8 size.
        mode = "L" if image.mode in ("RGB", "L") else image.mode
        result = image.draft(mode, (width // factor, height // factor))
        if result is not None:
            drafted = round(width / result[1][2])
    rest = factor // drafted
    needed = decode_bytes(image, rest, full_size)
    if needed > limits.max_decoded_bytes:
        raise DecompressionBomb(
            f"image of {width}x{height} pixels in mode {image.mode} "
            f"({storage_bytes_per_pixel(image.mode)} bytes per pixel decoded) needs {needed} "
            f"bytes to decode, over the limit of {limits.max_decoded_bytes}; refused before "
            "decoding"
        )
    image.load()
    if image.size != (-(-width // drafted), -(-height // drafted)):
        raise TruncatedMedia(f"image decoded to {image.size}, not the {width}x{height} declared")
    try:
        luma = reduced_luma(image, rest)
    except ValueError as exc:
        raise NotMedia(str(exc)) from exc
    return _Plane(luma, (height, width), (factor, factor))


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
