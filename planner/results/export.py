"""Write a results folder: ``results.xlsx``, one CSV per table, ``run.json`` (SPEC 5, 6).

Where the folder goes and how it is moved into place is :mod:`planner.results.places`; what
each column is, and its unit, is declared in :mod:`planner.results.outputs`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from planner.files import MARK, MARK_KEY, close_workbook
from planner.results.places import check_target, discard, publish, safe_name, staging_folder
from planner.results.outputs import CUR, DIMENSIONS, Col, column_of


def for_files(tables: dict[str, pd.DataFrame], dimensions: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The tables as files hold them: a dimension the run does not have (a case without futures
    has one, ``base``) is left out, so such files read as they always have.
    ``dimensions`` gives the number of values each dimension has in the run."""
    drop = [d.name for d in DIMENSIONS if dimensions.get(d.name, 1) <= 1]
    out = {}
    for name, df in tables.items():
        gone = [c for c in drop if c in df.columns and name in DIMENSIONS_BY_NAME[c].tables]
        out[name] = df.drop(columns=gone) if gone else df
    return out


DIMENSIONS_BY_NAME = {d.name: d for d in DIMENSIONS}


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, currency: str, workbook: str = "results.xlsx") -> None:
    """Each table as CSV, and all of them as sheets of one workbook."""
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    write_workbook(tables, folder / workbook, currency)


def write_run_json(meta: dict, folder: Path) -> None:
    (folder / "run.json").write_text(json.dumps({**meta, MARK_KEY: MARK}, indent=2, default=_jsonable) + "\n",
                                     encoding="utf-8")


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


def unit_of(table: str, column: str) -> Col:
    """A column's declaration; a varied input of a sweep (``sheet.column``) takes that input's unit."""
    c = column_of(table, str(column))
    if c is None:
        raise KeyError(f"the {table} table has no declared column {column!r} (planner/results/outputs.py)")
    if c.unit == "{input unit}":
        from planner.case.schema import SHEETS

        sheet, name = str(column).split(".", 1)
        unit = SHEETS[sheet].column(name).unit if sheet in SHEETS and name in SHEETS[sheet].names else ""
        return Col(str(column), unit.replace("currency", CUR), c.doc)
    return c


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
    book.set_custom_property(MARK_KEY, MARK)   # so that a later run knows it may replace this file
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": False})
    units_fmt = book.add_format({"italic": True, "font_color": "#595959", "bottom": 1})
    formats: dict[str, object] = {}
    for name, df in tables.items():
        sheet = book.add_worksheet(name)
        for j, col in enumerate(df.columns):
            c = unit_of(name, col)
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
    close_workbook(book)


def publish_tables(out_dir: str | Path, name: str, tables: dict[str, pd.DataFrame], currency: str,
                   meta: dict | None = None, workbook: str = "results.xlsx") -> Path:
    """Write tables (CSV each, one workbook) and run.json into OUT/NAME atomically."""
    out_dir = Path(out_dir)
    folder = safe_name(name)
    check_target(out_dir / folder)
    staging = staging_folder(out_dir, folder)
    try:
        write_tables(tables, staging, currency, workbook)
        write_run_json(meta or {"scenario": name}, staging)
        publish(staging, out_dir / folder)
    except BaseException:
        discard(staging)
        raise
    return out_dir / folder
