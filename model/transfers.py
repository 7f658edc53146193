"""Available balance and transfer limits (rules AVB-1, XFER-1 … XFER-3).

Formulas over :data:`~marginspec.symbolic.Real` (B-WAL, B-ADJ, A-XFER).
"""

from __future__ import annotations

from marginspec.symbolic import Real, maximum, minimum


def available_balance(
    cross_wallet_balance: Real,
    cross_unrealized_pnl: Real,
    cross_initial_margin: Real,
    isolated_open_order_initial_margin: Real,
) -> Real:
    """AVB-1: ``max(0, crossWB + Σcross uPnL − Σcross IM − Σisolated open-order IM)``.

    Σcross IM covers the cross positions and the cross open orders (B-WAL).
    """
    return maximum(
        0,
        cross_wallet_balance
        + cross_unrealized_pnl
        - cross_initial_margin
        - isolated_open_order_initial_margin,
    )


def max_withdraw(
    cross_wallet_balance: Real,
    cross_maint_margin: Real,
    isolated_open_order_initial_margin: Real,
    available: Real,
) -> Real:
    """XFER-1, XFER-2: ``max(0, min(crossWB − Σiso open-order IM − Σcross MM, available))`` (B-ADJ).

    Also XFER-2, the most that can be added to an isolated position (A-XFER).
    """
    return maximum(
        0,
        minimum(
            cross_wallet_balance - isolated_open_order_initial_margin - cross_maint_margin,
            available,
        ),
    )


def max_isolated_removal(
    isolated_wallet: Real,
    maint: Real,
    unrealized: Real,
    abs_notional: Real,
    leverage: Real,
) -> Real:
    """XFER-3: ``max(0, min(iw − MM, iw + uPnL − |notional| / L))``: capped by IM at mark.

    The second term is the isolated margin above the position's initial margin at
    mark (B-ADJ), so unrealized profit only frees margin above IM.
    """
    return maximum(
        0, minimum(isolated_wallet - maint, isolated_wallet + unrealized - abs_notional / leverage)
    )
