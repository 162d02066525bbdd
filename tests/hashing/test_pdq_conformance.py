"""Conformance of hotline's PDQ with Meta's reference values in the shared test data."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest
from media_factory import shared_testdata
from PIL import Image

from hotline.hashing.images import hash_image_file
from hotline.hashing.pdq import hamming, pdq_reference

TESTDATA = shared_testdata()
CORRECT_BITS = 10  # Meta: correct when within 10 bits of the C++ reference at quality >= 80

# pdqhash was fed np.asarray(image) as HMA does: raw ink channels for CMYK (a negative, so the
# complement hash) and palette indices for P. hotline converts properly, so these two files
# must instead hash like the photo they show (L.png is the same photo, same hash as aaa-orig).
PDQHASH_DEVIATIONS = {"pdq/misc/CMYK.jpg", "pdq/misc/P.png"}
SAME_PHOTO = "pdq/misc/L.png"
# Entries of Meta's WASM table whose files are not in the shared tree (see its README).
WASM_ABSENT = {
    "../../../../data/misc-images/b.jpg",
    "../../../../../tmk/sample-videos/chair-19-sd-bar.mp4",
    "../../../../../tmk/sample-videos/chair-orig-22-fhd-no-bar.mp4",
}
WASM_PREFIXES = {
    "../../../../data/misc-images/": "pdq/misc/",
    "../../../../data/bridge-mods/": "pdq/bridge-mods/",
}


def _read_csv(name: str) -> list[dict[str, str]]:
    with (TESTDATA / "pdq" / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


PDQHASH_ROWS = _read_csv("expected-pdqhash.csv")
EXPECTED = {row["path"]: row for row in PDQHASH_ROWS}


def _wasm_rows() -> list[tuple[str, str]]:
    rows = []
    for row in _read_csv("expected-wasm-pdq-md5.csv"):
        if row["FilePath"] in WASM_ABSENT:
            continue
        prefix = next(p for p in WASM_PREFIXES if row["FilePath"].startswith(p))
        rows.append((WASM_PREFIXES[prefix] + row["FilePath"][len(prefix) :], row["Hash"]))
    return rows


def test_every_testdata_image_is_listed():
    on_disk = {
        str(p.relative_to(TESTDATA)) for p in (TESTDATA / "pdq").rglob("*") if p.suffix != ".csv"
    }
    assert {p for p in on_disk if Path(TESTDATA / p).is_file()} == set(EXPECTED)


def test_wasm_table_maps_onto_the_tree():
    mapped = _wasm_rows()
    assert len(mapped) == 15
    assert all((TESTDATA / path).is_file() for path, _ in mapped)


@pytest.mark.parametrize("row", PDQHASH_ROWS, ids=[r["path"] for r in PDQHASH_ROWS])
def test_matches_pdqhash_table(row):
    signals = hash_image_file(TESTDATA / row["path"])
    assert signals.md5 == row["md5"]
    data = (TESTDATA / row["path"]).read_bytes()
    assert signals.sha256 == hashlib.sha256(data).hexdigest()
    quality = int(row["quality"])
    if row["path"] in PDQHASH_DEVIATIONS:
        assert hamming(signals.pdq.hex, EXPECTED[SAME_PHOTO]["pdq_hex"]) <= CORRECT_BITS
    elif quality >= 80:
        assert hamming(signals.pdq.hex, row["pdq_hex"]) <= CORRECT_BITS
        assert signals.pdq.quality >= 80
    else:
        assert abs(signals.pdq.quality - quality) <= 2
        assert not signals.pdq.usable


@pytest.mark.parametrize(("path", "expected"), _wasm_rows(), ids=[p for p, _ in _wasm_rows()])
def test_matches_meta_wasm_table(path, expected):
    signals = hash_image_file(TESTDATA / path)
    if EXPECTED[path]["quality"] and int(EXPECTED[path]["quality"]) >= 80:
        assert hamming(signals.pdq.hex, expected) <= CORRECT_BITS
    else:
        assert signals.pdq.hex == expected  # the quality-0 image hashes identically everywhere


REFERENCE_ROWS = [r for r in PDQHASH_ROWS if r["path"] not in PDQHASH_DEVIATIONS]


@pytest.mark.parametrize("row", REFERENCE_ROWS, ids=[r["path"] for r in REFERENCE_ROWS])
def test_reference_implementation_matches_pdqhash(row):
    with Image.open(TESTDATA / row["path"]) as image:
        rgb = np.asarray(image.convert("RGB"))
    hex_hash, quality, _ = pdq_reference(rgb)
    assert quality == int(row["quality"])
    assert hamming(hex_hash, row["pdq_hex"]) <= 2


DIHEDRAL = sorted((TESTDATA / "pdq" / "dihedral").glob("*.jpg"))


@pytest.mark.parametrize("index", range(8), ids=[p.stem for p in DIHEDRAL])
def test_dihedral_variants_match_transformed_files(index):
    original = hash_image_file(TESTDATA / "pdq" / "dihedral" / "bridge-1-original.jpg")
    transformed = hash_image_file(DIHEDRAL[index])
    distances = [hamming(transformed.pdq.hex, variant) for variant in original.dihedral]
    # Meta's order (original, rotate90, rotate180, rotate270, flipx, flipy, flip+1, flip-1)
    # is the order of the files: variant i is the one that matches file i.
    assert distances[index] <= CORRECT_BITS
    assert min(d for i, d in enumerate(distances) if i != index) > 31
