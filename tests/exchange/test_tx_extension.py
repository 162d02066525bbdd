"""The python-threatexchange extension against a running hotline: the real `threatexchange`
package's classes, and its `tx` CLI in a subprocess, fetch the known-content bank
incrementally, deletions included, with a platform's token."""

import csv
import io
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from threatexchange.exchanges import auth
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.utils import dataclass_json

from hotline.banks.models import Bank
from hotline.banks.services import (
    KNOWN_CONTENT_BANK,
    Signal,
    bank_add,
    bank_remove,
    banks_ensure_built_in,
)
from hotline.exchange.tx import (
    HotlineCheckpoint,
    HotlineCollabConfig,
    HotlineCredentials,
    HotlineEntry,
    HotlineSignalExchangeAPI,
)

TX = str(Path(sys.executable).with_name("tx"))
PDQ_A, PDQ_B, PDQ_C = "a" * 64, "b" * 64, "c" * 64
MD5_A = "0" * 31 + "1"


@pytest.fixture
def known(transactional_db: None) -> Bank:
    banks_ensure_built_in(actor="test")  # a transactional test starts with empty tables
    return Bank.objects.get(name=KNOWN_CONTENT_BANK)


def add(bank: Bank, *values: str, kind: str = "pdq") -> list[int]:
    signals = [Signal(type=kind, value=v, quality=90 if kind == "pdq" else None) for v in values]
    return [e.pk for e in bank_add(bank=bank, signals=signals, source="test", actor="test")]


def api_for(live_server: Any, token: str) -> HotlineSignalExchangeAPI:
    collab = HotlineCollabConfig(
        name="hotline-known", api="hotline", enabled=True, base_url=live_server.url
    )
    return HotlineSignalExchangeAPI.for_collab(collab, HotlineCredentials(token=token))


def fetch(
    api: HotlineSignalExchangeAPI, checkpoint: HotlineCheckpoint | None
) -> tuple[dict[str, Any], HotlineCheckpoint | None]:
    merged: dict[str, Any] = {}
    for delta in api.fetch_iter([PdqSignal, VideoMD5Signal], checkpoint):
        merged.update(delta.updates)
        checkpoint = delta.checkpoint
    return merged, checkpoint


def test_the_manifest_loads_the_way_tx_loads_extensions() -> None:
    manifest = ThreatExchangeExtensionManifest.load_from_module_name("hotline.exchange.tx")
    assert [api.get_name() for api in manifest.apis] == ["hotline"]


def test_the_api_fetches_incrementally_with_deletions(
    live_server: Any, known: Bank, directory: Any
) -> None:
    first = add(known, PDQ_A, PDQ_B)
    md5 = add(known, MD5_A, kind="md5")
    api = api_for(live_server, directory.tokens["telegram_mod"])

    state: dict[str, Any] = {}
    updates, checkpoint = fetch(api, None)
    assert {k: (v.signal_type, v.value) for k, v in updates.items()} == {
        str(first[0]): ("pdq", PDQ_A),
        str(first[1]): ("pdq", PDQ_B),
        str(md5[0]): ("md5", MD5_A),
    }
    HotlineSignalExchangeAPI.naive_fetch_merge(state, updates)

    # Nothing new: the next fetch from the checkpoint brings nothing.
    again, checkpoint = fetch(api, checkpoint)
    assert again == {}

    # One added, one removed: the delta holds exactly those two.
    third = add(known, PDQ_C)
    bank_remove(bank=known, entry_ids=[first[0]], actor="test")
    delta, checkpoint = fetch(api, checkpoint)
    assert delta.keys() == {str(third[0]), str(first[0])}
    assert delta[str(first[0])] is None  # a deletion
    HotlineSignalExchangeAPI.naive_fetch_merge(state, delta)

    collab = api.collab
    index = HotlineSignalExchangeAPI.naive_convert_to_signal_type(
        [PdqSignal, VideoMD5Signal], collab, state
    )
    assert set(index[PdqSignal]) == {PDQ_B, PDQ_C}
    assert set(index[VideoMD5Signal]) == {MD5_A}
    assert index[PdqSignal][PDQ_B].get_as_aggregate_opinion().category.name == "POSITIVE_CLASS"


def test_pages_follow_one_another_until_up_to_date(
    live_server: Any, known: Bank, directory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = [f"{n:064x}" for n in range(1, 8)]
    ids = add(known, *values)
    monkeypatch.setattr("hotline.exchange.tx.PAGE_SIZE", 3)
    api = api_for(live_server, directory.tokens["telegram_mod"])
    deltas = list(api.fetch_iter([PdqSignal], None))
    assert [len(d.updates) for d in deltas] == [3, 3, 1]
    assert [k for d in deltas for k in d.updates] == [str(i) for i in ids]


def test_a_reporters_token_or_a_bad_token_is_refused(
    live_server: Any, known: Bank, directory: Any
) -> None:
    for token in (directory.tokens["analyst"], "not-a-token"):
        with pytest.raises(auth.SignalExchangeAPIInvalidAuthException):
            fetch(api_for(live_server, token), None)


def tx(home: Path, *args: str, token: str) -> subprocess.CompletedProcess[str]:
    env = {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "TX_HOTLINE_TOKEN": token,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    return subprocess.run(
        [TX, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def tx_signals(home: Path, token: str) -> set[tuple[str, str]]:
    result = tx(home, "dataset", "-P", "--csv", "-c", "hotline-known", token=token)
    assert result.returncode == 0, result.stderr
    rows = csv.DictReader(io.StringIO(result.stdout))
    return {(r["signal_type"], r["signal_str"]) for r in rows}


@pytest.mark.slow
def test_the_tx_cli_fetches_hotline_and_sees_a_deletion(
    live_server: Any, known: Bank, directory: Any, tmp_path: Path
) -> None:
    token = directory.tokens["telegram_mod"]
    first = add(known, PDQ_A, PDQ_B)
    add(known, MD5_A, kind="md5")
    for args in (
        ("config", "extensions", "add", "hotline.exchange.tx"),
        (
            "config",
            "collab",
            "edit",
            "hotline",
            "hotline-known",
            "--create",
            "--base-url",
            live_server.url,
        ),
        ("fetch",),
    ):
        result = tx(tmp_path, *args, token=token)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert tx_signals(tmp_path, token) == {
        ("pdq", PDQ_A),
        ("pdq", PDQ_B),
        ("video_md5", MD5_A),
    }

    bank_remove(bank=known, entry_ids=[first[1]], actor="test")
    add(known, PDQ_C)
    result = tx(tmp_path, "fetch", token=token)
    assert result.returncode == 0, result.stderr
    assert tx_signals(tmp_path, token) == {("pdq", PDQ_A), ("pdq", PDQ_C), ("video_md5", MD5_A)}

    match = tx(
        tmp_path, "match", "--only-signal", "pdq", "--hashes", "photo", "--", PDQ_C, token=token
    )
    assert match.returncode == 0, match.stderr
    assert "hotline-known" in match.stdout


def test_hma_can_store_the_config_checkpoint_credentials_and_records() -> None:
    """What HMA's storage does with an exchange's classes (OpenMediaMatch/storage/postgres):
    configs, checkpoints and credentials through threatexchange's dataclass_json, each fetched
    record converted on its own and pickled, keyed by str(key)."""
    api_json = {"base_url": "https://hotline.example", "bank": "known-content"}
    api_json |= {"name": "HOTLINE_KNOWN", "enabled": True, "api": "hotline"}  # as HMA adds
    collab = dataclass_json.dataclass_load_dict(api_json, HotlineCollabConfig)
    assert collab.base_url == "https://hotline.example" and collab.bank == "known-content"
    for obj in (HotlineCheckpoint(cursor="3.17"), HotlineCredentials(token="hl_x")):
        assert (
            dataclass_json.dataclass_load_dict(dataclass_json.dataclass_dump_dict(obj), type(obj))
            == obj
        )
    assert HotlineCredentials._from_str(" hl_x \n") == HotlineCredentials(token="hl_x")

    record = HotlineEntry(entry_id=17, signal_type="pdq", value=PDQ_A, quality=90, bank="k")
    converted = HotlineSignalExchangeAPI.naive_convert_to_signal_type(
        [PdqSignal, VideoMD5Signal], collab, {"17": record}
    )
    assert converted == {PdqSignal: {PDQ_A: record}}
    assert pickle.loads(pickle.dumps(record)) == record  # noqa: S301 - our own bytes, as HMA
    unusable = HotlineEntry(entry_id=18, signal_type="sha256", value="e" * 64)
    assert (
        HotlineSignalExchangeAPI.naive_convert_to_signal_type([PdqSignal], collab, {"18": unusable})
        == {}
    )
