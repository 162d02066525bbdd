"""How `hotline serve` runs gunicorn: pure rules from options to a command line.

gunicorn is the production server ([decision 9](../../docs/decisions/0009-production-server.md)).
Its master process imports nothing of hotline's code but this package's `gunicorn_conf`; each
worker imports `hotline.wsgi`, so a SIGHUP restarts the workers gracefully on new code.
"""

import os
from dataclasses import dataclass

WSGI_APP = "hotline.wsgi:application"
GUNICORN_CONFIG = "python:hotline.core.gunicorn_conf"
# gthread, not sync, even at one thread: only it keeps a connection alive between requests, so
# a platform's upload checks reuse one connection instead of paying a TCP handshake each
# (decision 27). Idle kept-alive connections wait in the worker's poller, not in a thread.
WORKER_CLASS = "gthread"
KEEP_ALIVE_SECONDS = 5
# Each worker holds its own bank indexes and one database connection; past this many a
# single host is better served by a second one.
MAX_DEFAULT_WORKERS = 12


@dataclass(frozen=True)
class ServeOptions:
    bind: str
    workers: int  # 0: from the cores
    threads: int
    timeout: int
    graceful_timeout: int


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """gunicorn's documented starting point, 2 x cores + 1, capped."""
    return min(2 * max(cores, 1) + 1, MAX_DEFAULT_WORKERS)


def bind_problem(bind: str) -> str | None:
    """Why a --bind value is unusable, or None. HOST:PORT, [IPv6]:PORT or unix:PATH."""
    if bind.startswith("unix:"):
        return None if len(bind) > len("unix:") else "unix: needs a socket path"
    host, sep, port = bind.rpartition(":")
    if not sep or not host:
        return f"--bind wants HOST:PORT (e.g. 127.0.0.1:8000), got {bind!r}"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        return f"--bind port must be 0-65535, got {port!r}"
    return None


def gunicorn_argv(options: ServeOptions, cores: int) -> list[str]:
    """gunicorn's arguments (after `python -m gunicorn`) for these options."""
    workers = options.workers or default_workers(cores)
    return [
        "--config",
        GUNICORN_CONFIG,
        "--bind",
        options.bind,
        "--workers",
        str(workers),
        "--worker-class",
        WORKER_CLASS,
        "--threads",
        str(options.threads),
        "--keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "--timeout",
        str(options.timeout),
        "--graceful-timeout",
        str(options.graceful_timeout),
        "--access-logfile",
        "-",  # stdout; gunicorn's own messages go to stderr
        "--error-logfile",
        "-",
        WSGI_APP,
    ]
