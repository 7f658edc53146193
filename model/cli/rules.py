"""``marginspec rules``: show and list rule sets."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from marginspec.cli.app import guarded, main
from marginspec.cli.io import brackets_option, load_rules, rules_option
from marginspec.cli.options import format_option
from marginspec.errors import InputError
from marginspec.numbers import to_plain
from marginspec.rulefile import bundled_rulesets, dump_ruleset
from marginspec.ruleset import Market, RuleSet


@main.group()
def rules() -> None:
    """Show rule sets and their bracket tables."""


def _market_json(market: Market) -> dict[str, object]:
    return {
        "symbol": market.symbol,
        "tickSize": to_plain(market.tick_size),
        "stepSize": to_plain(market.step_size),
        "minNotional": to_plain(market.min_notional),
        "makerFee": to_plain(market.maker_fee),
        "takerFee": to_plain(market.taker_fee),
        "liquidationFee": to_plain(market.liquidation_fee),
        "fundingIntervalHours": market.funding_interval_hours,
        "brackets": [
            {
                "bracket": b.bracket,
                "initialLeverage": int(b.initial_leverage),
                "notionalCap": to_plain(b.notional_cap),
                "notionalFloor": to_plain(b.notional_floor),
                "maintMarginRatio": to_plain(b.maint_margin_ratio),
                "cum": to_plain(b.cum),
            }
            for b in market.brackets
        ],
    }


def _market_table(market: Market) -> Table:
    table = Table(
        title=f"{market.symbol}  (tick {to_plain(market.tick_size)}, step {to_plain(market.step_size)}, "
        f"min notional {to_plain(market.min_notional)}, maker {to_plain(market.maker_fee)}, "
        f"taker {to_plain(market.taker_fee)}, liquidation fee {to_plain(market.liquidation_fee)})"
    )
    for label in ("bracket", "notional floor", "notional cap", "max leverage", "MMR", "cum"):
        table.add_column(label, justify="right")
    for b in market.brackets:
        table.add_row(
            str(b.bracket),
            to_plain(b.notional_floor),
            to_plain(b.notional_cap),
            f"{int(b.initial_leverage)}x",
            to_plain(b.maint_margin_ratio),
            to_plain(b.cum),
        )
    return table


def _select(ruleset: RuleSet, symbol: str | None) -> list[Market]:
    if symbol is None:
        return list(ruleset.markets.values())
    return [ruleset.market(symbol, "SYMBOL")]


@rules.command()
@click.argument("symbol", required=False)
@rules_option
@brackets_option
@format_option("table", "json", "toml")
@guarded
def show(symbol: str | None, rules: str | None, brackets: str | None, output_format: str) -> None:
    """Print the bracket tables of a rule set (all symbols, or SYMBOL)."""
    ruleset = load_rules(rules, brackets)
    markets = _select(ruleset, symbol)
    if output_format == "json":
        click.echo(json.dumps([_market_json(m) for m in markets], indent=2))
    elif output_format == "toml":
        chosen = RuleSet(
            name=ruleset.name,
            markets={m.symbol: m for m in markets},
            options=ruleset.options,
            description=ruleset.description,
        )
        click.echo(dump_ruleset(chosen), nl=False)
    else:
        console = Console()
        console.print(f"rule set [bold]{ruleset.name}[/bold] ({ruleset.source})")
        for market in markets:
            console.print(_market_table(market))


@rules.command(name="list")
@guarded
def list_rulesets() -> None:
    """List the rule sets shipped inside the package."""
    names = bundled_rulesets()
    if not names:
        raise InputError("", "no bundled rule sets found")
    for name in names:
        click.echo(name)
