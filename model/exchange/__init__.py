"""The executable account model: a whole exchange's accounts as a state machine (ACT-*).

Public API: :class:`Model` (``apply``, ``apply_json``, ``snapshot``), the pure
:func:`apply`, the action classes and :func:`parse_action` / :func:`action_json`,
:func:`outcome_json`, :func:`parse_initial`, and the trace functions
:func:`record` / :func:`replay` (see docs/account-model.md and docs/traces.md).
"""

from marginspec.exchange.actions import (
    ACTION_NAMES,
    Action,
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    ModifyOrder,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
    action_json,
    parse_action,
)
from marginspec.exchange.initial import initial_json, parse_initial
from marginspec.exchange.model import InvariantViolation, Model
from marginspec.exchange.refusals import Outcome, outcome_json
from marginspec.exchange.state import INSURANCE_FUND, ExchangeState
from marginspec.exchange.transitions import apply

__all__ = [
    "ACTION_NAMES",
    "INSURANCE_FUND",
    "Action",
    "CancelOrder",
    "Deposit",
    "ExchangeState",
    "Fill",
    "Funding",
    "InvariantViolation",
    "LastPrice",
    "LiquidationSweep",
    "MarkPrice",
    "Model",
    "ModifyOrder",
    "Outcome",
    "PlaceOrder",
    "PositionMargin",
    "SetLeverage",
    "SetMarginType",
    "SetPositionMode",
    "Withdraw",
    "action_json",
    "apply",
    "initial_json",
    "outcome_json",
    "parse_action",
    "parse_initial",
]
