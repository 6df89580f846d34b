"""Files the planner writes, at the level every stage shares: its mark on what it wrote (so that
it replaces only its own files), atomic replacement of one file, and workbooks that fail as
the OSError they are. No planner imports: a leaf, like finance."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from planner import interrupt

MARK_KEY, MARK = "written_by", "planner"   # in every run.json and workbook the planner writes
GENERATOR_TAG = f'<meta name="generator" content="{MARK}">'   # in every report page it writes


def write_file_atomically(path: Path, write) -> Path:
    """``write(tmp)`` a file next to ``path``, then move it into place: a failure leaves what was
    at ``path`` as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:60]}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file private to its owner; the file takes the user's normal mode
        # (the one it had, when it is replaced)
        try:
            mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~current_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass   # a file system without modes (some network shares): leave it as created
        with interrupt.critical():
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_UMASK: list[int] = []


def current_umask() -> int:
    """The process's umask, read once (reading it means setting it for an instant, which a
    thread creating a file at that moment would feel)."""
    if not _UMASK:
        mask = os.umask(0o077)
        os.umask(mask)
        _UMASK.append(mask)
    return _UMASK[0]


def close_workbook(book) -> None:
    """Close an xlsxwriter workbook (that is when it is written), with a failure to write raised as
    the OSError it is (xlsxwriter wraps it), so that a full disk reads as a full disk."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        book.close()
    except FileCreateError as err:
        cause = err.args[0] if err.args else None
        raise (cause if isinstance(cause, OSError) else OSError(str(err))) from None
