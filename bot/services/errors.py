"""Errors services raise; each carries a friendly message that is safe to show the user."""


class ServiceError(Exception):
    """A domain error with a plain-English message for the person who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ServiceError):
    """The person may not do this (wrong role, not a member, not theirs)."""


class NotFound(ServiceError):
    """The thing asked for does not exist (or no longer does)."""


class InvalidInput(ServiceError):
    """What the person typed cannot be used; the message says how to fix it."""


class Conflict(ServiceError):
    """The action clashes with the current state (already decided, already closed, ...)."""
