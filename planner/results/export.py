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


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, currency: str, workbook: str = "results.xlsx",
                 views: dict[str, pd.DataFrame] | None = None, parquet: bool = False) -> None:
    """Each table as CSV (and as Parquet when asked), and all of them as sheets of one workbook,
    with the views (pivots of the plan) in the workbook only."""
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
        if parquet:
            _columnar(df).to_parquet(folder / f"{name}.parquet", index=False)
    write_workbook(tables, folder / workbook, currency, views)


def _columnar(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of one type for Parquet: a column mixing text and numbers (the summary's values) as text."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                out[col] = out[col].map(lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v))
    return out


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


def _money_format(value: float, currency: str) -> str:
    """An Excel number format that shows money at a readable scale (the cell keeps the number)."""
    size = abs(value) if isinstance(value, (int, float)) and value == value else 0.0
    if size >= 1e9:
        return f'#,##0.00,,," bn {currency}"'
    if size >= 1e6:
        return f'#,##0.0,," M {currency}"'
    return f'#,##0 "{currency}"'


def _summary_format(unit: str, value, currency: str) -> str | None:
    if unit == "fraction":
        return "0.0%"
    if unit.startswith(currency) or unit.startswith(CUR):
        return _money_format(value, currency)
    if unit in ("racks",):
        return "#,##0"
    if unit in ("GW", "Tbps"):
        return "#,##0.00"
    return None


def write_workbook(tables: dict[str, pd.DataFrame], path: Path, currency: str,
                   views: dict[str, pd.DataFrame] | None = None) -> None:
    """Every table as a sheet, with its header in row 1 (so that ``pandas.read_excel`` and Excel
    tables read numbers as numbers), an autofilter, the units in the header notes and in a
    ``units`` sheet, number formats by unit, and print set to the page width with the header
    repeated; ``views`` (pivots of the plan) follow the tables."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    book.set_custom_property(MARK_KEY, MARK)   # so that a later run knows it may replace this file
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": False})
    formats: dict[str, object] = {}

    def fmt(code):
        return formats.setdefault(code, book.add_format({"num_format": code})) if code else None

    units = []
    for name, df in {**tables, **(views or {})}.items():
        sheet = book.add_worksheet(name[:31])
        for j, col in enumerate(df.columns):
            c = unit_of(name, col)
            unit = c.unit.replace(CUR, currency)
            sheet.write(0, j, str(col), header)
            units.append((name, str(col), unit, c.doc))
            if c.doc:
                sheet.write_comment(0, j, f"{c.doc}" + (f" [{unit}]" if unit else ""))
            fmt_code = _number_format(c.unit)
            values = df[col]
            width = max(len(str(col)) + 2, len(unit), _shown_width(values, fmt_code)) + 2
            sheet.set_column(j, j, min(width, 60), fmt(fmt_code))
            cells = [None if (isinstance(v, float) and v != v) else v for v in values.tolist()]
            sheet.write_column(1, j, cells)
        if name == "summary" and {"value", "unit"} <= set(df.columns):
            value_col = list(df.columns).index("value")
            for i, (v, unit) in enumerate(zip(df["value"], df["unit"]), start=1):
                if isinstance(v, (int, float)) and v == v:
                    sheet.write_number(i, value_col, float(v), fmt(_summary_format(str(unit), v, currency)))
        sheet.freeze_panes(1, 0)   # the names stay in view
        sheet.autofilter(0, 0, max(len(df), 1), max(len(df.columns) - 1, 0))
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)   # the width of one page, as many pages down as needed
        sheet.repeat_rows(0)
    sheet = book.add_worksheet("units")
    for j, title in enumerate(("table", "column", "unit", "meaning")):
        sheet.write(0, j, title, header)
    for i, row in enumerate(units, start=1):
        sheet.write_row(i, 0, row)
    for j, width in enumerate((20, 30, 28, 90)):
        sheet.set_column(j, j, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(units), 1), 3)
    close_workbook(book)


def publish_tables(out_dir: str | Path, name: str, tables: dict[str, pd.DataFrame], currency: str,
                   meta: dict | None = None, workbook: str = "results.xlsx", page=None) -> Path:
    """Write tables (CSV each, one workbook) and run.json into OUT/NAME atomically; ``page``
    (a function of the folder being written) adds the report page."""
    out_dir = Path(out_dir)
    folder = safe_name(name)
    check_target(out_dir / folder)
    staging = staging_folder(out_dir, folder)
    try:
        write_tables(tables, staging, currency, workbook)
        if page is not None:
            page(staging)
        write_run_json(meta or {"scenario": name}, staging)
        publish(staging, out_dir / folder)
    except BaseException:
        discard(staging)
        raise
    return out_dir / folder
