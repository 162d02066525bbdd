"""gunicorn settings that `hotline serve` does not pass as flags (read by gunicorn's master).

gunicorn would otherwise trust X-Forwarded-Proto from loopback and mark such requests https on
its own. Django decides that instead, from HOTLINE_TRUSTED_PROXY (SECURE_PROXY_SSL_HEADER), so
there is one switch, documented in docs/deploy.md, and no header is trusted by default.
"""

import os
import sys
from typing import Any

from hotline.core import preload

secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = "127.0.0.1,::1"
# Worker heartbeats go through memory, not a disk that may be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  (tmpfs)
# The access log line: client, request, status, bytes, seconds taken, user agent.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
# gunicorn >= 25.1 opens a control socket in $HOME, shared by every server of that user; hotline
# is controlled by signals (docs/deploy.md), so none is opened. Older versions ignore the name.
control_socket_disable = True

preload.preload()  # the workers fork with these libraries loaded and share their pages


def on_reload(server: Any) -> None:
    """SIGHUP: if a preloaded library was upgraded, restart the master in place (same pid).

    Workers forked now would run the new hotline code on the libraries the master loaded at
    start; so the master stops its workers gracefully and executes itself again, which loads
    everything afresh. New connections are refused for those seconds, as with a restart.
    """
    changed = preload.upgraded()
    if not changed:
        return
    server.log.warning(
        "Restarting in place: %s upgraded since this server started (docs/deploy.md)",
        ", ".join(changed),
    )
    server.stop(graceful=True)
    os.chdir(server.START_CTX["cwd"])
    # `-m gunicorn` as `hotline serve` ran it: gunicorn's own re-exec runs __main__.py's path,
    # which puts gunicorn's package first on sys.path, where its `http` hides the standard one.
    argv = [sys.executable, "-m", "gunicorn", *sys.argv[1:]]
    os.execv(sys.executable, argv)  # noqa: S606  (our own interpreter and arguments)


def post_worker_init(worker: Any) -> None:
    """Warm a new worker before it accepts a request, so no caller pays for it.

    Django imports the URLconf (every view and API schema) on the first request, and numba
    loads the matching kernels on the first match: seconds per worker, after every start and
    every SIGHUP (bench/bench_serve.py saw 3.5 s and 1.7 s on a loaded 2-core VM). Done here,
    before the worker's first accept, no request is held up inside a worker that took it.
    """
    import numpy as np
    from django.urls import get_resolver

    from hotline.hashing.index import HammingIndex

    get_resolver().url_patterns  # noqa: B018  (the import is the point)
    index = HammingIndex()
    index.add(np.array([1], np.int64), np.zeros((1, 32), np.uint8))
    index.query_batch(np.zeros((1, 32), np.uint8), 31)
    worker.log.info("Worker ready (pid: %s)", worker.pid)
