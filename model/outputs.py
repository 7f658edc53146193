"""Writing files whole or not at all: a temporary file beside the target, renamed over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from marginspec.errors import InputError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str, what: str = "output") -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same
    folder, renamed over ``path`` (nothing half-written if the command is stopped)."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(str(path), f"cannot write {what}: no folder {str(folder)!r}")
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
        # a temporary file is private (0600): give the result the mode a plain write would
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        if not isinstance(error, OSError):
            raise
        raise InputError(str(path), f"cannot write {what} ({error.strerror or error})") from None


def make_folder(path: Path, what: str = "output") -> None:
    """Create ``path`` and its parents if missing; a folder that cannot be made (a file
    in the way, no permission, a read-only or virtual file system) is one located error."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            str(path), f"cannot make the folder for {what} ({error.strerror or error})"
        ) from None


@contextlib.contextmanager
def replacing(path: Path, what: str = "output") -> Iterator[Path]:
    """:func:`write_atomic` for a writer that needs a path (a Parquet or PNG writer, a
    file written in pieces): the block writes the temporary path it is given, which
    replaces ``path`` when the block ends without error and is removed otherwise."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(str(path), f"cannot write {what}: no folder {str(folder)!r}")
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=path.suffix)
    except OSError as error:
        raise InputError(str(path), f"cannot write {what} ({error.strerror or error})") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if not isinstance(error, OSError):
            raise
        raise InputError(str(path), f"cannot write {what} ({error.strerror or error})") from None
