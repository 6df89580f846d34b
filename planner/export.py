"""Write a results folder: ``results.xlsx``, one CSV per table, ``run.json`` (SPEC 5, 6).

Everything is written into a hidden staging folder next to the target and moved into place
only when complete, so a failure never leaves a half-written folder, and earlier results
stay whole until the new ones are ready. Folder names come from scenario names and are made
safe: they cannot leave the output folder.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .results import CUR, FUTURE, TABLE_COLUMNS, Col

SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A folder name from a scenario name: only letters, digits, '.', '_' and '-'; never
    hidden, never '..', never empty.

    >>> [safe_name(n) for n in ("base", "../etc/passwd", "/abs/path", "low demand (v2)", "..", "")]
    ['base', 'etc_passwd', 'abs_path', 'low_demand_v2', 'scenario', 'scenario']
    """
    cleaned = SAFE.sub("_", str(name)).strip("._-")
    cleaned = re.sub(r"_+", "_", cleaned)
    return cleaned or "scenario"


def staging_folder(out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out_dir)
    folder = Path(tempfile.mkdtemp(prefix=f".{name}.writing-{os.getpid()}-", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)  # mkdtemp makes it private; results are ordinary folders
    return folder


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging folders of runs that were killed (their process is gone) are debris: remove them."""
    for folder in out_dir.glob(".*.writing-*-*"):
        try:
            pid = int(folder.name.rsplit(".writing-", 1)[1].split("-", 1)[0])
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
    """Move a complete staging folder into place, replacing an earlier result folder.

    The earlier folder is first renamed aside, so at every moment either it or the new one is
    whole on disk; it is deleted only after the new one is in place.
    """
    aside = None
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(aside)
        os.replace(target, aside)
    try:
        os.replace(staging, target)
    except BaseException:
        if aside is not None:
            os.replace(aside, target)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, currency: str, workbook: str = "results.xlsx") -> None:
    """Each table as CSV, and all of them as sheets of one workbook."""
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    write_workbook(tables, folder / workbook, currency)


def write_run_json(meta: dict, folder: Path) -> None:
    (folder / "run.json").write_text(json.dumps(meta, indent=2, default=_jsonable) + "\n")


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


# ---- the workbook --------------------------------------------------------------------------

def _number_format(unit: str) -> str | None:
    if unit == "year":
        return "0"
    if unit == "fraction":
        return "0.0%"
    if unit in ("racks", "t CO2/year") or unit.startswith(CUR):
        return "#,##0"
    if unit == "MW":
        return "#,##0.0"
    if unit in ("Tbps", "GW", "trillion tokens/day"):
        return "#,##0.000"
    return None


def _guess_unit(column: str) -> str:
    """Units for tables whose columns depend on the run (sweeps, comparisons, stress tests)."""
    if any(w in column for w in ("cost", "objective", "regret", "value_of", "perfect_information")):
        return CUR
    if any(w in column for w in ("share", "utilization", "probability")):
        return "fraction"
    if "rack" in column:
        return "racks"
    if column.endswith("_gw"):
        return "GW"
    if column.endswith("_tbps"):
        return "Tbps"
    return ""


def _shown_width(values: pd.Series, fmt: str | None) -> int:
    """Width from the text as formatted (not the raw float repr, which is far too wide)."""
    sample = values.head(500)
    texts = []
    for v in sample:
        if isinstance(v, float):
            if fmt == "0.0%":
                texts.append(f"{v:.1%}")
            elif fmt and "0.000" in fmt:
                texts.append(f"{v:,.3f}")
            elif fmt and "0.0" in fmt:
                texts.append(f"{v:,.1f}")
            elif fmt:
                texts.append(f"{v:,.0f}")
            else:
                texts.append(f"{v:.6g}")
        else:
            texts.append(str(v))
    return max([len(t) for t in texts] + [0])


def write_workbook(tables: dict[str, pd.DataFrame], path: Path, currency: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": False})
    units_fmt = book.add_format({"italic": True, "font_color": "#595959", "bottom": 1})
    formats: dict[str, object] = {}
    for name, df in tables.items():
        sheet = book.add_worksheet(name)
        spec = {c.name: c for c in TABLE_COLUMNS.get(name, ())}
        spec.setdefault("future", FUTURE)
        for j, col in enumerate(df.columns):
            c: Col = spec.get(col) or Col(col, _guess_unit(str(col)), "")
            unit = c.unit.replace(CUR, currency)
            sheet.write(0, j, col, header)
            sheet.write(1, j, unit, units_fmt)
            if c.doc:
                sheet.write_comment(0, j, f"{c.doc}" + (f" [{unit}]" if unit else ""))
            fmt_code = _number_format(c.unit)
            fmt = None
            if fmt_code:
                fmt = formats.setdefault(fmt_code, book.add_format({"num_format": fmt_code}))
            values = df[col]
            width = max(len(col), len(unit), _shown_width(values, fmt_code)) + 2
            sheet.set_column(j, j, min(width, 60), fmt)
            cells = [None if (isinstance(v, float) and v != v) else v for v in values.tolist()]
            sheet.write_column(2, j, cells)
        sheet.freeze_panes(2, 0)  # names and units stay in view
    book.close()


def publish_tables(out_dir: str | Path, name: str, tables: dict[str, pd.DataFrame], currency: str,
                   meta: dict | None = None, workbook: str = "results.xlsx") -> Path:
    """Write tables (CSV each, one workbook) and an optional run.json into OUT/NAME atomically."""
    out_dir = Path(out_dir)
    folder = safe_name(name)
    staging = staging_folder(out_dir, folder)
    try:
        write_tables(tables, staging, currency, workbook)
        if meta is not None:
            write_run_json(meta, staging)
        publish(staging, out_dir / folder)
    except BaseException:
        discard(staging)
        raise
    return out_dir / folder
