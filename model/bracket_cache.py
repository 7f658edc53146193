"""A cache of checked bracket files: ``--brackets FILE`` read and checked once per content.

Reading and checking the 907 real Binance tables (RS-4, BRK-2, BRK-5) costs ~0.25 s,
more than the rest of a one-account ``evaluate``. The rule set built from a file is kept
in the user's cache folder under the SHA-256 of everything it depends on: this format's
version, the source of the modules that build it, the base rule set, the path as given
(the rule set's name and source) and the file's bytes. The next start with the same
file reads the rule set back (~25 ms) instead of parsing it again; a changed file, base
or model is a different key, so a stale entry is never used.

An entry is written whole to a temporary file and renamed into place (concurrent
writers each rename a complete file; a reader sees one or the other). It is read only if
its header names this format, its digest matches its body, it belongs to this user and
it holds a rule set; anything else (truncated, corrupt, foreign, unreadable) is ignored
and the file is parsed as if there were no cache. A file that fails its checks is never
cached: its error is the parser's, every time. Failing to write is not an error.

``MARGINSPEC_CACHE_DIR`` names the folder (default: the platform's user cache folder,
``~/.cache/marginspec`` on Linux); ``MARGINSPEC_NO_CACHE=1`` turns the cache off.
(Why it exists: docs/performance.md, "Service speed".)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from marginspec import brackets, importers, inputs, numbers, ruleset
from marginspec.errors import InputError, RuleSetError
from marginspec.ruleset import RuleSet

#: The entry format; a new layout or meaning gets a new number (old entries are ignored).
FORMAT = b"marginspec-brackets-cache 1"
#: Entries kept: each is ~1 MB for the 907 real tables; older ones are removed.
KEEP = 8
_SUFFIX = ".rules"


def folder() -> Path | None:
    """The cache folder, or None when the cache is off."""
    if os.environ.get("MARGINSPEC_NO_CACHE"):
        return None
    named = os.environ.get("MARGINSPEC_CACHE_DIR")
    if named:
        return Path(named)
    if sys.platform == "win32":
        root = os.environ.get("LOCALAPPDATA")
        return Path(root) / "marginspec" / "Cache" if root else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "marginspec"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "marginspec"


def _code() -> bytes:
    """The source of the modules whose code decides the cached rule set."""
    parts = []
    for module in (brackets, importers, inputs, numbers, ruleset, sys.modules[__name__]):
        parts.append(Path(str(module.__file__)).read_bytes())
    return hashlib.sha256(b"\0".join(parts)).digest()


def key(path: str, data: bytes, base: RuleSet | None, check: bool) -> str:
    """The entry's name: the SHA-256 of everything the rule set depends on."""
    digest = hashlib.sha256(FORMAT)
    for part in (_code(), pickle.dumps((path, base, check), protocol=5), data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def read(entry: Path) -> RuleSet | None:
    """The rule set of a well-formed entry of this user, else None (ignored)."""
    try:
        with entry.open("rb") as handle:
            if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                return None
            blob = handle.read()
        header, digest, body = blob.split(b"\n", 2)
        if header != FORMAT or digest != hashlib.sha256(body).hexdigest().encode():
            return None
        # the digest checks the body is the one written (whole, uncorrupted) by this user
        value = pickle.loads(body)
    except Exception:  # any unreadable entry is ignored: the file is parsed instead
        return None
    return value if isinstance(value, RuleSet) else None


def write(entry: Path, value: RuleSet) -> None:
    """Write an entry whole (temporary file, then rename); failures are ignored."""
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = pickle.dumps(value, protocol=5)
        blob = b"\n".join([FORMAT, hashlib.sha256(body).hexdigest().encode(), body])
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(entry.parent)
    except Exception:  # a cache that cannot be written only costs the next start its parse
        return


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*" + _SUFFIX), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


def load_brackets(path: str | Path, base: RuleSet | None = None, check: bool = True) -> RuleSet:
    """:func:`marginspec.importers.load_brackets` through the cache: the same rule set,
    or the same error, as parsing the file."""
    where = str(path)
    try:
        data = inputs.read_bytes(path, "bracket file")
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    place = folder()
    entry = None
    if place is not None:
        try:
            entry = place / (key(where, data, base, check) + _SUFFIX)
        except Exception:  # e.g. an installation whose sources cannot be read: no cache
            entry = None
        cached = read(entry) if entry is not None else None
        if cached is not None:
            return cached
    value = importers.brackets_from_bytes(data, path, base, check)
    if entry is not None:
        write(entry, value)
    return value
