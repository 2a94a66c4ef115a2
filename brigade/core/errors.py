"""Domain errors that every layer maps the same way (API: 409; pages: a message)."""

from __future__ import annotations


class TransitionNotAllowed(Exception):
    """A state change that the record's current state does not allow (HTTP 409)."""

    def __init__(self, message: str, *, state: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


class StaleVersion(Exception):
    """A write names a version of the record that is no longer current (HTTP 412)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VersionRequired(Exception):
    """A write that must name the version it was decided on names none (HTTP 428)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
