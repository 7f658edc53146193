"""One campaign over several CI jobs (CONF-7): ``--shard i/n`` and mergeable summaries."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance.shards import Shard, merge, parse_shard, read_lines
from marginspec.errors import InputError


def test_shards_split_runs_and_seeds_without_overlap() -> None:
    jobs = [parse_shard(f"{i}/3") for i in (1, 2, 3)]
    assert [j.seed(10) for j in jobs] == [10, 11, 12]
    assert sum(j.share(300) for j in jobs) == 300 and sum(j.share(301) for j in jobs) == 301
    owners = [[j.owns(k) for j in jobs].index(True) for k in range(8)]
    assert owners == [0, 1, 2, 0, 1, 2, 0, 1]
    for bad in ("0/3", "4/3", "1", "a/b"):
        with pytest.raises(InputError, match="--shard"):
            parse_shard(bad)


def test_conform_prints_a_summary_each_job_and_they_merge() -> None:
    lines = []
    for i in (1, 2):
        result = CliRunner().invoke(
            main,
            [
                "conform",
                "--impl",
                "tests.mutants:FundingSignInverted",
                "--examples",
                "40",
                "--shard",
                f"{i}/2",
            ],
        )
        assert result.exit_code in (0, 1), result.output
        lines += read_lines(result.output.splitlines())
    assert [line["shard"] for line in lines] == ["1/2", "2/2"]
    assert [line["seed"] for line in lines] == [0, 1]
    merged = merge(lines)
    assert merged["shards"] == 2 and merged["missing"] == []
    assert merged["runs"] == sum(line["runs"] for line in lines) > 0
    assert all("FUND-1" in f["rules"] for f in merged["failures"]) and merged["failures"]
    assert merge(lines[:1])["missing"] == [2]
    json.dumps(merged)  # a plain JSON document


def test_a_job_of_another_split_is_refused() -> None:
    one = {"shard": "1/2", "seed": 0, "runs": 1, "steps": 1, "seconds": 0.1, "failure": None}
    other = {**one, "shard": "1/3"}
    with pytest.raises(InputError, match="different splits"):
        merge([one, other])
    assert Shard().owns(5)
