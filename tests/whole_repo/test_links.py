"""Links people follow: the README's relative links exist; no page links to a host that never
resolves (reserved names such as .invalid or example.com, or this machine)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
# RFC 2606 / RFC 6761 names: reserved, they resolve nowhere (or to this machine).
RESERVED = re.compile(
    r"(^|\.)(invalid|test|example|localhost|local)$|^example\.(com|org|net)$|^127\.|^0\.0\.0\.0$"
)


def _pages() -> list[Path]:
    return sorted(
        [REPO / "README.md", *(REPO / "docs").rglob("*.md"), *(REPO / "spec").glob("*.md")]
    )


def _links(page: Path) -> list[tuple[int, str]]:
    return [
        (number, target)
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1)
        for target in LINK.findall(line)
    ]


def test_no_link_to_a_host_that_never_resolves() -> None:
    bad = [
        f"{page.relative_to(REPO)}:{number}: {target}"
        for page in _pages()
        for number, target in _links(page)
        if urlsplit(target).scheme in {"http", "https"}
        and RESERVED.search(urlsplit(target).hostname or "")
    ]
    assert not bad, (
        "links to hosts that do not resolve: link to a page of the site or a file in the "
        "repository, or write the name as code without a link:\n" + "\n".join(bad)
    )


def test_readme_relative_links_exist() -> None:
    """mkdocs --strict checks the docs' own links; the README is outside the site."""
    readme = REPO / "README.md"
    missing = [
        f"README.md:{number}: {target}"
        for number, target in _links(readme)
        if not urlsplit(target).scheme and not target.startswith("#")
        if not (REPO / target.split("#", 1)[0]).exists()
    ]
    assert not missing, "README links to files that are not in the repository:\n" + "\n".join(
        missing
    )


def test_reserved_hosts_are_recognised() -> None:
    hosts = ["marginspec.invalid", "example.com", "localhost", "docs.asterdex.com", "binance.com"]
    assert [bool(RESERVED.search(h)) for h in hosts] == [True, True, True, False, False]
