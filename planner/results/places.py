"""Where results go: folder names from scenario names, what the planner may replace, and
publishing a finished folder atomically.

Everything is written into a hidden staging folder next to the target and moved into place
only when complete, so a failure never leaves a half-written folder, and earlier results
stay whole until the new ones are ready. The planner replaces only what it wrote itself (a
folder whose run.json carries its mark, a workbook or page carrying its tag), never a user's
files and never an input of the run. Folder names come from scenario names and are made
safe: they cannot leave the output folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from planner import interrupt
from planner.files import current_umask, GENERATOR_TAG, MARK, MARK_KEY

# What a folder name may hold: Unicode letters, digits and marks (so 低需求 stays 低需求), and
# '.', '_' and '-'. Everything else (path separators, Windows' <>:"|?*, control characters,
# spaces and shell punctuation) becomes '_'.
KEEP = set("._-")
# Windows refuses these as file names, with or without an extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
# File systems allow 255 bytes per name; staging adds about 40 characters around the name.
MAX_NAME_BYTES = 120



def safe_name(name: str) -> str:
    """A folder name from a scenario name: Unicode letters and digits kept, everything unsafe on
    Windows, macOS or Linux replaced; never hidden, never '..', never empty, never a reserved
    Windows name; at most 120 bytes (a long name is cut and keeps a hash of the whole, so two
    long names stay apart).

    >>> [safe_name(n) for n in ("base", "../etc/passwd", "/abs/path", "low demand (v2)", "..", "")]
    ['base', 'etc_passwd', 'abs_path', 'low_demand_v2', 'scenario', 'scenario']
    >>> safe_name("低需求"), safe_name("CON"), safe_name("a<b>:c|d?*")
    ('低需求', 'CON_', 'a_b_c_d')
    >>> len(safe_name("长" * 300).encode()) <= 120
    True
    """
    text = unicodedata.normalize("NFC", str(name))
    cleaned = "".join(ch if ch in KEEP or unicodedata.category(ch)[0] in "LNM" else "_" for ch in text)
    cleaned = re.sub(r"_+", "_", cleaned).strip("._- ")
    cleaned = cleaned or "scenario"
    if cleaned.split(".")[0].lower() in RESERVED:
        cleaned = cleaned + "_"
    if len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        tag = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
        cut = cleaned.encode("utf-8")[: MAX_NAME_BYTES - len(tag) - 1].decode("utf-8", "ignore").rstrip("._- ")
        cleaned = f"{cut}-{tag}"
    return cleaned


FOLDER_PATTERNS = {"run": "{}", "stress": "stress_{}", "regret": "{}_regret", "sweep": "{}_sweep"}


def folder_name(name: str, command: str = "run") -> str:
    """The one place a results folder's name is made: a scenario's run, or a command's table of
    it (``stress_<plan>``, ``<scenario>_regret``, ``<scenario>_sweep``), made safe.

    >>> folder_name("base."), folder_name("base.", "regret"), folder_name("低需求", "sweep")
    ('base', 'base._regret', '低需求_sweep')
    """
    return safe_name(FOLDER_PATTERNS[command].format(name))


def same_folder(a: str, b: str) -> bool:
    """Whether two folder names land in one folder on a case-insensitive file system (macOS, Windows)."""
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


class OutputRefused(Exception):
    """The planner will not write where it was asked to: the place holds something it did not write."""


def written_by_planner(path: Path) -> bool:
    """A results folder (its run.json says the planner wrote it), a workbook (its custom property)
    or a report page (its generator tag) that the planner wrote."""
    try:
        if path.is_dir():
            meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
            return isinstance(meta, dict) and (meta.get(MARK_KEY) == MARK or "planner" in (meta.get("versions") or {}))
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(path) as book:
                custom = book.read("docProps/custom.xml").decode("utf-8", "replace")
            return f'name="{MARK_KEY}"' in custom and f">{MARK}<" in custom
        if path.suffix.lower() in (".html", ".htm"):
            with path.open("rb") as fh:
                return GENERATOR_TAG.encode() in fh.read(4096)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False
    return False



def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def check_target(target: Path, inputs=(), option: str = "--out") -> None:
    """Refuse (``OutputRefused``) a place the planner may not replace: one that is, or holds, an
    input of the run, or that exists and was not written by the planner. Nothing is checked
    for a place that does not exist yet."""
    where = Path(os.path.realpath(target))
    for given in inputs:
        source = Path(os.path.realpath(given))
        if source == where or _inside(source, where):
            what = "is" if source == where else "holds"
            raise OutputRefused(f"{target} {what} an input of this run ({given}); results would replace it. "
                                f"Nothing was written: choose another {option} (for example {option} outputs).")
    if os.path.lexists(target) and not written_by_planner(target):
        kind = "folder" if target.is_dir() else "file"
        raise OutputRefused(f"{target} exists and the planner did not write it (it replaces only its own results). "
                            f"Nothing was written: choose another {option}, or move that {kind} away.")


def staging_folder(out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out_dir)
    folder = Path(tempfile.mkdtemp(prefix=f".{name}.writing-{os.getpid()}-", dir=out_dir))
    os.chmod(folder, 0o777 & ~current_umask())  # mkdtemp makes it private; results are ordinary folders
    return folder


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging and set-aside folders of runs that were killed (their process is gone) are
    debris the planner made: remove them."""
    for folder in [*out_dir.glob(".*.writing-*-*"), *out_dir.glob(".*.old-*-*")]:
        try:
            pid = int(re.split(r"\.(?:writing|old)-", folder.name)[-1].split("-", 1)[0])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(staging: Path, target: Path) -> None:
    """Move a complete staging folder into place, replacing an earlier result folder of the planner's.

    The earlier folder is first renamed aside, so at every moment either it or the new one is
    whole on disk; it is deleted only after the new one is in place. A folder the planner did
    not write is never replaced (``OutputRefused``). A signal that arrives while folders move
    puts everything back as it was and then stops the run.
    """
    check_target(target)
    aside = None
    with interrupt.critical():
        if os.path.lexists(target):
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
            os.rmdir(aside)
            os.replace(target, aside)
        try:
            os.replace(staging, target)
        except BaseException:
            if aside is not None:
                os.replace(aside, target)
            raise
        if interrupt.pending():   # asked to stop while moving: the earlier results go back
            os.replace(target, staging)
            if aside is not None:
                os.replace(aside, target)
            return
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
