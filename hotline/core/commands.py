"""Helpers shared by management commands."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from hotline.core.errors import DomainError


@contextmanager
def domain_errors_as_command_errors() -> Iterator[None]:
    """A broken rule becomes a one-line error and a non-zero exit, not a traceback."""
    try:
        yield
    except DomainError as error:
        raise CommandError(error.message) from error
