"""vPDQ video matching with Meta's semantics, pairwise or against an index of many videos."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.hashing.index import DEFAULT_RADIUS, HammingIndex, hashes_from_hex

MIN_QUALITY = 50  # frames below this PDQ quality are not used for matching
QUERY_MATCH_PERCENT = 80.0  # share of the query's usable frames that must match
CANDIDATE_MATCH_PERCENT = 0.0  # Meta's default: no requirement on the candidate's share

Frames = Sequence[tuple[str, int]]  # (64-char PDQ hex, quality 0-100) per sampled frame


@dataclass(frozen=True)
class VideoScore:
    """Percentages of usable frames matched: query frames in the candidate and vice versa."""

    query_match_percent: float
    candidate_match_percent: float
    is_match: bool


@dataclass(frozen=True)
class VideoMatch:
    """A candidate video from an index search, with its score."""

    video_id: int
    score: VideoScore


def usable_frames(frames: Frames, *, min_quality: int = MIN_QUALITY) -> npt.NDArray[np.uint8]:
    """Frames of quality >= min_quality with repeated hashes dropped, as (N, 32) uint8.

    Quality filtering comes first so that a low-quality frame cannot hide a good frame with
    the same hash (Meta's `prepare_vpdq_feature` order).
    """
    kept: dict[str, None] = {}
    for hex_hash, quality in frames:
        if quality >= min_quality:
            kept.setdefault(hex_hash.lower(), None)
    return hashes_from_hex(list(kept))


def _score(
    query_hits: int, query_total: int, cand_hits: int, cand_total: int, threshold: float
) -> VideoScore:
    q_pct = 100.0 * query_hits / query_total if query_total else 0.0
    c_pct = 100.0 * cand_hits / cand_total if cand_total else 0.0
    # Integer-exact comparison, so that exactly 80% of frames is a match.
    ok = query_total > 0 and query_hits * 100 >= threshold * query_total
    ok = ok and cand_hits * 100 >= CANDIDATE_MATCH_PERCENT * cand_total
    return VideoScore(q_pct, c_pct, ok)


def match_videos(
    query: Frames,
    candidate: Frames,
    *,
    radius: int = DEFAULT_RADIUS,
    min_quality: int = MIN_QUALITY,
    threshold: float = QUERY_MATCH_PERCENT,
) -> VideoScore:
    """Score one candidate video against a query video (Meta's brute-force vPDQ match)."""
    q = usable_frames(query, min_quality=min_quality)
    c = usable_frames(candidate, min_quality=min_quality)
    index = HammingIndex(expected_size=c.shape[0])
    index.add(np.arange(c.shape[0]), c)
    res = index.query_batch_arrays(q, radius)
    query_hits = int(np.count_nonzero(np.diff(res.offsets)))
    cand_hits = int(np.unique(res.ids).shape[0])
    return _score(query_hits, q.shape[0], cand_hits, c.shape[0], threshold)


def match_video_in_index(
    query: Frames,
    index: HammingIndex,
    frame_video: npt.NDArray[np.int64],
    *,
    video_frame_counts: Mapping[int, int] | None = None,
    radius: int = DEFAULT_RADIUS,
    min_quality: int = MIN_QUALITY,
    threshold: float = QUERY_MATCH_PERCENT,
) -> list[VideoMatch]:
    """Score every video with a frame near a query frame; matches first, best first.

    The index holds each video's usable frames (see `usable_frames`) under frame ids that
    index `frame_video`, which gives the frame's video id. `video_frame_counts` (usable frames
    per video) saves a pass over `frame_video` when the caller keeps it.
    """
    q = usable_frames(query, min_quality=min_quality)
    res = index.query_batch_arrays(q, radius)
    if res.ids.size and (res.ids.min() < 0 or res.ids.max() >= frame_video.shape[0]):
        raise ValueError("index holds frame ids outside frame_video")
    if res.ids.size == 0:
        return []
    query_frame = np.repeat(np.arange(q.shape[0]), np.diff(res.offsets))
    videos = frame_video[res.ids]
    pairs = np.unique(np.stack([videos, query_frame]), axis=1)
    vids, query_hits = np.unique(pairs[0], return_counts=True)
    frame_vids = frame_video[np.unique(res.ids)]
    # Same matched frames, so the same sorted video ids as `vids`.
    _, cand_hits = np.unique(frame_vids, return_counts=True)
    totals = _frame_totals(vids, frame_video, video_frame_counts)
    matches = [
        VideoMatch(int(v), _score(int(qh), q.shape[0], int(ch), totals[int(v)], threshold))
        for v, qh, ch in zip(vids, query_hits, cand_hits, strict=True)
    ]
    return sorted(
        matches,
        key=lambda m: (
            not m.score.is_match,
            -m.score.query_match_percent,
            -m.score.candidate_match_percent,
            m.video_id,
        ),
    )


def _frame_totals(
    vids: npt.NDArray[np.int64],
    frame_video: npt.NDArray[np.int64],
    counts: Mapping[int, int] | None,
) -> dict[int, int]:
    if counts is not None:
        return {int(v): counts[int(v)] for v in vids}
    found, n = np.unique(frame_video[np.isin(frame_video, vids)], return_counts=True)
    return dict(zip(found.tolist(), n.tolist(), strict=True))
