"""The ``marginspec`` command line (click).

One module per command; each registers itself on :data:`main`. Every user-facing
error is a :class:`~marginspec.errors.MarginspecError` turned into one line on stderr
and exit status 2 by :func:`run_guarded`, never a traceback.
"""

from __future__ import annotations

from marginspec.cli import conform as _conform  # noqa: F401  (conform)
from marginspec.cli import demo as _demo  # noqa: F401  (demo)
from marginspec.cli import diff as _diff  # noqa: F401  (diff)

# Importing a command module registers its command on ``main``.
from marginspec.cli import evaluate as _evaluate  # noqa: F401  (registers commands)
from marginspec.cli import prove as _prove  # noqa: F401  (prove)
from marginspec.cli import replay as _replay  # noqa: F401  (replay, trace run)
from marginspec.cli import rules as _rules  # noqa: F401  (rules show|list)
from marginspec.cli import schema as _schema  # noqa: F401  (schema)
from marginspec.cli import serve as _serve  # noqa: F401  (serve-protocol)
from marginspec.cli import vectors as _vectors  # noqa: F401  (vectors generate|check)
from marginspec.cli.app import main

__all__ = ["main"]
