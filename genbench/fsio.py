"""Durable file writes: a file has its final name only once its bytes are on disk.

``os.replace`` alone is atomic but not durable: after a power cut the new name can point at an empty
file. So the temporary file is fsynced before the rename, and the directory after it.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_durably(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Rename a finished temporary file onto ``path``, its bytes and the new name on disk first."""
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(Path(path).parent)


def write_text_durably(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically and durably (a reader sees the old or the new file, whole)."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # per process: slices of a run may write at once
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    replace_durably(tmp, path)


def append_durably(path: str | os.PathLike, data: bytes) -> None:
    """Append ``data`` with one write (O_APPEND: another process's lines never interleave with it) and
    fsync before returning."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def confined(root: str | os.PathLike, rel, what: str) -> Path:
    """``root / rel`` resolved (links followed), refused unless it stays inside ``root``: a path an input
    file names must not reach files outside the directory it was declared for."""
    if not isinstance(rel, str) or not rel.strip():
        raise ValueError(f"{what}: no path given")
    p = Path(rel)
    if p.is_absolute() or p.drive or rel.startswith(("/", "\\")):
        raise ValueError(f"{what} {rel!r} is an absolute path; paths in an input file are relative to the "
                         f"directory they belong to ({root}) and must stay inside it: refused")
    base = Path(root).resolve()
    full = (base / p).resolve()
    if full != base and base not in full.parents:
        raise ValueError(f"{what} {rel!r} leads outside {base}: refused")
    return full
