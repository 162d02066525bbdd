"""The per-process bank index follows the database exactly, and a rollback never poisons it."""

import numpy as np
import pytest
from django.db import transaction

from hotline.banks import index_cache
from hotline.banks.models import Bank
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, bank_add, bank_create, bank_remove

RNG = np.random.default_rng(7)


def random_hex() -> str:
    return RNG.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()


def near(hex_value: str, bits: int) -> str:
    value = bytearray(bytes.fromhex(hex_value))
    for bit in range(bits):
        value[bit // 8] ^= 1 << (bit % 8)
    return value.hex()


def pdq(value: str, quality: int | None = 90) -> Signal:
    return Signal(type="pdq", value=value, quality=quality)


def matched_sources(bank: str, value: str) -> list[tuple[str, int]]:
    return [(m.source, m.distance) for m in bank_match(signals=[pdq(value)], bank_names=[bank])[0]]


@pytest.mark.django_db(transaction=True)
def test_the_cached_index_follows_adds_and_removes_committed_one_by_one() -> None:
    index_cache.forget_all()
    bank = bank_create(name="b", actor="t")
    base = random_hex()
    bank_add(bank=bank, signals=[pdq(base)], source="one", actor="t")
    assert matched_sources("b", near(base, 5)) == [("one", 5)]
    entries = bank_add(bank=bank, signals=[pdq(near(base, 20))], source="two", actor="t")
    assert matched_sources("b", near(base, 5)) == [("one", 5), ("two", 15)]
    bank_remove(bank=bank, entry_ids=[entries[0].pk], actor="t")
    assert matched_sources("b", near(base, 5)) == [("one", 5)]
    bank_add(bank=bank, signals=[pdq(near(base, 3), quality=40)], source="blurry", actor="t")
    assert matched_sources("b", base) == [("one", 0)]  # quality < 50 is kept, never matched


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_add_is_never_matched_afterwards() -> None:
    index_cache.forget_all()
    bank = bank_create(name="b", actor="t")
    kept, doomed = random_hex(), random_hex()
    bank_add(bank=bank, signals=[pdq(kept)], source="kept", actor="t")
    assert matched_sources("b", kept) == [("kept", 0)]

    def add_then_fail() -> None:
        with transaction.atomic():
            bank_add(
                bank=Bank.objects.get(name="b"), signals=[pdq(doomed)], source="doomed", actor="t"
            )
            assert matched_sources("b", doomed) == [("doomed", 0)]  # visible inside it
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        add_then_fail()
    assert matched_sources("b", doomed) == []
    bank_add(bank=Bank.objects.get(name="b"), signals=[pdq(random_hex())], source="next", actor="t")
    assert matched_sources("b", doomed) == []
    assert matched_sources("b", kept) == [("kept", 0)]


@pytest.mark.django_db(transaction=True)
def test_exact_digests_match_by_lookup() -> None:
    index_cache.forget_all()
    bank = bank_create(name="b", actor="t")
    md5 = "a" * 32
    bank_add(bank=bank, signals=[Signal(type="md5", value=md5)], source="file", actor="t")
    results = bank_match(
        signals=[Signal(type="md5", value=md5.upper()), Signal(type="md5", value="b" * 32)],
        bank_names=["b"],
    )
    assert [[(m.source, m.distance) for m in row] for row in results] == [[("file", 0)], []]
