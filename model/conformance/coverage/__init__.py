"""What the static vectors must exercise: one table from rule ID to a step predicate (CONF-9).

Every rule ID of ``spec/rules.md`` and ``spec/account-model.md`` is either a **target**,
with a predicate over one recorded step (state before, action, outcome and events,
state after) saying that the step exercises the rule in a way an implementation can get
wrong, or **excluded**, with the reason it is not a behaviour of one step (a theorem, an
invariant, the trace format, a rule-set loader, an option not in force).
``tests/conformance/test_vectors.py`` reads both spec files and checks that no ID is in
neither list, so a new rule cannot be missed silently.

Predicates decide from the model's own figures (:func:`marginspec.evaluate.evaluate`
through :mod:`marginspec.exchange.view`, the model's outcome and events) and the rule
set's tables; they compute no margin formula of their own.

- :mod:`.step`: the view of one step the predicates read;
- :mod:`.target`: ``Target``, and the ``Area.target`` decorator that declares one on its
  predicate;
- the areas, each a module of predicates with their targets: :mod:`.actions` (actions,
  refusals, events), :mod:`.brackets` (BRK, MM, LEV, ACT-LEV), :mod:`.positions` (NTL,
  IM, PNL-1, MB, MR), :mod:`.orders` (ACT-ORD, COST, ORD), :mod:`.transfers` (AVB,
  XFER), :mod:`.liquidation_price` (LIQ, BKR), :mod:`.display` (DISP), :mod:`.fills`
  (FILL, PNL-3, FEE), :mod:`.funding` (FUND), :mod:`.sweep` (LIQP, IF, ADL);
- :mod:`.table`: ``targets(ruleset)`` collects them; ``covered(step, wanted)``;
- :mod:`.excluded`: the excluded IDs and families, ``unaccounted(ruleset)``;
- :mod:`.markdown`: the table as Markdown (docs/conformance/coverage-table.snippet).

The spec's rule IDs are read by :mod:`marginspec.conformance.spec_ids`.
"""

from marginspec.conformance.coverage.actions import EVENT_TYPES, refusal_rules
from marginspec.conformance.coverage.excluded import (
    EXCLUDED,
    EXCLUDED_FAMILIES,
    excluded,
    unaccounted,
)
from marginspec.conformance.coverage.markdown import markdown
from marginspec.conformance.coverage.step import Predicate, Step
from marginspec.conformance.coverage.table import covered, targets
from marginspec.conformance.coverage.target import Area, Option, Section, Target
from marginspec.conformance.spec_ids import family, spec_rule_ids

__all__ = [
    "EVENT_TYPES",
    "EXCLUDED",
    "EXCLUDED_FAMILIES",
    "Area",
    "Option",
    "Predicate",
    "Section",
    "Step",
    "Target",
    "covered",
    "excluded",
    "family",
    "markdown",
    "refusal_rules",
    "spec_rule_ids",
    "targets",
    "unaccounted",
]
