"""Fixtures of the operations tests: the API tests' small world of filed requests."""

from tests.api.conftest import World, world

__all__ = ["World", "world"]
