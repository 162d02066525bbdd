"""HammingIndex answers exactly what brute force answers, through adds, removes and reloads."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from hotline.hashing import _index_batch, _index_tables
from hotline.hashing import index as index_module
from hotline.hashing.index import (
    HammingIndex,
    HexParseError,
    as_words,
    brute_force_range,
    hashes_from_hex,
    hashes_to_hex,
    table_radii,
)

RADII = [0, 1, 8, 31, 40]
Words = npt.NDArray[np.uint64]
Ids = npt.NDArray[np.int64]
Built = tuple[HammingIndex, Ids]


def random_bank(n: int, seed: int) -> npt.NDArray[np.uint64]:
    return np.random.default_rng(seed).integers(0, 2**64, (n, 4), dtype=np.uint64)


def clustered_bank(n: int, seed: int, spread: int = 10) -> npt.NDArray[np.uint64]:
    """Clusters of near-duplicates around centres with biased, correlated bits."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.2, 0.8, 256)
    draws = rng.random((max(1, n // 8), 256)) < p
    draws[:, 1::2] = np.where(rng.random(draws[:, 1::2].shape) < 0.8, draws[:, ::2], draws[:, 1::2])
    centres = np.packbits(draws, axis=1).view(np.uint64)
    bank = centres[rng.integers(0, centres.shape[0], n)]
    return perturb(bank, rng, spread)


def perturb(
    bank: npt.NDArray[np.uint64], rng: np.random.Generator, most: int
) -> npt.NDArray[np.uint64]:
    """Flip up to `most` random bits of each row."""
    out = bank.copy()
    rows = np.arange(out.shape[0])
    k = rng.integers(0, most + 1, out.shape[0])
    for j in range(most):
        bit = rng.integers(0, 256, out.shape[0])
        val = np.where(j < k, np.left_shift(np.uint64(1), (bit % 64).astype(np.uint64)), 0)
        out[rows, bit // 64] ^= val.astype(np.uint64)
    return out


def expected(bank: Words, ids: Ids, query: Words, radius: int) -> list[tuple[int, int]]:
    rows, dist = brute_force_range(bank, query, radius)
    return sorted(zip(ids[rows].tolist(), dist.tolist(), strict=True), key=lambda p: (p[1], p[0]))


def queries_near(bank: Words, seed: int, n: int = 60) -> Words:
    rng = np.random.default_rng(seed)
    near = perturb(bank[rng.integers(0, bank.shape[0], n)], rng, 30)
    return np.concatenate([near, random_bank(10, seed + 1)])


@pytest.fixture(scope="module", params=["random", "clustered"])
def bank(request: pytest.FixtureRequest) -> Words:
    n = 20_000
    return random_bank(n, 1) if request.param == "random" else clustered_bank(n, 2)


@pytest.fixture(scope="module")
def index_and_ids(bank: Words) -> Built:
    ids = np.random.default_rng(3).permutation(bank.shape[0]).astype(np.int64) * 7919 - 10**12
    index = HammingIndex()
    index.add(ids, bank)
    return index, ids


@pytest.mark.parametrize("radius", RADII)
def test_batch_equals_brute_force(bank: Words, index_and_ids: Built, radius: int) -> None:
    index, ids = index_and_ids
    queries = queries_near(bank, radius)
    got = index.query_batch(queries, radius)
    assert got == [expected(bank, ids, q, radius) for q in queries]


@pytest.mark.parametrize("radius", [0, 31, 40])
def test_single_query_equals_batch_and_hex_input(
    bank: Words, index_and_ids: Built, radius: int
) -> None:
    index, ids = index_and_ids
    for q in queries_near(bank, 100 + radius, n=15):
        want = expected(bank, ids, q, radius)
        assert index.query(q, radius) == want
        assert index.query(hashes_to_hex(q[None])[0], radius) == want


@pytest.mark.parametrize("radius", [64, 128, 256])
def test_large_radius_falls_back_to_scan_exactly(
    bank: Words, index_and_ids: Built, radius: int
) -> None:
    index, ids = index_and_ids
    queries = queries_near(bank, 7, n=3)
    assert index.query_batch(queries, radius) == [expected(bank, ids, q, radius) for q in queries]


def test_clustered_bank_has_real_neighbourhoods(bank: Words, index_and_ids: Built) -> None:
    index, _ = index_and_ids
    res = index.query_batch_arrays(queries_near(bank, 5), 31)
    assert res.ids.shape[0] >= 60  # every near query finds at least its source row
    assert index.last_candidates > 0


def test_table_radii_meet_the_pigeonhole_bound() -> None:
    for radius in range(0, 80):
        for tables in range(1, 33):
            r = table_radii(radius, tables)
            assert int((r + 1).sum()) == radius + 1
            assert r.max() - r.min() <= 1


def test_incremental_add_remove_readd_matches_brute_force() -> None:
    bank = clustered_bank(6_000, 11, spread=6)
    ids = np.arange(bank.shape[0], dtype=np.int64) * -3
    index = HammingIndex()
    for chunk in np.array_split(np.arange(bank.shape[0]), 7):  # crosses several redesigns
        index.add(ids[chunk], bank[chunk])
    assert len(index) == bank.shape[0]
    gone = ids[::3]
    assert index.remove(np.concatenate([gone, gone[:5], [12345]])) == gone.shape[0]
    keep = np.ones(bank.shape[0], bool)
    keep[::3] = False
    queries = queries_near(bank, 12, n=40)
    assert len(index) == int(keep.sum())
    assert index.query_batch(queries) == [expected(bank[keep], ids[keep], q, 31) for q in queries]
    index.add(gone[:100], bank[::3][:100])
    keep[::3][:100] = True
    keep_idx = np.flatnonzero(keep)
    want = [expected(bank[keep_idx], ids[keep_idx], q, 31) for q in queries]
    assert index.query_batch(queries) == want


def test_same_id_replaces_hash_and_identical_pair_is_noop() -> None:
    bank = random_bank(3, 4)
    index = HammingIndex()
    index.add([5, 6], bank[:2])
    index.add([5, 5], bank[:2])  # last one wins, even within one call
    assert len(index) == 2
    assert index.query(bank[0], 0) == []
    assert index.query(bank[1], 0) == [(5, 0), (6, 0)]
    index.add([6], bank[1:2])
    assert len(index) == 2
    assert 6 in index
    assert 7 not in index
    assert "6" not in index


def test_opaque_ids_extremes() -> None:
    bank = random_bank(4, 5)
    ids = np.array([np.iinfo(np.int64).min, -1, 0, np.iinfo(np.int64).max])
    index = HammingIndex()
    index.add(ids, bank)
    for i, h in enumerate(bank):
        assert index.query(h, 0) == [(int(ids[i]), 0)]
    assert index.remove(ids[:2]) == 2
    assert index.query(bank[0], 0) == []
    with pytest.raises(ValueError, match="int64"):
        index.add(np.array([2**64 - 1], np.uint64), bank[:1])


def test_empty_index_and_empty_batch() -> None:
    index = HammingIndex(expected_size=1000)
    q = random_bank(2, 6)
    assert len(index) == 0
    assert index.query(q[0]) == []
    assert index.query_batch(q) == [[], []]
    assert index.query_batch(q[:0]) == []
    assert index.remove([1, 2]) == 0
    index.add(np.array([], np.int64), q[:0])
    assert len(index) == 0


def test_uint8_and_word_layouts_agree() -> None:
    bank = random_bank(50, 7)
    as_bytes = bank.view(np.uint8).reshape(-1, 32)
    a, b = HammingIndex(), HammingIndex()
    a.add(np.arange(50), bank)
    b.add(np.arange(50), as_bytes)
    assert a.query_batch(bank, 100) == b.query_batch(as_bytes, 100)
    np.testing.assert_array_equal(as_words(as_bytes), bank)


def test_bad_inputs_are_rejected() -> None:
    index = HammingIndex()
    with pytest.raises(ValueError, match="ids for"):
        index.add([1, 2], random_bank(1, 8))
    with pytest.raises(ValueError, match="uint64"):
        index.add([1], np.zeros((1, 3), np.uint64))
    with pytest.raises(ValueError, match="radius"):
        index.query(random_bank(1, 8)[0], -1)
    with pytest.raises(ValueError, match="radius"):
        index.query(random_bank(1, 8)[0], 257)
    with pytest.raises(ValueError, match="one hash"):
        index.query(random_bank(2, 8))


def test_save_load_round_trip(tmp_path: Path) -> None:
    bank = clustered_bank(5_000, 9)
    ids = np.arange(bank.shape[0], dtype=np.int64) - 2_500
    index = HammingIndex()
    index.add(ids, bank)
    index.remove(ids[:1_000:2])
    path = tmp_path / "bank.idx"
    index.save(path)
    loaded = HammingIndex.load(path)
    assert len(loaded) == len(index)
    for a, b in zip(index.items(), loaded.items(), strict=True):
        np.testing.assert_array_equal(a, b)
    queries = queries_near(bank, 10)
    assert loaded.query_batch(queries) == index.query_batch(queries)
    assert not (tmp_path / "bank.idx.tmp").exists()


def test_tables_saved_and_memory_mapped_answer_exactly_as_the_built_index(tmp_path: Path) -> None:
    bank = clustered_bank(6_000, 12)
    ids = np.arange(bank.shape[0], dtype=np.int64) * 3 + 11
    index = HammingIndex()
    index.add(ids[:5_000], bank[:5_000])
    index.remove(ids[:400:3])
    index.add(ids[5_000:], bank[5_000:])  # in the delta until saving folds it in
    queries = queries_near(bank, 13)
    before = {r: index.query_batch(queries, r) for r in RADII}
    index.save_tables(tmp_path / "tables", extra={"version": 7})
    opened = HammingIndex.open_tables(tmp_path / "tables")
    assert isinstance(opened._hashes, np.memmap) and isinstance(opened._postings, np.memmap)
    assert opened.extra == {"version": 7} and len(opened) == len(index)
    for radius, answer in before.items():
        assert opened.query_batch(queries, radius) == answer
    assert int(ids[5]) in opened and int(ids[0]) not in opened
    with pytest.raises(ValueError, match="read-only"):
        opened.add(ids[:1], bank[:1])
    with pytest.raises(ValueError, match="read-only"):
        opened.remove(ids[:1])
    # Saving again over the same directory replaces it whole.
    index.remove(ids[5:6])
    index.save_tables(tmp_path / "tables")
    assert int(ids[5]) not in HammingIndex.open_tables(tmp_path / "tables", mmap=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_load_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    np.savez(path, ids=np.zeros(1))
    with pytest.raises(ValueError, match="not a hotline-hamming-index"):
        HammingIndex.load(path)
    np.savez(path, format=np.array("hotline-hamming-index"), version=np.array(99))
    with pytest.raises(ValueError, match="version 99"):
        HammingIndex.load(path)


def test_hex_round_trip_and_errors() -> None:
    bank = random_bank(100, 10)
    text = hashes_to_hex(bank)
    assert all(len(t) == 64 for t in text)
    np.testing.assert_array_equal(as_words(hashes_from_hex(text)), bank)
    np.testing.assert_array_equal(hashes_from_hex([t.upper() for t in text]), hashes_from_hex(text))
    assert hashes_from_hex([]).shape == (0, 32)
    with pytest.raises(HexParseError, match="hash 2: expected 64 hex characters, got 63") as e:
        hashes_from_hex([text[0], text[1], text[2][:-1]])
    assert e.value.index == 2
    with pytest.raises(HexParseError, match="hash 1: character 4 is not a hex digit: 'g'"):
        hashes_from_hex([text[0], text[1][:3] + "g" + text[1][4:]])
    with pytest.raises(HexParseError, match="hash 0: character 64"):
        hashes_from_hex([text[0][:-1] + "é"])
    with pytest.raises(HexParseError, match="hash 0"):
        hashes_from_hex([text[0][:10] + " " + text[0][11:]])
    # What C's bytes.fromhex would accept but a hash is not: whitespace between digit pairs,
    # and lines that are only 64 characters each when joined.
    with pytest.raises(HexParseError, match="hash 1: character 11 is not a hex digit: ' '"):
        hashes_from_hex([text[0], text[1][:10] + "  " + text[1][12:]])
    with pytest.raises(HexParseError, match="hash 0: expected 64 hex characters, got 62"):
        hashes_from_hex([text[0][:62], text[1] + text[0][62:]])


def test_brute_force_oracle_on_hand_built_hashes() -> None:
    zero = np.zeros((1, 32), np.uint8)
    bank = np.zeros((3, 32), np.uint8)
    bank[1, 0] = 0b111
    bank[2, :] = 0xFF
    rows, dist = brute_force_range(bank, zero, 31)
    assert rows.tolist() == [0, 1]
    assert dist.tolist() == [0, 3]


def test_delta_growth_then_rebuild_and_compaction_stay_exact() -> None:
    bank = random_bank(48_000, 13)
    bank[40_000:] = perturb(bank[:8_000], np.random.default_rng(14), 12)  # near-copies
    ids = np.arange(bank.shape[0], dtype=np.int64)
    index = HammingIndex()
    index.add(ids[:40_000], bank[:40_000])
    queries = queries_near(bank, 15, n=40)
    for stop in range(40_700, 48_000, 700):  # the delta outgrows its first capacity
        index.add(ids[stop - 700 : stop], bank[stop - 700 : stop])
        if stop in (40_700, 44_900, 47_500):
            want = [expected(bank[:stop], ids[:stop], q, 31) for q in queries]
            assert index.query_batch(queries) == want
    index.add(ids[47_600:], bank[47_600:])
    assert len(index) == 48_000
    assert index.remove(ids[::2]) == 24_000  # past the tombstone share: compacts
    assert len(index) == 24_000
    want = [expected(bank[1::2], ids[1::2], q, 31) for q in queries]
    assert index.query_batch(queries) == want
    assert index.query_batch(queries, 0) == [expected(bank[1::2], ids[1::2], q, 0) for q in queries]


def skewed_bank(n: int, seed: int) -> npt.NDArray[np.uint64]:
    """A harsher bank than `clustered_bank`: constant and nearly constant bits, runs of copied
    bits, exact duplicates and all-zero hashes (PDQ of blank frames)."""
    rng = np.random.default_rng(seed)
    p = rng.choice([0.0, 0.02, 0.1, 0.3, 0.5, 0.9, 1.0], 256)
    bits = rng.random((n, 256)) < p
    run = int(rng.integers(2, 9))
    for start in range(0, 256 - run, 3 * run):  # runs of identical bits
        bits[:, start + 1 : start + run] = bits[:, start : start + 1]
    bank = np.packbits(bits, axis=1, bitorder="little").view(np.uint64).copy()
    dup = rng.integers(0, n, n // 10)
    bank[dup] = bank[rng.integers(0, n, dup.shape[0])]
    bank[rng.integers(0, n, n // 50)] = 0
    return bank


@pytest.mark.parametrize("seed", range(6))
def test_property_skewed_banks_answer_exactly_as_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5_000, 30_000))
    bank = skewed_bank(n, seed)
    ids = rng.permutation(n).astype(np.int64) - n // 2
    index = HammingIndex()
    index.add(ids[: n - 3_000], bank[: n - 3_000])
    index.add(ids[n - 3_000 :], bank[n - 3_000 :])  # some rows in the delta
    gone = rng.choice(n, n // 20, replace=False)
    index.remove(ids[gone])
    keep = np.setdiff1d(np.arange(n), gone)
    queries = np.concatenate([queries_near(bank, seed, n=25), skewed_bank(10, seed + 50)])
    for radius in (0, 5, 31, int(rng.integers(10, 60))):
        want = [expected(bank[keep], ids[keep], q, radius) for q in queries]
        assert index.query_batch(queries, radius) == want


def test_substring_bits_come_from_the_banks_statistics() -> None:
    bank = skewed_bank(40_000, 7)
    index = HammingIndex(expected_size=150_000)  # 13 tables of 19 bits: 9 bits left out
    index.add(np.arange(bank.shape[0]), bank)
    pos = index._pos
    assert np.unique(pos).shape[0] == pos.size  # disjoint substrings: the bound stays exact
    share = np.unpackbits(bank.view(np.uint8), axis=1, bitorder="little").mean(axis=0)
    unused = np.setdiff1d(np.arange(256), pos.ravel())
    # The bits left out are the most nearly constant ones.
    balance = np.abs(share - 0.5)
    assert balance[unused].min() >= np.sort(balance[pos.ravel().astype(np.int64)])[-1] - 1e-9
    # And they verify fewer candidates than the seeded permutation's bits would.
    queries = queries_near(bank, 8, n=50)
    answer = index.query_batch(queries)
    chosen = index.last_candidates
    design = index.design
    index._pos = np.ascontiguousarray(
        index._perm[: design.bits * design.tables].reshape(design.tables, design.bits)
    )
    built = _index_tables.build_tables(index._hashes, index._rows, index._pos)
    index._blocks, index._cum, index._postings = built
    assert index.query_batch(queries) == answer
    assert chosen < index.last_candidates


def test_a_bucket_past_65535_rows_switches_to_wide_offsets() -> None:
    bank = random_bank(80_000, 30)
    bank[:70_000] = bank[0]  # one hash 70,000 times: its bucket overflows 16-bit ends
    index = HammingIndex()
    index.add(np.arange(bank.shape[0]), bank)
    assert index._cum.dtype == np.uint32
    queries = np.concatenate(
        [bank[:1], bank[75_000:75_005], perturb(bank[:3], np.random.default_rng(31), 20)]
    )
    ids = np.arange(bank.shape[0], dtype=np.int64)
    assert index.query_batch(queries) == [expected(bank, ids, q, 31) for q in queries]
    small = HammingIndex()
    small.add(np.arange(80_000), random_bank(80_000, 32))
    assert small._cum.dtype == np.uint16


def test_version_1_tables_without_positions_still_open(tmp_path: Path) -> None:
    bank = random_bank(3_000, 21)  # under the statistics threshold: the permutation's bits
    index = HammingIndex()
    index.add(np.arange(3_000), bank)
    index.save_tables(tmp_path / "t")
    meta = json.loads((tmp_path / "t" / "meta.json").read_text())
    (tmp_path / "t" / "meta.json").write_text(json.dumps({**meta, "version": 1}))
    # Version 1 held flat (tables, 2^bits + 1) int32 offsets and no positions.
    blocks, cum = np.load(tmp_path / "t" / "blocks.npy"), np.load(tmp_path / "t" / "cum.npy")
    flat = np.zeros((cum.shape[0], cum.shape[1] + 1), np.int32)
    flat[:, 1:] = np.repeat(blocks, 32, axis=1) + cum
    np.save(tmp_path / "t" / "offsets.npy", flat)
    raw = np.load(tmp_path / "t" / "postings.npy")
    width = raw.shape[1] // 3_000
    raw = raw.reshape(cum.shape[0], 3_000, width).astype(np.int32)
    rows = sum(raw[..., j] << (8 * j) for j in range(width))
    np.save(tmp_path / "t" / "postings.npy", rows.astype("<i4"))  # v1: int32 row numbers
    for name in ("positions", "blocks", "cum"):
        (tmp_path / "t" / f"{name}.npy").unlink()
    queries = queries_near(bank, 22)
    assert HammingIndex.open_tables(tmp_path / "t").query_batch(queries) == index.query_batch(
        queries
    )
    (tmp_path / "t" / "meta.json").write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(ValueError, match="version 99"):
        HammingIndex.open_tables(tmp_path / "t")


def test_three_byte_postings_answer_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _index_tables.posting_width
    assert (real(100_000), real(10_000_000), real(20_000_000)) == (4, 3, 4)
    # Real banks use them from 4.2M rows; force them on a small bank.
    monkeypatch.setattr(_index_tables, "posting_width", lambda n_rows: 3)
    bank = np.concatenate([clustered_bank(20_000, 40), random_bank(50_000, 41)])
    ids = np.arange(bank.shape[0], dtype=np.int64) * 5 - 7
    index = HammingIndex()
    index.add(ids, bank)
    assert index._postings.shape[1] == 3 * bank.shape[0]
    queries = np.concatenate([queries_near(bank[:20_000], 42), queries_near(bank[20_000:], 43)])
    for radius in (0, 31):
        assert index.query_batch(queries, radius) == [
            expected(bank, ids, q, radius) for q in queries
        ]


@pytest.fixture
def batch_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every batch of two or more queries through the sorted batch search, in small
    chunks so that chunk edges (and a short last chunk) are crossed."""
    monkeypatch.setattr(index_module, "BATCH_MIN_QUERIES", 2)
    monkeypatch.setattr(index_module, "BATCH_MIN_CHUNK", 1)
    monkeypatch.setattr(index_module, "BATCH_MIN_ROWS", 0)
    monkeypatch.setattr(index_module, "BATCH_CHUNK", 7)


@pytest.mark.parametrize("kind", ["random", "clustered", "skewed"])
def test_sorted_batch_search_equals_brute_force(kind: str, batch_path: None) -> None:
    n = 24_000
    bank = {"random": random_bank, "clustered": clustered_bank, "skewed": skewed_bank}[kind](n, 60)
    rng = np.random.default_rng(61)
    ids = rng.permutation(n).astype(np.int64) * 3 - n
    index = HammingIndex()
    index.add(ids[:20_000], bank[:20_000])
    index.add(ids[20_000:], bank[20_000:])  # in the delta
    assert index._rows > index._base
    gone = rng.choice(n, 700, replace=False)  # tombstones in the base and in the delta
    index.remove(ids[gone])
    keep = np.setdiff1d(np.arange(n), gone)
    queries = np.concatenate([queries_near(bank, 62, n=45), bank[gone[:5]]])
    for radius in (0, 5, 31, 40):
        want = [expected(bank[keep], ids[keep], q, radius) for q in queries]
        assert index.query_batch(queries, radius) == want
    assert index.query_batch(queries[:1]) == [expected(bank[keep], ids[keep], queries[0], 31)]


def test_sorted_batch_search_chunks_scratch_and_widths(
    batch_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 3, 7 and all the queries, scratch sized far too small (it grows), and 3-byte
    postings all give brute force's answers, as the one-query-at-a-time search does."""
    monkeypatch.setattr(_index_tables, "posting_width", lambda n_rows: 3)
    bank = np.concatenate([clustered_bank(15_000, 63), random_bank(15_000, 64)])
    ids = np.arange(bank.shape[0], dtype=np.int64)
    index = HammingIndex()
    index.add(ids, bank)
    queries = np.concatenate([queries_near(bank[:15_000], 65), queries_near(bank[15_000:], 66)])
    want = [expected(bank, ids, q, 31) for q in queries]
    for chunk in (7, 1000, 3):
        monkeypatch.setattr(index_module, "BATCH_CHUNK", chunk)
        assert index.query_batch(queries) == want
    index._batch_candidates = 0.001  # the kernel must grow its candidate buffers
    assert index.query_batch(queries) == want
    monkeypatch.setattr(index_module, "BATCH_MIN_QUERIES", 10**9)  # the per-query search
    assert index.query_batch(queries) == want


def test_sorted_batch_search_reports_a_row_once_when_every_table_finds_it(
    batch_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries equal to stored rows (and to repeated hashes) are found by every table; the
    candidates are bucketed by their row's top bits only, so the repeats of one (row, query)
    need not be adjacent: each row must still be answered once, as brute force does."""
    monkeypatch.setattr(index_module, "BATCH_CHUNK", 64)
    bank = random_bank(20_000, 90)
    bank[100:140] = bank[7]  # one hash stored 41 times, under different ids
    ids = np.arange(bank.shape[0], dtype=np.int64) * 11
    index = HammingIndex()
    index.add(ids, bank)
    queries = np.concatenate([bank[:150], bank[19_900:]])
    got = index.query_batch(queries, 31)
    assert got == [expected(bank, ids, q, 31) for q in queries]
    assert all(len({i for i, _ in hits}) == len(hits) for hits in got)
    assert len(got[7]) == 41


def test_sorted_batch_search_only_for_big_enough_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sorted search runs in equal chunks, and only when they hold BATCH_MIN_CHUNK queries
    (smaller chunks take the per-query kernel); the answers are the same either way."""
    chunks: list[int] = []
    real = _index_batch.query_tables_batch

    def spy(*args: Any) -> Any:
        chunks.append(int(args[17]))  # the chunk argument
        return real(*args)

    monkeypatch.setattr(_index_batch, "query_tables_batch", spy)
    monkeypatch.setattr(index_module, "BATCH_MIN_ROWS", 0)
    monkeypatch.setattr(index_module, "BATCH_MIN_QUERIES", 10)
    monkeypatch.setattr(index_module, "BATCH_MIN_CHUNK", 20)
    bank = random_bank(20_000, 95)
    ids = np.arange(bank.shape[0], dtype=np.int64)
    index = HammingIndex()
    index.add(ids, bank)
    queries = queries_near(bank, 96, n=30)[:30]
    want = [expected(bank, ids, q, 31) for q in queries]
    for batch_chunk, n, seen in ((16, 30, []), (32, 30, [30]), (32, 9, [])):
        monkeypatch.setattr(index_module, "BATCH_CHUNK", batch_chunk)
        chunks.clear()
        assert index.query_batch(queries[:n]) == want[:n]
        assert chunks == seen  # 30 queries in chunks of 16 would be two of 15: too small
    monkeypatch.setattr(index_module, "BATCH_MIN_CHUNK", 1)
    monkeypatch.setattr(index_module, "BATCH_CHUNK", 11)
    chunks.clear()
    assert index.query_batch(queries) == want
    assert chunks == [10]  # 30 queries at most 11 at a time: three chunks of 10


def test_radix_sort_is_a_stable_sort_on_the_bit_field() -> None:
    rng = np.random.default_rng(70)
    counts = np.empty(4 << _index_batch._DIGIT_BITS, np.int64)
    for n_bits in (1, 11, 12, 23, 24, 31):
        values = rng.integers(0, 1 << (n_bits + 16), 5_000, dtype=np.int64)
        n = 4_321  # only a prefix is sorted
        passes, width = _index_batch._digits(n_bits)
        counts[:] = 0
        for v in values[:n]:
            _index_batch._count(int(v), counts, 16, passes, width)
        out = _index_batch.radix_sort(values.copy(), np.empty_like(values), n, 16, n_bits, counts)
        field = values[:n] >> 16
        assert (out[:n] == values[:n][np.argsort(field, kind="stable")]).all()


def test_ids_are_int32_until_one_does_not_fit(tmp_path: Path) -> None:
    bank = random_bank(6_000, 80)
    index = HammingIndex()
    index.add(np.arange(5_000) - 2_500, bank[:5_000])
    assert index._ids.dtype == np.int32
    assert index.items()[0].dtype == np.int64
    assert 2**40 not in index and -2_500 in index
    index.save_tables(tmp_path / "small")
    assert np.load(tmp_path / "small" / "ids.npy").dtype == np.dtype("<i4")
    meta = json.loads((tmp_path / "small" / "meta.json").read_text())
    assert meta["version"] == 3
    big = np.array([2**40, -(2**63), 2**63 - 1], np.int64)
    index.add(big, bank[5_000:5_003])  # now int64, in the delta and after rebuilds
    assert index._ids.dtype == np.int64 and 2**40 in index
    ids = np.concatenate([np.arange(5_000) - 2_500, big])
    queries = queries_near(bank[:5_003], 81)
    want = [expected(bank[:5_003], ids, q, 31) for q in queries]
    assert index.query_batch(queries) == want
    index.save_tables(tmp_path / "big")
    assert np.load(tmp_path / "big" / "ids.npy").dtype == np.dtype("<i8")
    assert HammingIndex.open_tables(tmp_path / "big").query_batch(queries) == want
    # Version 2 directories (int64 ids, written before) still open.
    (tmp_path / "small" / "meta.json").write_text(json.dumps({**meta, "version": 2}))
    np.save(tmp_path / "small" / "ids.npy", np.arange(5_000, dtype="<i8") - 2_500)
    opened = HammingIndex.open_tables(tmp_path / "small")
    want = [expected(bank[:5_000], ids[:5_000], q, 31) for q in queries]
    assert opened.query_batch(queries) == want and -2_500 in opened
