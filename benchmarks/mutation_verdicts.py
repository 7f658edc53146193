"""The mutation benchmark's verdicts: the mutants argued equivalent, each with its reason
(issue 12: "every survivor is either argued equivalent in docs/performance.md or gets
the move or target that kills it").

An equivalent mutant is one no observable answer of any engine call can tell from the
model (or only through a rule-set option aster-pro does not take, or an output the kit
does not compare). ``bench_mutation.py`` counts kill rates over the others (the
*non-equivalent* mutants) and lists every survivor not here as open.

A verdict names its point by ``module:index`` (the position in
:func:`bench_mutation.catalogue`) and records the line and the mutation it was argued
for: when the rule code changes and the point at that index is another, the verdict
is stale and the benchmark says so instead of trusting it. The verdicts were argued on
the survivors of seed 0 (all 809 points, docs/performance.md, "the mutation benchmark
over every point"): an equivalent mutant survives every seed, so seed 0's survivors hold
all of them.
"""

from __future__ import annotations

#: Why a group of mutants is equivalent (docs/performance.md quotes these).
REASONS: dict[str, str] = {
    "GUARDED": (
        "the only case the mutant changes is returned from before it: an equal leverage at "
        "ACT-LEV-2 (`transitions.py:134`), so `<` and `<=` agree at `transitions.py:138`; a "
        "position of amount 0 with an isolated wallet of 0 is dropped by `with_position` "
        "(`state.py:247`), so `iw < 0` and `iw <= 0` agree at `liquidation_engine.py:406`"
    ),
    "SORT_KEY": (
        "ADL-3's third sort key (`liquidation_engine.py:392`) is compared only on an equal "
        "score and an equal account, and one account has at most one side opposite the "
        "victim on a symbol: the key is never compared"
    ),
    "EMPTY_SIDE": (
        "an empty position side stays in `positions` only with a nonzero isolated wallet "
        "(`state.py:247`), and that wallet is never positive: a close releases a positive "
        "wallet whole (`fills.py:88`), LIQP-7 zeroes the isolated scope, funding skips empty "
        "sides (`transitions.py:627`), positionMargin refuses them; so `iw < 1` and `iw < 0` "
        "agree at `liquidation_engine.py:406`"
    ),
    "FULL_CLOSE": (
        "on a full close the isolated wallet's released share `iw × closing / size` "
        "(`fills.py:88`) is already the whole wallet (closing = size, exact arithmetic), so "
        "the full-close branch's `iw > 0` against `iw > 1` (`fills.py:89`) changes nothing"
    ),
    "FLOORED": (
        "AVB-1 floors the available balance at 0 (`transfers.available_balance`), so "
        "`x > 0 and x > available` and `x >= 0 and x > available` agree at x = 0 (a leverage "
        "change's IM rise at `transitions.py:149`, an order's cost at `transitions.py:359`)"
    ),
    "OPTION": (
        'a branch of a rule-set option aster-pro does not take (the benchmark drives aster-pro): LIQP-8 bracket-step (`_step_down`, partial_liquidation = "none"), the `binance` ADL score (adl_ranking = "aster"), BRK-3\'s floor-inclusive comparisons (cap-inclusive), LIQ-1\'s `<=` (trigger "lt"), ORD-1\'s earlier order check (order_margin_check), IF-5 without a net-notional limit, LIQP-9 by bracket (aster-pro lists no per-bracket fee)'
    ),
    "UNCOMPARED": (
        "computed for an output the kit does not compare: FEE-2's break-even price is in the positionRisk API view only (`api_profile.py:261`), MM-2's portion-by-portion form and the `Z3`-term branch of `owning_bracket` serve the proofs (T-MM-1)"
    ),
    "LOADER": (
        "BRK-5's well-formedness checks (and BRK-2's recurrence) run on the bundled tables at load: a mutant check accepts them as the original does, and differs only on a malformed table the kit never sends"
    ),
    "CACHE": (
        "a memo cache (`marginspec.memo`): a skipped hit recomputes the same value; a changed key tag collides with no other key of the cache (tags 0, 1, 2 with 5 and 6 fields)"
    ),
    "PRECHECK": (
        "the liquidation pre-check (`fast_figures.below_maintenance`) may say True wrongly: a True is followed by the full figures (its docstring), so an extra True changes only the cost"
    ),
    "SEARCH_ORDER": (
        "the order of the liquidation-price search: with one leg at most one bracket is consistent (THM-LIQ-1), and the walk's fallback tries every bracket not yet solved, so skipping, reordering or widening the candidates changes the cost only; a single-point meeting of price ranges is also covered by the neighbouring bracket's range, where MM is continuous (MM-3)"
    ),
    "BRACKET_BOUNDARY": (
        "exactly on a bracket boundary MM is continuous (MM-3, BRK-2's cum), so a candidate on the boundary solves both brackets' equations: taking either bracket gives the same price"
    ),
    "FALLBACK": (
        "the fallback of `div_or` when the denominator is 0: the candidate is then rejected by `_solvable` (`denominator != 0`, LIQ-3/BKR-1), so its price is never used; likewise a default for a position that always exists"
    ),
    "TIE": (
        "both sides give the same value at the tie (`select(a >= b, a, b)` is max(a, b); a split of a zero position is (0, q) either way; a zero opening costs 0; an ADL score or fee at PnL% = 0 or equity = 0 is 0 either way; a liquidated or traded position is never flat when its side is named; LEV-3's `max_notional` starting from 1 instead of 0 is the same, as some bracket always allows the leverage held and every cap exceeds 1)"
    ),
    "DIRECTION": (
        "`direction` is +1 or -1: `x * direction` = `x / direction`, `direction < 0` = `direction < 1`, `direction > 0` = `direction >= 0`"
    ),
    "LEDGER": (
        "exchange-level totals that neither outcomes nor account snapshots show (`fee_income`, `net_deposits`, kept for the invariants INV-*)"
    ),
    "UNREACHABLE": (
        "unreachable through the engine API: a MARKET order never rests (ORD-3), so no fill names one as maker; a no-op cancel-all returns an equal state either way"
    ),
}

#: (module, index) -> (reason, line, mutation) of every mutant argued equivalent.
EQUIVALENT: dict[tuple[str, int], tuple[str, int, str]] = {
    # argued in the sixth round (s4-bound's moves reached these points and killed none)
    ("transitions", 28): ("GUARDED", 138, "Lt -> LtE"),
    ("transitions", 38): ("FLOORED", 149, "Gt -> GtE"),
    ("transitions", 164): ("FLOORED", 359, "Gt -> GtE"),
    ("liquidation_engine", 130): ("GUARDED", 406, "Lt -> LtE"),
    # IF-5's `balance < 0` guard: with a limit (aster-pro's 1) a negative balance already
    # fails `net <= limit × balance`; only a rule set without a limit returns True
    ("liquidation_engine", 110): ("OPTION", 354, "guard skipped"),
    # argued in the sixth round (s4-liq's two_liquidation_prices and ADL moves reached
    # these points and killed none): LIQ-3's pruning only widened (a superset of the
    # combinations, the extra ones never consistent); LIQ-4 at a tie of equal prices;
    # consistent prices come in ascending order (a price's bracket is unique and grows
    # with the price, and combinations are taken in product order), so a later
    # candidate is never lower and `==` -> `!=` in LIQ-4's tie-break never takes one
    ("liquidation", 39): ("SEARCH_ORDER", 205, "1 -> 2"),
    ("liquidation", 44): ("SEARCH_ORDER", 209, "branches swapped"),
    ("liquidation", 46): ("SEARCH_ORDER", 210, "Lt -> Gt"),
    ("liquidation", 83): ("TIE", 317, "Lt -> LtE"),
    ("liquidation", 87): ("SEARCH_ORDER", 318, "Eq -> NotEq"),
    ("liquidation_engine", 125): ("SORT_KEY", 392, "2 -> 3"),
    ("liquidation_engine", 129): ("EMPTY_SIDE", 406, "0 -> 1"),
    # argued from the sixth round's benchmark (survived every seed, infected on each)
    ("fills", 37): ("FULL_CLOSE", 89, "0 -> 1"),
    ("adl", 3): ("TIE", 29, "Gt -> GtE"),
    ("adl", 6): ("TIE", 30, "GtE -> Gt"),
    ("adl", 9): ("OPTION", 36, "Div -> Mult"),
    ("adl", 10): ("OPTION", 37, "Add -> Sub"),
    ("adl", 11): ("OPTION", 37, "term dropped"),
    ("adl", 12): ("OPTION", 38, "0 -> 1"),
    ("adl", 13): ("OPTION", 38, "Gt -> GtE"),
    ("adl", 14): ("OPTION", 38, "Gt -> Lt"),
    ("adl", 15): ("OPTION", 39, "Mult -> Div"),
    ("adl", 16): ("OPTION", 45, "guard skipped"),
    ("brackets", 3): ("OPTION", 58, "Lt -> LtE"),
    ("brackets", 4): ("OPTION", 58, "Lt -> Gt"),
    ("brackets", 5): ("BRACKET_BOUNDARY", 64, "Gt -> GtE"),
    ("brackets", 7): ("BRACKET_BOUNDARY", 63, "guard skipped"),
    ("brackets", 8): ("OPTION", 65, "GtE -> Gt"),
    ("brackets", 9): ("OPTION", 65, "GtE -> LtE"),
    ("brackets", 22): ("UNCOMPARED", 94, "guard skipped"),
    ("brackets", 23): ("UNCOMPARED", 102, "1 -> 2"),
    ("brackets", 24): ("UNCOMPARED", 103, "1 -> 2"),
    ("brackets", 28): ("UNCOMPARED", 145, "Sub -> Add"),
    ("brackets", 29): ("UNCOMPARED", 145, "term dropped"),
    ("brackets", 30): ("UNCOMPARED", 145, "0 -> 1"),
    ("brackets", 31): ("UNCOMPARED", 148, "1 -> 2"),
    ("brackets", 32): ("UNCOMPARED", 148, "Sub -> Add"),
    ("brackets", 33): ("UNCOMPARED", 148, "term dropped"),
    ("brackets", 34): ("UNCOMPARED", 148, "Eq -> NotEq"),
    ("brackets", 35): ("UNCOMPARED", 149, "Sub -> Add"),
    ("brackets", 36): ("UNCOMPARED", 149, "term dropped"),
    ("brackets", 37): ("UNCOMPARED", 147, "branches swapped"),
    ("brackets", 38): ("UNCOMPARED", 151, "Mult -> Div"),
    ("brackets", 39): ("TIE", 160, "0 -> 1"),
    ("brackets", 48): ("LOADER", 172, "term dropped"),
    ("brackets", 58): ("LOADER", 216, "GtE -> Gt"),
    ("brackets", 60): ("LOADER", 216, "1 -> 2"),
    ("brackets", 61): ("LOADER", 216, "Lt -> LtE"),
    ("brackets", 63): ("LOADER", 223, "Gt -> GtE"),
    ("brackets", 73): ("LOADER", 244, "LtE -> GtE"),
    ("brackets", 75): ("LOADER", 251, "GtE -> LtE"),
    ("brackets", 76): ("LOADER", 258, "GtE -> Gt"),
    ("fast_figures", 4): ("CACHE", 78, "guard skipped"),
    ("fast_figures", 6): ("CACHE", 90, "1 -> 2"),
    ("fast_figures", 7): ("CACHE", 92, "guard skipped"),
    ("fast_figures", 9): ("CACHE", 106, "2 -> 3"),
    ("fast_figures", 10): ("CACHE", 108, "guard skipped"),
    ("fast_figures", 17): ("CACHE", 179, "guard skipped"),
    ("fast_figures", 23): ("PRECHECK", 201, "guard skipped"),
    ("fills", 7): ("DIRECTION", 44, "Mult -> Div"),
    ("fills", 9): ("TIE", 44, "GtE -> Gt"),
    ("fills", 18): ("TIE", 82, "Gt -> GtE"),
    ("fills", 32): ("TIE", 88, "Gt -> GtE"),
    ("fills", 39): ("TIE", 89, "0 -> 1"),
    ("fills", 40): ("TIE", 89, "Gt -> GtE"),
    ("liquidation", 11): ("FALLBACK", 104, "0 -> 1"),
    ("liquidation", 12): ("SEARCH_ORDER", 113, "Sub -> Add"),
    ("liquidation", 13): ("SEARCH_ORDER", 113, "term dropped"),
    ("liquidation", 18): ("SEARCH_ORDER", 140, "0 -> 1"),
    ("liquidation", 19): ("SEARCH_ORDER", 140, "1 -> 2"),
    ("liquidation", 21): ("FALLBACK", 144, "0 -> 1"),
    ("liquidation", 25): ("SEARCH_ORDER", 147, "1 -> 2"),
    ("liquidation", 28): ("SEARCH_ORDER", 149, "guard skipped"),
    ("liquidation", 29): ("SEARCH_ORDER", 151, "1 -> 2"),
    ("liquidation", 31): ("SEARCH_ORDER", 160, "1 -> 2"),
    ("liquidation", 32): ("SEARCH_ORDER", 162, "guard skipped"),
    ("liquidation", 38): ("SEARCH_ORDER", 187, "guard skipped"),
    ("liquidation", 52): ("SEARCH_ORDER", 228, "Gt -> GtE"),
    ("liquidation", 54): ("SEARCH_ORDER", 230, "Lt -> LtE"),
    ("liquidation", 56): ("SEARCH_ORDER", 236, "branches swapped"),
    ("liquidation", 58): ("SEARCH_ORDER", 268, "mark_price -> entry_price"),
    ("liquidation", 68): ("SEARCH_ORDER", 294, "mark_price -> entry_price"),
    ("liquidation", 69): ("SEARCH_ORDER", 296, "mark_price -> entry_price"),
    ("liquidation", 70): ("SEARCH_ORDER", 296, "Mult -> Div"),
    ("liquidation", 71): ("SEARCH_ORDER", 296, "1 -> 2"),
    ("liquidation", 72): ("SEARCH_ORDER", 296, "Sub -> Add"),
    ("liquidation", 73): ("SEARCH_ORDER", 296, "term dropped"),
    ("liquidation", 75): ("SEARCH_ORDER", 297, "guard skipped"),
    ("liquidation", 76): ("SEARCH_ORDER", 288, "guard skipped"),
    ("liquidation", 92): ("FALLBACK", 346, "0 -> 1"),
    ("liquidation_engine", 5): ("OPTION", 119, "1 -> 2"),
    ("liquidation_engine", 6): ("OPTION", 119, "NotEq -> Eq"),
    ("liquidation_engine", 7): ("OPTION", 119, "guard skipped"),
    ("liquidation_engine", 8): ("OPTION", 121, "0 -> 1"),
    ("liquidation_engine", 9): ("OPTION", 122, "0 -> 1"),
    ("liquidation_engine", 10): ("OPTION", 128, "branches swapped"),
    ("liquidation_engine", 11): ("OPTION", 128, "1 -> 2"),
    ("liquidation_engine", 12): ("OPTION", 128, "LtE -> Lt"),
    ("liquidation_engine", 13): ("OPTION", 128, "LtE -> GtE"),
    ("liquidation_engine", 14): ("OPTION", 131, "1 -> 2"),
    ("liquidation_engine", 15): ("OPTION", 131, "Sub -> Add"),
    ("liquidation_engine", 16): ("OPTION", 131, "term dropped"),
    ("liquidation_engine", 17): ("OPTION", 132, "Div -> Mult"),
    ("liquidation_engine", 18): ("OPTION", 132, "Div -> Mult"),
    ("liquidation_engine", 19): ("OPTION", 132, "Mult -> Div"),
    ("liquidation_engine", 20): ("OPTION", 134, "Sub -> Add"),
    ("liquidation_engine", 21): ("OPTION", 134, "term dropped"),
    ("liquidation_engine", 22): ("OPTION", 135, "0 -> 1"),
    ("liquidation_engine", 23): ("OPTION", 135, "LtE -> Lt"),
    ("liquidation_engine", 24): ("OPTION", 135, "LtE -> GtE"),
    ("liquidation_engine", 25): ("OPTION", 135, "0 -> 1"),
    ("liquidation_engine", 26): ("OPTION", 135, "LtE -> Lt"),
    ("liquidation_engine", 27): ("OPTION", 135, "LtE -> GtE"),
    ("liquidation_engine", 28): ("OPTION", 138, "0 -> 1"),
    ("liquidation_engine", 29): ("OPTION", 138, "Gt -> GtE"),
    ("liquidation_engine", 30): ("OPTION", 138, "Gt -> Lt"),
    ("liquidation_engine", 31): ("OPTION", 138, "1 -> 2"),
    ("liquidation_engine", 32): ("OPTION", 138, "1 -> 2"),
    ("liquidation_engine", 33): ("OPTION", 138, "branches swapped"),
    ("liquidation_engine", 34): ("OPTION", 139, "1 -> 2"),
    ("liquidation_engine", 35): ("OPTION", 156, ".isolated_wallet -> .cross_wallet"),
    ("liquidation_engine", 36): ("OPTION", 156, "Sub -> Add"),
    ("liquidation_engine", 37): ("OPTION", 156, "term dropped"),
    ("liquidation_engine", 38): ("OPTION", 159, ".cross_wallet -> .isolated_wallet"),
    ("liquidation_engine", 39): ("OPTION", 159, "Sub -> Add"),
    ("liquidation_engine", 40): ("OPTION", 159, "term dropped"),
    ("liquidation_engine", 41): ("OPTION", 161, ".cross_wallet -> .isolated_wallet"),
    ("liquidation_engine", 42): ("OPTION", 161, "Add -> Sub"),
    ("liquidation_engine", 43): ("OPTION", 161, "term dropped"),
    ("liquidation_engine", 44): ("OPTION", 167, "1 -> 2"),
    ("liquidation_engine", 45): ("OPTION", 168, "0 -> 1"),
    ("liquidation_engine", 46): ("OPTION", 168, "Gt -> GtE"),
    ("liquidation_engine", 47): ("OPTION", 168, "Gt -> Lt"),
    ("liquidation_engine", 48): ("OPTION", 168, "branches swapped"),
    ("liquidation_engine", 49): ("OPTION", 177, "Mult -> Div"),
    ("liquidation_engine", 50): ("OPTION", 184, "1 -> 2"),
    ("liquidation_engine", 51): ("OPTION", 184, "branches swapped"),
    ("liquidation_engine", 75): ("TIE", 264, "Gt -> GtE"),
    ("liquidation_engine", 88): ("TIE", 301, "Gt -> GtE"),
    ("liquidation_engine", 96): ("TIE", 321, "Gt -> GtE"),
    ("liquidation_engine", 102): ("TIE", 331, "Mult -> Div"),
    ("liquidation_engine", 104): ("TIE", 338, "Gt -> GtE"),
    ("liquidation_engine", 111): ("OPTION", 357, "guard skipped"),
    ("liquidation_engine", 116): ("DIRECTION", 375, "Mult -> Div"),
    ("margin", 12): ("OPTION", 39, "LtE -> Lt"),
    ("margin", 13): ("OPTION", 39, "LtE -> GtE"),
    ("margin", 22): ("DIRECTION", 50, "Gt -> GtE"),
    ("margin", 38): ("TIE", 77, "GtE -> Gt"),
    ("margin", 48): ("UNCOMPARED", 105, "entry_price -> mark_price"),
    ("margin", 49): ("UNCOMPARED", 105, "1 -> 2"),
    ("margin", 50): ("UNCOMPARED", 105, "Add -> Sub"),
    ("margin", 51): ("UNCOMPARED", 105, "term dropped"),
    ("margin", 52): ("UNCOMPARED", 105, "Mult -> Div"),
    ("margin", 53): ("UNCOMPARED", 106, "entry_price -> mark_price"),
    ("margin", 54): ("UNCOMPARED", 106, "1 -> 2"),
    ("margin", 55): ("UNCOMPARED", 106, "Sub -> Add"),
    ("margin", 56): ("UNCOMPARED", 106, "term dropped"),
    ("margin", 57): ("UNCOMPARED", 106, "Mult -> Div"),
    ("margin", 58): ("UNCOMPARED", 107, "0 -> 1"),
    ("margin", 59): ("UNCOMPARED", 107, "Gt -> GtE"),
    ("margin", 60): ("UNCOMPARED", 107, "Gt -> Lt"),
    ("margin", 61): ("UNCOMPARED", 107, "0 -> 1"),
    ("margin", 62): ("UNCOMPARED", 107, "Lt -> LtE"),
    ("margin", 63): ("UNCOMPARED", 107, "Lt -> Gt"),
    ("margin", 64): ("UNCOMPARED", 107, "entry_price -> mark_price"),
    ("margin", 65): ("UNCOMPARED", 107, "0 -> 1"),
    ("margin", 66): ("UNCOMPARED", 107, "Mult -> Div"),
    ("transitions", 8): ("LEDGER", 96, "Add -> Sub"),
    ("transitions", 9): ("LEDGER", 96, "term dropped"),
    ("transitions", 21): ("LEDGER", 112, "Sub -> Add"),
    ("transitions", 22): ("LEDGER", 112, "term dropped"),
    ("transitions", 54): ("CACHE", 195, "guard skipped"),
    ("transitions", 58): ("DIRECTION", 206, "0 -> 1"),
    ("transitions", 59): ("DIRECTION", 206, "Lt -> LtE"),
    ("transitions", 62): ("DIRECTION", 207, "Gt -> GtE"),
    ("transitions", 64): ("DIRECTION", 220, "Mult -> Div"),
    ("transitions", 71): ("TIE", 223, "Gt -> GtE"),
    ("transitions", 127): ("DIRECTION", 320, "Mult -> Div"),
    ("transitions", 129): ("TIE", 320, "GtE -> Gt"),
    ("transitions", 136): ("DIRECTION", 343, "Gt -> GtE"),
    ("transitions", 141): ("DIRECTION", 344, "0 -> 1"),
    ("transitions", 142): ("DIRECTION", 344, "Lt -> LtE"),
    ("transitions", 154): ("TIE", 352, "Gt -> GtE"),
    ("transitions", 156): ("OPTION", 355, "Sub -> Add"),
    ("transitions", 157): ("OPTION", 355, "term dropped"),
    ("transitions", 158): ("OPTION", 357, "0 -> 1"),
    ("transitions", 159): ("OPTION", 357, "Gt -> GtE"),
    ("transitions", 160): ("OPTION", 357, "Gt -> Lt"),
    ("transitions", 161): ("OPTION", 358, "Add -> Sub"),
    ("transitions", 162): ("OPTION", 358, "term dropped"),
    ("transitions", 198): ("UNREACHABLE", 458, "guard skipped"),
    ("transitions", 206): ("UNREACHABLE", 481, "guard skipped"),
    ("transitions", 243): ("LEDGER", 558, "Add -> Sub"),
    ("transitions", 244): ("LEDGER", 558, "term dropped"),
}
