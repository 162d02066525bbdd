"""vPDQ matching follows Meta's semantics: usable frames, 80% of the query, both percentages."""

import numpy as np
import pytest

from hotline.hashing.index import HammingIndex, hashes_to_hex
from hotline.hashing.video_match import (
    match_video_in_index,
    match_videos,
    usable_frames,
)


def hexes(n: int, seed: int) -> list[str]:
    return hashes_to_hex(np.random.default_rng(seed).integers(0, 2**64, (n, 4), dtype=np.uint64))


def near(hex_hash: str, bits: int) -> str:
    """`hex_hash` with its lowest `bits` bits flipped."""
    return f"{int(hex_hash, 16) ^ ((1 << bits) - 1):064x}"


FRAMES = hexes(10, 1)
OTHER = hexes(10, 2)


def test_exactly_80_percent_of_query_frames_is_a_match() -> None:
    query = [(h, 100) for h in FRAMES[:5]]
    candidate = [(near(h, 31), 90) for h in FRAMES[:4]] + [(OTHER[0], 90)]
    score = match_videos(query, candidate)
    assert score.query_match_percent == 80.0
    assert score.candidate_match_percent == 80.0
    assert score.is_match


def test_just_under_80_percent_is_not_a_match() -> None:
    query = [(h, 100) for h in FRAMES[:10]]
    candidate = [(near(h, 5), 90) for h in FRAMES[:7]] + [(near(FRAMES[7], 32), 90)]
    score = match_videos(query, candidate)
    assert score.query_match_percent == 70.0
    assert score.candidate_match_percent == 87.5
    assert not score.is_match


def test_percentages_are_asymmetric_for_a_clip() -> None:
    clip = [(h, 100) for h in FRAMES[2:6]]
    full = [(h, 100) for h in FRAMES] + [(h, 100) for h in OTHER]
    score = match_videos(clip, full)
    assert (score.query_match_percent, score.candidate_match_percent) == (100.0, 20.0)
    assert score.is_match
    reverse = match_videos(full, clip)
    assert reverse.query_match_percent == 20.0
    assert not reverse.is_match


def test_low_quality_and_repeated_frames_do_not_count() -> None:
    query = [(FRAMES[0], 100), (FRAMES[0], 100), (FRAMES[1], 49), (FRAMES[2].upper(), 50)]
    assert usable_frames(query).shape == (2, 32)
    candidate = [(FRAMES[0], 100), (FRAMES[2], 10)]
    score = match_videos(query, candidate)
    assert score.query_match_percent == 50.0
    assert score.candidate_match_percent == 100.0
    assert not score.is_match


def test_query_without_usable_frames_never_matches() -> None:
    score = match_videos([(FRAMES[0], 10)], [(FRAMES[0], 100)])
    assert (score.query_match_percent, score.is_match) == (0.0, False)


def test_index_of_many_videos() -> None:
    videos = {
        100: FRAMES,  # same video
        -7: FRAMES[:4] + OTHER[:4],  # shares 4 frames
        9: OTHER,  # unrelated
    }
    frame_video: list[int] = []
    index = HammingIndex()
    for vid, frames in videos.items():
        usable = usable_frames([(h, 100) for h in frames])
        index.add(np.arange(len(frame_video), len(frame_video) + usable.shape[0]), usable)
        frame_video.extend([vid] * usable.shape[0])
    query = [(near(h, 20), 80) for h in FRAMES[:5]]
    got = match_video_in_index(query, index, np.array(frame_video))
    assert [(m.video_id, m.score.is_match) for m in got] == [(100, True), (-7, True)]
    assert got[0].score.candidate_match_percent == 50.0
    assert got[1].score.query_match_percent == 80.0
    assert got[1].score.candidate_match_percent == 50.0
    counts = {100: 10, -7: 8, 9: 10}
    again = match_video_in_index(query, index, np.array(frame_video), video_frame_counts=counts)
    assert again == got
    assert match_video_in_index([(OTHER[9], 100)], index, np.array(frame_video))[0].video_id == 9
    assert match_video_in_index([(hexes(1, 3)[0], 100)], index, np.array(frame_video)) == []


def test_index_ids_outside_frame_video_are_rejected() -> None:
    index = HammingIndex()
    index.add([5], usable_frames([(FRAMES[0], 100)]))
    with pytest.raises(ValueError, match="frame_video"):
        match_video_in_index([(FRAMES[0], 100)], index, np.array([1, 2]))
