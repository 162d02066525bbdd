"""Hash many media files on the cores allowed, in input order, with per-file errors and a
progress bar; a process pool is started only when the work pays for it."""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from hotline.hashing.errors import EmptyMedia, MediaError, NotMedia
from hotline.hashing.images import hash_image_file
from hotline.hashing.signals import DEFAULT_LIMITS, ImageSignals, Limits, VideoSignals
from hotline.hashing.videos import (
    DEFAULT_DEDUPE_DISTANCE,
    DEFAULT_FPS,
    hash_video_file,
    looks_like_video,
)

Kind = Literal["image", "video"]
NOT_MEDIA = "not a recognised image or video format"
Signals = ImageSignals | VideoSignals
# Native libraries must not start a thread pool per worker: the workers already fill the cores.
_SINGLE_THREAD_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)
_AHEAD_PER_WORKER = 4  # tasks queued per worker: keeps cores busy, bounds memory
# Starting workers costs about 0.1 s (fork) to 0.5 s (forkserver); below this much estimated
# work one process is faster. Image decoding runs at roughly 50 MB of JPEG a second per core;
# a video costs far more per byte, so each counts as a second of work.
POOL_MIN_SECONDS = 0.25
_IMAGE_BYTES_PER_SECOND = 50e6
_VIDEO_SECONDS = 1.0

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


@dataclass(frozen=True, slots=True)
class Options:
    """How each file is hashed."""

    fps: float = DEFAULT_FPS
    dedupe_distance: int = DEFAULT_DEDUPE_DISTANCE
    limits: Limits = DEFAULT_LIMITS


@dataclass(frozen=True, slots=True)
class MediaResult:
    """The outcome for one file: signals, or an error message naming the problem."""

    path: str
    signals: Signals | None = None
    error: str | None = None

    @property
    def kind(self) -> Kind | None:
        """ "image" or "video" for a hashed file, None for a failure."""
        if self.signals is None:
            return None
        return "image" if isinstance(self.signals, ImageSignals) else "video"


def hash_media_file(
    path: str | os.PathLike[str],
    *,
    fps: float = DEFAULT_FPS,
    dedupe_distance: int = DEFAULT_DEDUPE_DISTANCE,
    limits: Limits = DEFAULT_LIMITS,
) -> Signals:
    """Hash an image or a video, telling them apart by content rather than by file name."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if not head:
        raise EmptyMedia("file is empty")
    if not looks_like_video(head):
        try:
            return hash_image_file(path, limits)
        except NotMedia:
            pass  # not an image Pillow knows: FFmpeg may still read it as a video
    try:
        return hash_video_file(path, fps=fps, dedupe_distance=dedupe_distance, limits=limits)
    except NotMedia as exc:
        if looks_like_video(head):
            raise  # a video container: its own reason ("file has no video stream") is exact
        raise NotMedia(NOT_MEDIA) from exc


def hash_one(path: str, options: Options = Options()) -> MediaResult:
    """Hash one file, turning every failure into an error result."""
    try:
        signals = hash_media_file(
            path, fps=options.fps, dedupe_distance=options.dedupe_distance, limits=options.limits
        )
    except MediaError as exc:
        return MediaResult(path, error=str(exc))
    except OSError as exc:
        return MediaResult(path, error=exc.strerror or str(exc))
    except Exception as exc:
        return MediaResult(path, error=f"internal error ({type(exc).__name__}): {exc}")
    return MediaResult(path, signals=signals)


def allowed_cores() -> int:
    """The CPUs this process may run on (its affinity, as `taskset` sets it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity call on this platform
        return os.cpu_count() or 1


def pool_pays(paths: Sequence[str], workers: int) -> bool:
    """Whether hashing ``paths`` on ``workers`` processes beats one, by an estimate of the work."""
    if workers < 2 or len(paths) < 2:
        return False
    seconds = 0.0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                head = handle.read(64)
            size = os.path.getsize(path)
        except OSError:
            continue
        seconds += _VIDEO_SECONDS if looks_like_video(head) else size / _IMAGE_BYTES_PER_SECOND
        if seconds >= POOL_MIN_SECONDS:
            return True
    return False


def hash_files(
    paths: Sequence[str],
    *,
    workers: int | None = None,
    progress: bool = True,
    options: Options = Options(),
) -> Iterator[MediaResult]:
    """Yield one result per path, in input order.

    ``workers`` processes (default: the allowed cores) are used only when the estimated work
    pays for starting them (`pool_pays`); an explicit ``workers`` above 1 always starts them.
    """
    count = min(workers or allowed_cores(), len(paths))
    parallel = count > 1 and (workers is not None or pool_pays(paths, count))
    results: Iterable[MediaResult] = (
        _in_pool(paths, count, options) if parallel else (hash_one(p, options) for p in paths)
    )
    if not progress:
        yield from results
        return
    from tqdm import tqdm  # only when a bar is shown: importing it costs a tenth of a second

    with tqdm(total=len(paths), file=sys.stderr, unit="file") as bar:
        for result in results:
            bar.update(1)
            yield result


def _in_pool(paths: Sequence[str], workers: int, options: Options) -> Iterator[MediaResult]:
    from concurrent.futures.process import BrokenProcessPool

    todo = deque(paths)
    pending: deque[tuple[str, Future[MediaResult]]] = deque()
    with _single_threaded_natives():
        pool = _new_pool(workers)
        try:
            while todo or pending:
                while todo and len(pending) < workers * _AHEAD_PER_WORKER:
                    path = todo.popleft()
                    pending.append((path, pool.submit(hash_one, path, options)))
                path, future = pending.popleft()
                try:
                    yield future.result()
                except BrokenProcessPool:
                    # A decoder crashed its process: report this file, retry the others.
                    yield MediaResult(path, error="the hashing process crashed on this file")
                    pool.shutdown(cancel_futures=True)
                    pool = _new_pool(workers)
                    todo.extendleft(reversed([p for p, _ in pending]))
                    pending.clear()
        finally:
            pool.shutdown(cancel_futures=True)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context: multiprocessing.context.BaseContext
    if threading.active_count() == 1:
        # A single-threaded caller (the command line) forks: the workers start with everything
        # already imported.
        context = multiprocessing.get_context("fork")
    else:
        # A threaded caller (a server) must not fork, which can deadlock: a fork server,
        # with this module preloaded so that each worker starts warm.
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload([__name__])
        context = server
    return ProcessPoolExecutor(workers, mp_context=context)


@contextmanager
def _single_threaded_natives() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in _SINGLE_THREAD_ENV}
    for name in _SINGLE_THREAD_ENV:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
