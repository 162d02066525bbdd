"""Synthetic test media: photo-like images and small videos made with numpy, Pillow and PyAV."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"


def shared_testdata() -> Path:
    """The shared Meta reference data; fails loudly when it is missing."""
    if not (TESTDATA / "pdq" / "expected-pdqhash.csv").is_file():
        raise FileNotFoundError(f"shared test data not found at {TESTDATA.resolve()}")
    return TESTDATA


def photo_like(width: int, height: int, seed: int = 0) -> Image.Image:
    """An RGB image with smooth gradients, blurred shapes and sensor-like noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.empty((height, width, 3), dtype=np.float32)
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
        base[..., c] = 128 + 90 * np.sin(fx * 6.28 * x / width + phase) * np.cos(
            fy * 6.28 * y / height
        )
    image = Image.fromarray(base.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    scale = min(width, height)
    for _ in range(12):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.03, 0.2) * scale
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        box = (cx - r, cy - r * rng.uniform(0.5, 1.5), cx + r, cy + r)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(radius=max(1.0, scale / 400)))
    noisy = np.asarray(image, dtype=np.int16) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(noisy.clip(0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """Encode a Pillow image to bytes."""
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


@lru_cache(maxsize=32)
def jpeg_bytes(width: int, height: int, seed: int = 0, quality: int = 90) -> bytes:
    """A photo-like JPEG."""
    return encode(photo_like(width, height, seed), "JPEG", quality=quality)


def scene(width: int, height: int, seconds: float, fps: int, seed: int = 0) -> list[np.ndarray]:
    """RGB frames: a slow pan across a photo-like image, with a cut to another at half time."""
    first = np.asarray(photo_like(width * 2, height, seed))
    second = np.asarray(photo_like(width * 2, height, seed + 100))
    count = round(seconds * fps)
    frames = []
    for index in range(count):
        source = first if index < count // 2 else second
        offset = int(index / max(1, count - 1) * width)
        frames.append(np.ascontiguousarray(source[:, offset : offset + width]))
    return frames


def encode_video(
    frames: list[np.ndarray], fps: int, codec: str = "libx264", container: str = "mp4"
) -> bytes:
    """Encode RGB frames with PyAV; mp4 puts its index (moov) at the end."""
    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        for array in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return out.getvalue()


@lru_cache(maxsize=8)
def video_bytes(
    width: int = 320, height: int = 240, seconds: float = 4.0, fps: int = 10, seed: int = 0
) -> bytes:
    """A small H.264 MP4 of a panning synthetic scene with one cut."""
    return encode_video(scene(width, height, seconds, fps, seed), fps)
