"""hotline's banks as a python-threatexchange SignalExchangeAPI, for `tx` and HMA.

    pip install 'hotline[exchange]'          # or just this file next to `threatexchange`
    tx config extensions add hotline.exchange.tx
    tx config collab hotline hotline-known --create --base-url https://hotline.example
    TX_HOTLINE_TOKEN=<a platform moderator's API token> tx fetch

The API reads `GET {base_url}/api/banks/{bank}/feed` page by page. Each fetched record is keyed
by hotline's entry id, so a deletion (which may carry no hash: a purged entry) removes exactly
the entry it names; the checkpoint is the feed's cursor, so the next fetch asks only for what
changed since. Only the standard library and `threatexchange` are imported here (an
import-linter contract keeps Django out): the module can run inside HMA or the `tx` CLI.

Do not add `from __future__ import annotations`: the `tx` CLI builds its options from the
config dataclass's field types, which must be real types.
"""

import json
import typing as t
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from threatexchange.exchanges import auth, signal_exchange_api
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigBase
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.signal_base import SignalType

# hotline's signal types by the name python-threatexchange gives them.
TX_NAME = {"pdq": "pdq", "md5": "video_md5", "sha256": "video_sha256"}
PAGE_SIZE = 1000
TIMEOUT_S = 60


@dataclass
class HotlineCollabConfig(CollaborationConfigBase):
    """Which hotline, and which of its banks (one shared with platforms)."""

    base_url: str = field(metadata={"help": "hotline's address, e.g. https://hotline.example"})
    bank: str = field(default="known-content", metadata={"help": "the bank to fetch"})


@dataclass
class HotlineCredentials(auth.CredentialHelper):
    """A platform moderator's hotline API token (`hotline token create`)."""

    ENV_VARIABLE: t.ClassVar[str] = "TX_HOTLINE_TOKEN"
    FILE_NAME: t.ClassVar[str] = "~/.tx_hotline_token"

    token: str = field(default="", metadata={"help": "a hotline API token of a platform"})

    @classmethod
    def _from_str(cls, s: str) -> "HotlineCredentials":
        return cls(token=s.strip())

    def _are_valid(self) -> bool:
        return bool(self.token)


@dataclass
class HotlineCheckpoint(state.FetchCheckpointBase):
    """The feed's cursor: the bank version (and entry) fetched up to."""

    cursor: str = ""


@dataclass
class HotlineEntry(state.FetchedSignalMetadata):
    """One live entry of a hotline bank: content hotline saw confirmed removed."""

    entry_id: int = 0
    signal_type: str = ""
    value: str = ""
    quality: int | None = None
    bank: str = ""

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        return [
            state.SignalOpinion(
                is_mine=False,
                category=state.SignalOpinionCategory.POSITIVE_CLASS,
                tags={f"hotline:{self.bank}"} if self.bank else set(),
            )
        ]


class HotlineSignalExchangeAPI(
    auth.SignalExchangeWithAuth[HotlineCollabConfig, HotlineCredentials],
    signal_exchange_api.SignalExchangeAPI[
        HotlineCollabConfig, HotlineCheckpoint, HotlineEntry, str, HotlineEntry
    ],
):
    """Fetch a hotline bank incrementally, deletions included (`get_name()` is "hotline")."""

    def __init__(self, collab: HotlineCollabConfig, token: str) -> None:
        if not collab.base_url:
            raise ValueError(f"collab {collab.name!r} has no base_url")
        self.collab = collab
        self.token = token

    @staticmethod
    def get_config_cls() -> type[HotlineCollabConfig]:
        return HotlineCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[HotlineCheckpoint]:
        return HotlineCheckpoint

    @staticmethod
    def get_record_cls() -> type[HotlineEntry]:
        return HotlineEntry

    @staticmethod
    def get_credential_cls() -> type[HotlineCredentials]:
        return HotlineCredentials

    @classmethod
    def for_collab(
        cls,
        collab: HotlineCollabConfig,
        credentials: HotlineCredentials | None = None,
    ) -> "HotlineSignalExchangeAPI":
        credentials = credentials or HotlineCredentials.get(cls)
        return cls(collab, credentials.token)

    def _page(self, after: str) -> dict[str, t.Any]:
        query = {"limit": str(PAGE_SIZE), **({"after": after} if after else {})}
        bank = urllib.parse.quote(self.collab.bank, safe="")
        url = (
            f"{self.collab.base_url.rstrip('/')}/api/banks/{bank}/feed?"
            f"{urllib.parse.urlencode(query)}"
        )
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be http(s), got {self.collab.base_url!r}")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                answer: dict[str, t.Any] = json.load(response)
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise auth.SignalExchangeAPIInvalidAuthException(
                    type(self), f"hotline refused the token ({error.code})"
                ) from error
            raise
        return answer

    def fetch_iter(
        self,
        supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: HotlineCheckpoint | None,
    ) -> t.Iterator[state.FetchDelta[str, HotlineEntry, HotlineCheckpoint]]:
        cursor = checkpoint.cursor if checkpoint is not None else ""
        while True:
            page = self._page(cursor)
            updates: dict[str, HotlineEntry | None] = {}
            for change in page["changes"]:
                key = str(change["entry_id"])
                if change["op"] == "delete":
                    updates[key] = None
                else:
                    updates[key] = HotlineEntry(
                        entry_id=change["entry_id"],
                        signal_type=change["signal_type"],
                        value=change["value"],
                        quality=change.get("quality"),
                        bank=page["bank"],
                    )
            cursor = page["next_cursor"]
            yield state.FetchDelta(updates, HotlineCheckpoint(cursor=cursor))
            if not page["has_more"]:
                return

    @classmethod
    def naive_convert_to_signal_type(
        cls,
        signal_types: t.Sequence[type[SignalType]],
        collab: HotlineCollabConfig,
        fetched: t.Mapping[str, HotlineEntry],
    ) -> dict[type[SignalType], dict[str, HotlineEntry]]:
        by_name = {s.get_name(): s for s in signal_types}
        converted: dict[type[SignalType], dict[str, HotlineEntry]] = {}
        for entry in fetched.values():
            if entry is None:
                continue
            signal_type = by_name.get(TX_NAME.get(entry.signal_type, ""))
            if signal_type is not None:
                converted.setdefault(signal_type, {})[entry.value] = entry
        return converted


TX_MANIFEST = ThreatExchangeExtensionManifest(apis=(HotlineSignalExchangeAPI,))
