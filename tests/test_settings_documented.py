"""Every setting hotline/settings.py reads from the environment is in .env.example and the docs.

Settings are found in the source, not listed here: any HOTLINE_* string (and DATABASE_URL)
passed to a call (os.environ.get, _env_bool, ...) or used as an os.environ[...] key.
"""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETTINGS = REPO / "hotline" / "settings.py"
ENV_EXAMPLE = REPO / ".env.example"
DOCS = [REPO / "README.md", REPO / "docs" / "deploy.md"]
NAME = re.compile(r"^(HOTLINE_[A-Z0-9_]+|DATABASE_URL)$")


def settings_read_from_the_environment() -> set[str]:
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            candidates = list(node.args[:1])
        elif isinstance(node, ast.Subscript):
            candidates = [node.slice]
        else:
            continue
        names |= {
            c.value
            for c in candidates
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and NAME.match(c.value)
        }
    return names


def commented_in_env_example() -> set[str]:
    """Names set (or shown commented out with their default) under a comment saying what they
    do; settings that belong together may share one comment."""
    setting = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=")
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = set()
    for index, line in enumerate(lines):
        match = setting.match(line)
        if not match:
            continue
        above = index - 1
        while above >= 0 and setting.match(lines[above]):
            above -= 1
        if above >= 0 and lines[above].startswith("#") and len(lines[above]) > 2:
            found.add(match.group(1))
    return found


def test_the_parser_finds_the_settings_it_should() -> None:
    found = settings_read_from_the_environment()
    assert {"DATABASE_URL", "HOTLINE_SECRET_KEY", "HOTLINE_TRUSTED_PROXY"} <= found
    assert "HOTLINE_SMTP_HOST" in found and len(found) > 40


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    missing = sorted(settings_read_from_the_environment() - commented_in_env_example())
    assert not missing, (
        f"add to .env.example, each as a '# what it does' line then NAME=default: {missing}"
    )


def test_every_setting_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
    missing = sorted(n for n in settings_read_from_the_environment() if f"`{n}`" not in docs)
    assert not missing, (
        f"document in README.md's settings table or docs/deploy.md's settings reference "
        f"(as `NAME`): {missing}"
    )
