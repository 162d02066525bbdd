"""A corpus of bad and unusual media, generated with numpy, Pillow and PyAV (no real imagery).

`corpus()` maps a file name to (bytes, expected): expected is "image" or "video" for media
that must hash, "partial" for a video that must hash and say it is partial, or the MediaError
subclass that must be raised. `large_corpus()` adds files near the limits for the memory test.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from hotline.hashing.errors import (
    DecompressionBomb,
    EmptyMedia,
    MediaError,
    NotMedia,
    TruncatedMedia,
)
from tests.hashing.media_factory import encode, encode_video, photo_like, scene

Expected = str | type[MediaError]
# Pillow would hand this to Ghostscript; hotline must refuse it without running anything.
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 9 9\n0 0 moveto showpage\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, bit_depth: int = 8, colour: int = 2) -> bytes:
    """A valid PNG header claiming a size, with a tiny (wrong-sized) IDAT."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_with_text_bomb() -> bytes:
    """A small PNG whose zTXt chunk inflates to 64 MB of text (Pillow refuses it)."""
    base = encode(photo_like(64, 64), "PNG")
    text = b"comment\x00\x00" + zlib.compress(b"\x00" * (64 << 20), 9)
    return base[:33] + _png_chunk(b"zTXt", text) + base[33:]


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG with its SOF0 frame size rewritten: a tiny file that claims a huge image."""
    data = bytearray(encode(photo_like(64, 64), "JPEG", quality=80))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose logical screen and first frame claim a huge size, with 1 pixel of data."""
    data = bytearray(encode(Image.new("P", (1, 1)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    at = data.index(b"\x2c")  # image descriptor
    data[at + 5 : at + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def tiff_claiming(width: int, height: int) -> bytes:
    """A one-strip TIFF whose tags claim a huge image."""
    data = bytearray(encode(Image.new("L", (8, 8), 100), "TIFF"))
    entries = struct.unpack_from("<H", data, struct.unpack_from("<I", data, 4)[0])[0]
    start = struct.unpack_from("<I", data, 4)[0] + 2
    for n in range(entries):
        tag, kind = struct.unpack_from("<HH", data, start + 12 * n)
        if tag in (256, 257):
            value = width if tag == 256 else height
            fmt = "<H" if kind == 3 else "<I"
            struct.pack_into(fmt, data, start + 12 * n + 8, value)
    return bytes(data)


def bmp_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (4, 4)), "BMP"))
    struct.pack_into("<ii", data, 18, width, height)
    return bytes(data)


def _photo(fmt: str, mode: str = "RGB", **params: object) -> bytes:
    image = photo_like(320, 240, seed=7)
    return encode(image if mode == "RGB" else image.convert(mode), fmt, **params)


def _cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def sixteen_bit_png(width: int, height: int) -> bytes:
    """A 16-bit grayscale PNG of a gradient with stripes (2 bytes per pixel while built)."""
    values = np.add.outer(
        np.arange(height, dtype=np.uint16) * np.uint16(3),
        np.arange(width, dtype=np.uint16) * np.uint16(7),
    )  # wraps around at 65536: a saw-tooth pattern
    values[::37, :] = 60000
    return encode(Image.fromarray(values), "PNG", compress_level=1)


def palette_with_transparency() -> bytes:
    image = photo_like(320, 240, seed=8).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return encode(image, "PNG", transparency=0)


def animated_gif() -> bytes:
    frames = [photo_like(160, 120, seed=s).convert("P") for s in range(4)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def _video(container: str = "mp4", codec: str = "libx264", seconds: float = 4.0) -> bytes:
    return encode_video(scene(160, 120, seconds, 10), 10, codec=codec, container=container)


def faststart_mp4(folder: Path) -> bytes:
    """An MP4 with its index (moov) first, so a cut leaves whole frames before it."""
    import av

    path = folder / "faststart.mp4"
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for array in scene(160, 120, 4.0, 10):
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path.read_bytes()


def audio_only(container: str) -> bytes:
    import av

    out = io.BytesIO()
    codec = "aac" if container == "mp4" else "pcm_s16le"
    with av.open(out, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=8000)
        for n in range(8):
            samples = np.zeros((1, 1024), dtype=np.float32 if codec == "aac" else np.int16)
            frame = av.AudioFrame.from_ndarray(
                samples, format="fltp" if codec == "aac" else "s16", layout="mono"
            )
            frame.sample_rate, frame.pts = 8000, n * 1024
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return out.getvalue()


def _images() -> dict[str, tuple[Callable[[], bytes], Expected]]:
    jpeg = _photo("JPEG", quality=90)
    progressive = _photo("JPEG", quality=90, progressive=True)
    png = _photo("PNG")
    return {
        "zero-length.jpg": (lambda: b"", EmptyMedia),
        "random.bin": (lambda: np.random.default_rng(1).bytes(5000), NotMedia),
        "text.txt": (lambda: b"this is not an image\n" * 40, NotMedia),
        "wrong-magic.png": (lambda: b"\x89PNX" + png[4:], NotMedia),
        "wrong-magic.jpg": (lambda: b"\xff\xd9" + jpeg[2:], NotMedia),
        "eps-not-accepted.eps": (
            lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 9 9\n",
            NotMedia,
        ),
        "ico-not-accepted.ico": (lambda: encode(photo_like(64, 64), "ICO"), NotMedia),
        "truncated-header.jpg": (lambda: jpeg[:300], TruncatedMedia),
        "truncated-half.jpg": (lambda: _cut(jpeg, 0.5), TruncatedMedia),
        "truncated-progressive.jpg": (lambda: _cut(progressive, 0.4), TruncatedMedia),
        "truncated-half.png": (lambda: _cut(png, 0.5), TruncatedMedia),
        "truncated-header.png": (lambda: png[:30], TruncatedMedia),
        "truncated.gif": (lambda: _cut(_photo("GIF", "P"), 0.5), TruncatedMedia),
        "truncated.webp": (lambda: _cut(_photo("WEBP", quality=80), 0.5), TruncatedMedia),
        "truncated.tiff": (lambda: _cut(_photo("TIFF"), 0.5), TruncatedMedia),
        "truncated.bmp": (lambda: _cut(_photo("BMP"), 0.5), TruncatedMedia),
        "claims-60000x60000.png": (lambda: png_claiming(60000, 60000), DecompressionBomb),
        "claims-16bit-10000x10000-cut.png": (
            lambda: png_claiming(10000, 10000, bit_depth=16, colour=0),
            TruncatedMedia,
        ),
        "claims-70000x2.png": (lambda: png_claiming(70000, 2, colour=0), DecompressionBomb),
        "claims-65000x65000.jpg": (lambda: jpeg_claiming(65000, 65000), DecompressionBomb),
        "claims-65535x65535.gif": (lambda: gif_claiming(65535, 65535), DecompressionBomb),
        "claims-50000x50000.tiff": (lambda: tiff_claiming(50000, 50000), DecompressionBomb),
        "claims-50000x50000.bmp": (lambda: bmp_claiming(50000, 50000), DecompressionBomb),
        "text-chunk-bomb.png": (png_with_text_bomb, DecompressionBomb),
        "sixteen-bit.png": (lambda: sixteen_bit_png(320, 240), "image"),
        "cmyk.jpg": (lambda: _photo("JPEG", "CMYK", quality=90), "image"),
        "cmyk.tiff": (lambda: _photo("TIFF", "CMYK"), "image"),
        "palette-transparency.png": (palette_with_transparency, "image"),
        "animated.gif": (animated_gif, "image"),
        "progressive.jpg": (lambda: progressive, "image"),
        "la.png": (lambda: _photo("PNG", "LA"), "image"),
        "float.tiff": (lambda: _photo("TIFF", "F"), "image"),
        "bilevel.png": (lambda: _photo("PNG", "1"), "image"),
    }


def _videos(folder: Path) -> dict[str, tuple[Callable[[], bytes], Expected]]:
    mp4 = _video()
    moov = mp4.rindex(b"moov") - 4
    faststart = faststart_mp4(folder)
    mkv = _video("matroska")
    return {
        "whole.mp4": (lambda: mp4, "video"),
        "index-at-end-cut.mp4": (lambda: _cut(mp4, 0.6), TruncatedMedia),
        "index-cut-inside.mp4": (lambda: mp4[: moov + 200], TruncatedMedia),
        "index-cut-last-bytes.mp4": (lambda: mp4[:-40], "partial"),
        "few-whole-frames.mp4": (lambda: _cut(faststart, 0.5), "partial"),
        "index-only.mp4": (lambda: faststart[: faststart.index(b"mdat") + 100], TruncatedMedia),
        "truncated.mkv": (lambda: _cut(mkv, 0.6), "partial"),
        "truncated-early.webm": (lambda: _cut(_video("webm", "libvpx-vp9"), 0.2), TruncatedMedia),
        "audio-only.mkv": (lambda: audio_only("matroska"), NotMedia),
        "audio-only.mp4": (lambda: audio_only("mp4"), NotMedia),
        "ftyp-then-noise.mp4": (
            lambda: mp4[:32] + np.random.default_rng(2).bytes(4000),
            TruncatedMedia,
        ),
    }


@lru_cache(maxsize=2)
def _corpus(folder: str) -> dict[str, tuple[bytes, Expected]]:
    makers = {**_images(), **_videos(Path(folder))}
    return {name: (make(), expected) for name, (make, expected) in makers.items()}


def corpus(folder: Path) -> dict[str, tuple[bytes, Expected]]:
    """Every bad or unusual file with what hashing it must give; ``folder`` is scratch space."""
    return _corpus(str(folder))


def write_corpus(folder: Path) -> dict[Path, Expected]:
    """Write the corpus as files; returns each path with its expected outcome."""
    scratch = folder / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (data, expected) in corpus(scratch).items():
        path = folder / name
        path.write_bytes(data)
        written[path] = expected
    return written


def _flat(mode: str, size: tuple[int, int], fmt: str, **params: object) -> bytes:
    image = Image.new(mode, size, 90 if mode in ("L", "P") else (90,) * len(mode))
    if fmt == "PNG":
        params.setdefault("compress_level", 1)
    return encode(image, fmt, **params)


def large_corpus() -> dict[str, Callable[[], bytes]]:
    """Files within the default limits that make decoders work hardest, for the memory test."""
    return {
        # The file: about 200 KB, 10,000 x 10,000 16-bit (2 bytes per pixel decoded).
        "sixteen-bit-10000x10000.png": lambda: sixteen_bit_png(10000, 10000),
        # 8-bit grayscale at the pixel limit: 100 MB decoded.
        "gray-10000x10000.png": lambda: _flat("L", (10000, 10000), "PNG"),
        # RGBA at the decoded-bytes limit (4 bytes per pixel): 8,000 x 8,000 = 256 MB.
        "rgba-8000x8000.png": lambda: _flat("RGBA", (8000, 8000), "PNG"),
        # Elongated: the short side keeps the reduction at 1, so the plane is the image.
        "rgb-65000x600.png": lambda: _flat("RGB", (65000, 600), "PNG"),
        "progressive-9000x7000.jpg": lambda: encode(
            Image.new("RGB", (9000, 7000), (120, 40, 200)), "JPEG", progressive=True
        ),
        "baseline-10000x10000.jpg": lambda: encode(Image.new("RGB", (10000, 10000)), "JPEG"),
        "webp-5600x5600.webp": lambda: encode(Image.new("RGB", (5600, 5600), 7), "WEBP"),
        "tiff-deflate-10000x6000.tiff": lambda: encode(
            Image.new("RGB", (10000, 6000), (1, 2, 3)), "TIFF", compression="tiff_adobe_deflate"
        ),
        "gif-10000x10000.gif": lambda: encode(Image.new("P", (10000, 10000)), "GIF"),
        "sixteen-bit-claims-only.png": lambda: png_claiming(10000, 10000, 16, 0),
    }
