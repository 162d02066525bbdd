"""Image hashing: modes, EXIF orientation, transforms against a pdqhash bank, bad input."""

from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pdqhash
import pytest
from media_factory import encode, jpeg_bytes, photo_like
from PIL import Image, ImageOps

from hotline.hashing.errors import (
    DecompressionBomb,
    EmptyMedia,
    FileTooLarge,
    MediaError,
    NotMedia,
    TruncatedMedia,
)
from hotline.hashing.images import hash_image_bytes, hash_image_file, pdq_of_image_bytes
from hotline.hashing.pdq import ZERO_HEX, hamming, pdq_reference
from hotline.hashing.signals import Limits

PHOTO = photo_like(640, 480, seed=3)
PHOTO_REFERENCE = pdq_reference(np.asarray(PHOTO))[0]


def _pdqhash_hex(image: Image.Image) -> str:
    bits, _quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image.convert("RGB"))))
    return f"{int(''.join(str(int(b)) for b in bits), 2):064x}"


def _sixteen_bit(image: Image.Image) -> Image.Image:
    wide = Image.fromarray(np.asarray(image.convert("L")).astype(np.uint16) * 257)
    assert wide.mode == "I;16"
    return wide


MODE_CASES = {
    "L": (lambda im: im.convert("L"), "PNG"),
    "LA": (lambda im: im.convert("LA"), "PNG"),
    "P": (lambda im: im.convert("P", palette=Image.Palette.ADAPTIVE, colors=256), "PNG"),
    "RGBA": (lambda im: im.convert("RGBA"), "PNG"),
    "CMYK-JPEG": (lambda im: im.convert("CMYK"), "JPEG"),
    "CMYK-TIFF": (lambda im: im.convert("CMYK"), "TIFF"),
    "YCbCr-TIFF": (lambda im: im.convert("YCbCr"), "TIFF"),
    "I;16": (_sixteen_bit, "PNG"),
    "I": (lambda im: _sixteen_bit(im).convert("I"), "TIFF"),
    "F": (lambda im: im.convert("F"), "TIFF"),
    "RGB-WEBP": (lambda im: im, "WEBP"),
    "RGB-BMP": (lambda im: im, "BMP"),
    "GIF": (lambda im: im.convert("P", palette=Image.Palette.ADAPTIVE), "GIF"),
}
LOSSY = {"P", "CMYK-JPEG", "RGB-WEBP", "GIF"}


@pytest.mark.parametrize("case", list(MODE_CASES))
def test_every_mode_hashes_like_the_photo(case):
    convert, fmt = MODE_CASES[case]
    data = encode(convert(PHOTO), fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP") else {}))
    signals = hash_image_bytes(data)
    assert (signals.width, signals.height) == PHOTO.size
    assert signals.pdq.usable
    if case in LOSSY:
        # Palettes and lossy codecs change the pixels: compare with what was decoded, and
        # with the photo at the matching threshold.
        decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert hamming(signals.pdq.hex, pdq_reference(decoded)[0]) <= 10
        assert hamming(signals.pdq.hex, PHOTO_REFERENCE) <= 31
    else:
        assert hamming(signals.pdq.hex, PHOTO_REFERENCE) <= 10


def test_bilevel_mode_hashes_its_own_pixels():
    bilevel = PHOTO.convert("1")
    signals = hash_image_bytes(encode(bilevel, "PNG"))
    assert hamming(signals.pdq.hex, pdq_reference(np.asarray(bilevel.convert("L")))[0]) <= 10


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(PHOTO, "JPEG", quality=95, exif=exif.tobytes())
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    signals = hash_image_bytes(data)
    assert (signals.width, signals.height) == shown.size
    assert hamming(signals.pdq.hex, pdq_reference(np.asarray(shown))[0]) <= 10


def test_orientation_6_equals_the_rotated_image():
    big = photo_like(1600, 1200, seed=5)  # large enough to take the reduced JPEG decode
    exif = Image.Exif()
    exif[0x0112] = 6  # display needs a 90 degree clockwise turn
    tagged = hash_image_bytes(encode(big, "JPEG", quality=92, exif=exif.tobytes()))
    rotated = hash_image_bytes(
        encode(big.transpose(Image.Transpose.ROTATE_270), "JPEG", quality=92)
    )
    assert (tagged.width, tagged.height) == (1200, 1600)
    assert hamming(tagged.pdq.hex, rotated.pdq.hex) <= 4
    assert tagged.dihedral[0] == tagged.pdq.hex


@pytest.mark.parametrize(("width", "height"), [(300, 200), (1280, 720), (1920, 1080), (2600, 1900)])
def test_fast_path_agrees_with_reference(width, height):
    data = jpeg_bytes(width, height, seed=width)
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert hamming(pdq_of_image_bytes(data).hex, pdq_reference(decoded)[0]) <= 10


TRANSFORMS = {
    "jpeg-q50": lambda im: Image.open(io.BytesIO(encode(im, "JPEG", quality=50))),
    "half-size": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.BILINEAR),
    "grayscale": lambda im: im.convert("L"),
}


@pytest.mark.parametrize("transform", list(TRANSFORMS))
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (3000, 2100)])
def test_transformed_queries_match_a_pdqhash_bank(transform, size):
    bank = {}
    for seed in range(3):
        original = Image.open(io.BytesIO(jpeg_bytes(*size, seed=seed)))
        bank[seed] = _pdqhash_hex(original)
    query = TRANSFORMS[transform](Image.open(io.BytesIO(jpeg_bytes(*size, seed=1))))
    signals = hash_image_bytes(encode(query, "JPEG", quality=90))
    distances = {seed: hamming(signals.pdq.hex, h) for seed, h in bank.items()}
    assert distances[1] <= 31
    assert min(distances[0], distances[2]) > 31


def test_animated_image_hashes_its_first_frame():
    frames = [PHOTO, PHOTO.transpose(Image.Transpose.ROTATE_180)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    first = np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))
    assert hamming(hash_image_bytes(out.getvalue()).pdq.hex, pdq_reference(first)[0]) <= 10


def test_tiny_image_has_zero_hash_and_is_unusable():
    signals = hash_image_bytes(encode(Image.new("RGB", (4, 30), (9, 9, 9)), "PNG"))
    assert signals.pdq.hex == ZERO_HEX
    assert signals.pdq.quality == 0
    assert not signals.pdq.usable
    assert signals.dihedral == (ZERO_HEX,) * 8


def test_flat_image_is_kept_but_flagged_unusable():
    signals = hash_image_bytes(encode(Image.new("RGB", (300, 300), (120, 130, 140)), "PNG"))
    assert signals.pdq.quality < 50
    assert not signals.pdq.usable


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("width", "height"), [(100_000, 100_000), (12_000, 10_000), (20_000, 5_001)]
)
def test_decompression_bomb_is_refused_before_decoding(width, height):
    data = _png_header(width, height)  # no pixel data at all: decoding would fail otherwise
    assert len(data) < 100
    with pytest.raises(DecompressionBomb, match="refused before decoding"):
        hash_image_bytes(data)


def test_per_call_pixel_limit():
    data = jpeg_bytes(200, 100)
    with pytest.raises(DecompressionBomb, match="200x100 = 20000 pixels, over the limit of 19999"):
        hash_image_bytes(data, Limits(max_pixels=19_999))
    assert hash_image_bytes(data, Limits(max_pixels=20_000)).width == 200


def test_truncated_jpeg():
    data = jpeg_bytes(640, 480)
    with pytest.raises(TruncatedMedia, match="truncated"):
        hash_image_bytes(data[: len(data) // 2])


def test_empty_bytes_and_empty_file(tmp_path):
    with pytest.raises(EmptyMedia, match="empty"):
        hash_image_bytes(b"")
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(EmptyMedia):
        hash_image_file(path)


def test_random_bytes_are_not_media():
    with pytest.raises(NotMedia, match="not a recognised image format"):
        hash_image_bytes(os.urandom(4096))


def test_file_size_limit(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(64, 64))
    with pytest.raises(FileTooLarge, match="over the limit of 100"):
        hash_image_file(path, Limits(max_image_bytes=100))


def test_errors_share_a_base_class():
    assert issubclass(DecompressionBomb, MediaError)
    assert issubclass(TruncatedMedia, MediaError)


def test_digests_are_of_the_bytes():
    data = jpeg_bytes(100, 80)
    signals = hash_image_bytes(data)
    import hashlib

    assert signals.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert signals.sha256 == hashlib.sha256(data).hexdigest()
