"""Shared by the README and docs example tests: pull shell examples out of Markdown, run them.

A reader changes only what is theirs: the server's address (the tests' server listens on an
ephemeral port), the tokens, and the names of their own files; everything else runs as written.
"""

import os
import re
import shlex
import subprocess
from pathlib import Path

from tests.packaging.conftest import Demo, Server

# The addresses the examples use for the server: the local default and the public one.
EXAMPLE_ORIGINS = ("http://127.0.0.1:8000", "https://hotline.example")
HTTP_STATUS = re.compile(r"\nHTTP (\d{3})$")
SHELL_FENCE = re.compile(r"```(sh|bash|console)\n(.*?)```", re.DOTALL)


def shell_examples(markdown: str) -> list[str]:
    """Every command in the ```sh / ```bash / ```console blocks, continuation lines and open
    quotes joined. In a console block only the `$ ` lines are commands; the rest is output."""
    commands = []
    for language, block in SHELL_FENCE.findall(markdown):
        pending = ""
        for line in block.splitlines():
            if language == "console" and not pending:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending = f"{pending}\n{line}" if pending else line
            if pending.endswith("\\"):
                continue
            if not _complete(pending):  # a quote, loop or block still open: it goes on
                continue
            commands.append(pending)
            pending = ""
        assert not pending, f"unfinished example: {pending}"
    return commands


def _complete(command: str) -> bool:
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    # A loop (while ... done) spans lines that shlex alone would take as finished commands.
    check = subprocess.run(["bash", "-n", "-c", command], capture_output=True, check=False)
    return check.returncode == 0


def bash(script: str, *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{script}\nexited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def shell_env(demo: Demo) -> dict[str, str]:
    return dict(
        demo.env,
        PATH=f"{demo.installed.bin}{os.pathsep}{os.environ['PATH']}",
        TOKEN=demo.tokens["analyst"],
        MODERATOR_TOKEN=demo.tokens["moderator"],
    )


def at_server(example: str, server: Server) -> str:
    """The example with its server address replaced by the test server's."""
    assert any(origin in example for origin in EXAMPLE_ORIGINS), example
    for origin in EXAMPLE_ORIGINS:
        example = example.replace(origin, server.base)
    return example


def curl(
    example: str, demo: Demo, server: Server, *, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run a curl example against the server; (HTTP status, body)."""
    script = at_server(example, server) + " -w '\\nHTTP %{http_code}'"
    out = bash(script, cwd=demo.home, env=env or shell_env(demo))
    found = HTTP_STATUS.search(out)
    assert found, out
    return int(found.group(1)), out[: found.start()]
