"""The ``marginspec`` command line (click).

One module per command; each registers itself on :data:`main` when imported, which
:data:`~marginspec.cli.app.COMMAND_MODULES` does on the command's first use. Every user-facing
error is a :class:`~marginspec.errors.MarginspecError` turned into one line on stderr
and exit status 2 by :func:`run_guarded`, never a traceback.
"""

from __future__ import annotations

# Each command's module is imported when the command runs (cli.app.COMMAND_MODULES).
from marginspec.cli.app import main

__all__ = ["main"]
