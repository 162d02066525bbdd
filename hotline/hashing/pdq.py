"""PDQ perceptual hash kernel: fast operator path, dihedral variants and a slow reference."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

if TYPE_CHECKING:  # numpy.typing costs a command-line start-up several milliseconds
    import numpy.typing as npt

    F32: TypeAlias = npt.NDArray[np.float32]
    F64: TypeAlias = npt.NDArray[np.float64]

HASH_BITS = 256
HEX_CHARS = 64
MIN_HASHABLE_DIM = 5  # Meta's C++ refuses images smaller than 5 px on a side
LUMA_COEFFS = (0.299, 0.587, 0.114)
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flip_plus1",
    "flip_minus1",
)
ZERO_HEX = "0" * HEX_CHARS


def hamming(a_hex: str, b_hex: str) -> int:
    """Hamming distance between two 64-hex-character PDQ hashes."""
    if len(a_hex) != HEX_CHARS or len(b_hex) != HEX_CHARS:
        raise ValueError("PDQ hashes must be 64 hexadecimal characters")
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


@lru_cache(maxsize=1)
def _dct_matrix() -> F32:
    # Rows 1..16 of the 64-point DCT-II; PDQ drops the DC row (i + 1 below).
    i = np.arange(16, dtype=np.float64)[:, None]
    j = np.arange(64, dtype=np.float64)[None, :]
    d = math.sqrt(2.0 / 64.0) * np.cos(math.pi / 128.0 * (i + 1.0) * (2.0 * j + 1.0))
    return d.astype(np.float32)


def jarosz_window(n: int) -> int:
    """Meta's box window for an axis of ``n`` pixels: ceil(n / 128)."""
    return (n + 127) // 128


def _box_extents(n: int) -> tuple[int, int]:
    # Meta's box1DFloat averages in[k - left .. k + right], clipped to the axis.
    window = jarosz_window(n)
    half = (window + 2) // 2
    return window - half, half - 1


def _sample_points(n: int) -> npt.NDArray[np.intp]:
    return np.array([int(((i + 0.5) * n) / 64) for i in range(64)], dtype=np.intp)


def _apply_box_transpose(rows: F64, left: int, right: int) -> F64:
    """Right-multiply each row vector by the box-filter matrix (r @ B)."""
    n = rows.shape[1]
    k = np.arange(n)
    counts = np.minimum(n - 1, k + right) - np.maximum(0, k - left) + 1
    weighted = rows / counts
    cum = np.zeros((rows.shape[0], n + 1))
    np.cumsum(weighted, axis=1, out=cum[:, 1:])
    y = np.arange(n)
    # Output y receives weight from every k whose window covers y: y - right <= k <= y + left.
    return cum[:, np.minimum(n, y + left + 1)] - cum[:, np.maximum(0, y - right)]


def _full_operator(n: int) -> F64:
    """64 x n matrix equal to: two Jarosz box passes, then PDQ's centre-sample decimation."""
    rows = np.zeros((64, n))
    rows[np.arange(64), _sample_points(n)] = 1.0
    left, right = _box_extents(n)
    for _ in range(2):
        rows = _apply_box_transpose(rows, left, right)
    return rows


def axis_operator(n_full: int, scale: int, reverse: bool) -> F32:
    """Operator for an axis of ``n_full`` pixels that was stored downscaled by ``scale``.

    Each reduced pixel stands for a block of ``scale`` full-resolution pixels, so its weight is
    the sum of the full-resolution weights of that block; ``reverse`` puts the partial block
    first (the axis was flipped after reduction).
    """
    full = _full_operator(n_full)
    if scale == 1:  # no blocks, so nothing to reverse
        return np.ascontiguousarray(full, dtype=np.float32)
    starts = np.arange(0, n_full, scale)
    if reverse:
        return np.ascontiguousarray(
            np.add.reduceat(full[:, ::-1], starts, axis=1)[:, ::-1], dtype=np.float32
        )
    return np.ascontiguousarray(np.add.reduceat(full, starts, axis=1), dtype=np.float32)


def quality_of(buffer64: npt.NDArray[np.floating]) -> int:
    """Meta's image-domain quality: sum of truncated percent gradients / 90, capped at 100."""
    buf = buffer64.astype(np.float32, copy=False)
    down = np.trunc((buf[:-1, :] - buf[1:, :]) * np.float32(100.0) / np.float32(255.0))
    across = np.trunc((buf[:, :-1] - buf[:, 1:]) * np.float32(100.0) / np.float32(255.0))
    gradient_sum = int(np.abs(down).sum()) + int(np.abs(across).sum())
    return min(100, gradient_sum // 90)


def dct16(buffer64: npt.NDArray[np.floating]) -> F32:
    """16x16 low-frequency DCT (without DC) of the 64x64 buffer."""
    d = _dct_matrix()
    result: F32 = d @ buffer64.astype(np.float32, copy=False) @ d.T
    return result


def hex_from_dct(coeffs: npt.NDArray[np.floating]) -> str:
    """Threshold at the median and pack: coefficient (i, j) is bit i*16+j, bit 0 last in hex."""
    flat = coeffs.reshape(HASH_BITS)
    median = np.partition(flat, 127)[127]  # Torben's median on 256 values is the 128th smallest
    bits = flat > median
    return np.packbits(bits[::-1]).tobytes().hex()


def dihedral_dcts(coeffs: F32) -> tuple[F32, ...]:
    """The 8 dihedral variants of a 16x16 PDQ DCT, in Meta's order (see DIHEDRAL_NAMES).

    Flipping an axis multiplies frequency u by (-1)^u; PDQ's row i is frequency i + 1, so the
    even rows (columns) change sign. A transpose of the image transposes the coefficients.
    """
    sign = np.where(np.arange(16) % 2 == 0, -1.0, 1.0).astype(np.float32)
    flip_rows = coeffs * sign[:, None]  # image upside down
    flip_cols = coeffs * sign[None, :]  # image mirrored left-right
    both = flip_rows * sign[None, :]
    return (
        coeffs,
        flip_cols.T,  # rotate 90 degrees counter-clockwise
        both,  # rotate 180
        flip_rows.T,  # rotate 270 counter-clockwise (90 clockwise)
        flip_rows,  # flip x: mirror about the horizontal axis
        flip_cols,  # flip y: mirror about the vertical axis
        coeffs.T,  # flip about the main diagonal
        both.T,  # flip about the anti-diagonal
    )


def dihedral_hexes(coeffs: F32) -> tuple[str, ...]:
    """Hex hashes of the 8 dihedral variants, original first."""
    return tuple(hex_from_dct(c) for c in dihedral_dcts(coeffs))


# Only the bands are cached: a dense operator of a 65,535-pixel side is 16 MB, its band 0.3 MB.
@lru_cache(maxsize=128)
def _banded(n_full: int, scale: int, reverse: bool) -> tuple[npt.NDArray[np.intp], F32]:
    """The operator as (first column, weights) per output row: each row is a short band."""
    dense = axis_operator(n_full, scale, reverse)
    nonzero = dense != 0
    first = nonzero.argmax(axis=1)
    last = dense.shape[1] - 1 - nonzero[:, ::-1].argmax(axis=1)
    width = int((last - first).max()) + 1
    # Shift bands that would run past the end left; the extra weights there are zero.
    first = np.minimum(first, dense.shape[1] - width)
    take = first[:, None] + np.arange(width)[None, :]
    return first, np.ascontiguousarray(np.take_along_axis(dense, take, axis=1))


def buffer64_from_luma(
    luma: npt.NDArray[np.generic],
    full_shape: tuple[int, int],
    scale: tuple[int, int] = (1, 1),
    reverse: tuple[bool, bool] = (False, False),
) -> F32:
    """Blur-and-decimate a (possibly reduced, possibly flipped) luma plane to 64x64.

    Each output row depends on a band of about 2 * ceil(n / 128) / scale input rows, so the
    work is a few passes over the image; this avoids a dense matrix product, whose BLAS
    threads slow a single hash down on a busy machine.
    """
    expected = (-(-full_shape[0] // scale[0]), -(-full_shape[1] // scale[1]))
    if luma.shape != expected:
        raise ValueError(f"luma plane {luma.shape} does not match {full_shape} at {scale}")
    row_first, row_weights = _banded(full_shape[0], scale[0], reverse[0])
    col_first, col_weights = _banded(full_shape[1], scale[1], reverse[1])
    rows = np.zeros((64, luma.shape[1]), dtype=np.float32)
    for offset in range(row_weights.shape[1]):
        rows += np.multiply(
            row_weights[:, offset, None], luma[row_first + offset, :], dtype=np.float32
        )
    out = np.zeros((64, 64), dtype=np.float32)
    for offset in range(col_weights.shape[1]):
        out += rows[:, col_first + offset] * col_weights[None, :, offset]
    return out


def hashable(full_shape: tuple[int, int]) -> bool:
    """Whether Meta's PDQ hashes an image of this (rows, cols) size at all."""
    return min(full_shape) >= MIN_HASHABLE_DIM


def _reference_box(plane: F64, axis: int) -> F64:
    n = plane.shape[axis]
    left, right = _box_extents(n)
    moved = np.moveaxis(plane, axis, 0)
    cum = np.zeros((n + 1, *moved.shape[1:]))
    np.cumsum(moved, axis=0, out=cum[1:])
    k = np.arange(n)
    lo, hi = np.maximum(0, k - left), np.minimum(n - 1, k + right)
    out = (cum[hi + 1] - cum[lo]) / (hi - lo + 1).reshape(-1, *([1] * (moved.ndim - 1)))
    return np.moveaxis(out, 0, axis)


def pdq_reference(pixels: npt.NDArray[np.generic]) -> tuple[str, int, F64]:
    """Slow full-resolution PDQ straight from Meta's description: (hex, quality, 16x16 DCT).

    ``pixels`` is an (H, W) luma plane or an (H, W, 3+) RGB array of 0..255 values.
    """
    arr = np.asarray(pixels, dtype=np.float64)
    if arr.ndim == 3:
        arr = arr[..., 0] * 0.299 + arr[..., 1] * 0.587 + arr[..., 2] * 0.114
    if not hashable((arr.shape[0], arr.shape[1])):
        return ZERO_HEX, 0, np.zeros((16, 16))
    for _ in range(2):  # PDQ_NUM_JAROSZ_XY_PASSES
        arr = _reference_box(_reference_box(arr, 1), 0)
    buffer64 = arr[np.ix_(_sample_points(arr.shape[0]), _sample_points(arr.shape[1]))]
    d = _dct_matrix().astype(np.float64)
    coeffs: F64 = d @ buffer64 @ d.T
    return hex_from_dct(coeffs), quality_of(buffer64), coeffs
