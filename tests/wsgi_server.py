"""hotline's real WSGI application served over HTTP on loopback by a subprocess, for tests
that need a process with its own database settings (a database that is down, or empty)."""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVE = """
from wsgiref.simple_server import WSGIRequestHandler, make_server
from hotline.wsgi import application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args): pass

server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


@contextmanager
def wsgi_server(**env: str) -> Iterator[str]:
    """Serve with these environment variables (an empty one is unset) on an ephemeral port;
    yield the base URL."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        env={k: v for k, v in environment.items() if v},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    port = process.stdout.readline().decode().strip()
    if not port.isdigit():  # fail loudly: the server never came up
        process.kill()
        raise AssertionError(f"server did not start: {process.stderr.read().decode()[-2000:]}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects' errors away: (status, headers, body)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
