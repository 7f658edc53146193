"""The action vocabulary the kit generates, aimed at where engines go wrong (CONF-5).

- :mod:`~marginspec.conformance.moves.aiming`: the chooser and context protocols, the
  ``@move`` declaration, and the helpers every move aims with;
- :mod:`~marginspec.conformance.moves.initial_state`: a run's starting exchange;
- :mod:`~marginspec.conformance.moves.ordinary`: the ordinary moves (the Hypothesis
  driver's rules, and half of every static-vector run);
- :mod:`~marginspec.conformance.moves.aimed`: the aimed scenarios the static vectors
  use to reach the coverage targets the ordinary moves reach rarely
  (:mod:`~marginspec.conformance.moves.aimed_more`: issue 14's amendment, STP and filter
  scenarios and issue 12's discriminating ones; :mod:`~marginspec.conformance.moves.aimed_venue`:
  those aimed at issue 15's venue rules; :mod:`~marginspec.conformance.moves.refusals`:
  the refusals only the mutation benchmark asked for;
  :mod:`~marginspec.conformance.moves.boundaries`:
  issue 12's rule boundaries reached from both sides;
  :mod:`~marginspec.conformance.moves.liquidation_edges`: the liquidation price's and the
  sweep's edges; :mod:`~marginspec.conformance.moves.figure_edges`: account figures at
  the inputs where a wrong engine's answer differs);
- :mod:`~marginspec.conformance.moves.conditional`: the conditional orders' moves (one
  ordinary table entry per move, the trigger story an aimed one), registered on import.
"""

from marginspec.conformance.moves import (
    aimed_more,  # noqa: F401  (registers its moves)
    aimed_venue,  # noqa: F401  (registers its moves)
    boundaries,  # noqa: F401  (registers its moves)
    conditional,  # noqa: F401  (registers its moves)
    figure_edges,  # noqa: F401  (registers its moves)
    liquidation_edges,  # noqa: F401  (registers its moves)
    refusals,  # noqa: F401  (registers its moves)
)
from marginspec.conformance.moves.aimed import AIMED, EMPTY_FUND
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    DEFAULT_MARKS,
    Chooser,
    Context,
    Focus,
    Move,
    MoveTable,
    RandomChooser,
)
from marginspec.conformance.moves.initial_state import initial
from marginspec.conformance.moves.ordinary import MOVES, sweep, usable_moves

__all__ = [
    "ACCOUNTS",
    "AIMED",
    "DEFAULT_MARKS",
    "EMPTY_FUND",
    "MOVES",
    "Chooser",
    "Context",
    "Focus",
    "Move",
    "MoveTable",
    "RandomChooser",
    "initial",
    "sweep",
    "usable_moves",
]
