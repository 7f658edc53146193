"""Errors that reach a user: one line that says where, never a traceback."""

from __future__ import annotations


class MarginspecError(Exception):
    """Base of every error marginspec reports to a user (CLI exit status 2)."""


class InputError(MarginspecError):
    """Bad input: ``where`` names the file, JSON pointer, symbol or bracket."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # rebuilt from both parts when it crosses a process (impact's workers, Dask)
        return type(self), (self.where, self.message)


class RuleSetError(InputError):
    """An ill-formed rule set or bracket table."""
