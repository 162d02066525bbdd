"""Third-party libraries that gunicorn's master loads before it forks the workers.

Every worker imports the same libraries (Django, numpy, numba, pydantic, cryptography, ...) and
starts numba's compiler. Done once in the master, the forked workers share those pages instead
of each holding its own copy: measured, four workers and their master went from 605 to 425 MiB
(decision 33). hotline's own code is not imported here, so SIGHUP still starts workers on newly
installed hotline code. A library upgraded since the master started cannot be reloaded that way:
`upgraded()` names it, and the gunicorn configuration then restarts the master in place.
"""

import gc
import importlib
import importlib.metadata
import sys
from collections.abc import Iterable

# Importable without Django's settings; together they pull in what a worker needs (asgiref,
# pydantic_core, llvmlite, ...), all of which `preload` records.
SHARED_MODULES = (
    "numpy",
    "numba",
    "PIL.Image",
    "cryptography.fernet",
    "pydantic",
    "httpx",
    "dns.resolver",
    "rich.console",
    "reportlab.pdfgen.canvas",
    "prometheus_client",
    "pygments",
    "charset_normalizer",
    "django.db.models",
    "django.forms",
    "django.template",
    "django.core.handlers.wsgi",
)

_loaded: dict[str, str] = {}  # distribution -> version the master imported


def preload() -> None:
    """Import SHARED_MODULES, start numba's compiler, and record the distributions now loaded."""
    for name in SHARED_MODULES:
        importlib.import_module(name)
    _start_numba()
    _loaded.update(_versions(_loaded_distributions()))
    # Keep the collector from writing to every preloaded object in each worker, which would
    # copy the pages that the fork shares.
    gc.freeze()


def upgraded() -> list[str]:
    """'name old -> new' for each preloaded distribution whose installed version has changed."""
    now = _versions(_loaded.keys())
    changed = (d for d, v in _loaded.items() if now.get(d) != v)
    return sorted(f"{d} {_loaded[d]} -> {now.get(d, 'removed')}" for d in changed)


def _start_numba() -> None:
    # numba's typing and target contexts are built on the first compilation, about 20 MiB per
    # process; a throwaway function (not cached, not hotline's) builds them here instead.
    import numba
    import numpy as np

    numba.njit(lambda a, b: a + b)(np.int64(1), np.int64(2))


def _loaded_distributions() -> set[str]:
    owners = importlib.metadata.packages_distributions()
    tops = {name.partition(".")[0] for name in list(sys.modules)}
    return {dist for top in tops for dist in owners.get(top, ()) if not top.startswith("hotline")}


def _versions(distributions: Iterable[str]) -> dict[str, str]:
    out = {}
    for dist in distributions:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out
