"""The input workbook template, generated from the schema (`planner template FILE.xlsx`).

Every sheet and column of :mod:`planner.schema`, with units, defaults, bounds and references as
header comments, required columns marked, dropdowns for region and workload ids and for fixed
lists (`kind`, `policy`), number checks on numeric columns, frozen headers, widths and number
formats. With a case (``--from``), its data fill the sheets, so a filled template reads back as
the same case.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from planner.files import MARK, MARK_KEY, close_workbook
from planner.case.problems import column_letter
from planner.case.schema import SHEETS, Column, Kind, Sheet

# Rows covered by dropdowns and number checks: a national case of 62 regions, 6 workloads and 25
# years has 9,300 demand rows, and hourly profiles of 96 slices in 62 regions about 6,000; a case
# given with --from gets its own rows plus this many more.
ROWS = 20_000
UNITS_ROW = 1   # the row under the header that shows each column's unit (the reader skips it)

REQUIRED_FILL = "#FCE4D6"
HEADER_FILL = "#DCE6F1"


def _number_format(col: Column) -> str | None:
    if col.kind is Kind.YEAR:
        return "0"
    if not col.numeric:
        return "@"  # text: Excel keeps ids like 001 as typed
    if col.unit == "fraction":
        return "0.00"
    if "currency" in col.unit or col.unit in ("racks", "racks/year"):
        return "#,##0"
    return "General"


def header_note(col: Column, sheet: Sheet) -> str:
    """The comment on a column's header: what it is, unit, default, checks, references."""
    lines = [col.doc or col.name]
    if col.unit:
        lines.append(f"Unit: {col.unit}")
    lines.append("Required." if col.required else f"Default when blank: {col.default_text()}")
    if col.bounds_text():
        lines.append(f"Must be {col.bounds_text()}.")
    if col.ref:
        lines.append(f"Must be a value of {col.ref}.")
    if col.kind is Kind.YEAR:
        lines.append("A whole year.")
    if sheet.key and col.name in sheet.key:
        lines.append(f"Key: ({', '.join(sheet.key)}) must be unique" +
                     (", in either order" if sheet.unordered_key else "") + ".")
    return "\n".join(lines)


def _validation(col: Column, letters: dict[str, dict[str, str]]) -> dict | None:
    if col.choices:
        return {"validate": "list", "source": list(col.choices)}
    if col.ref:
        sheet, name = col.ref.split(".")
        letter = letters[sheet][name]
        return {"validate": "list", "source": f"={sheet}!${letter}${UNITS_ROW + 2}:${letter}${ROWS}",
                "error_type": "warning", "error_message": f"Not a known {name} (from the {sheet} sheet)."}
    if col.numeric:
        kind = "integer" if col.kind is Kind.YEAR else "decimal"
        low = col.min if col.min is not None else (col.above if col.above is not None else -col.largest)
        high = col.max if col.max is not None else (col.below if col.below is not None else col.largest)
        rule = {"criteria": "between", "minimum": low, "maximum": high}
        return {"validate": kind, **rule, "error_message": f"{col.name}: a number" +
                (f", {col.bounds_text()}" if col.bounds_text() else "") + ". Leave blank for the default."}
    return None


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None  # blank means "no limit" / "never" / the default
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if not isinstance(value, (int, float, str)):
        return str(value)   # a note column keeps what the cell showed (dates, error values)
    return value


def case_tables(case) -> dict[str, pd.DataFrame]:
    """A validated case as plain tables in the template's layout (long demand, blanks for
    infinite limits), extra information columns kept after the schema's."""
    out: dict[str, pd.DataFrame] = {}
    for name, sheet in SHEETS.items():
        if sheet.key_value:
            continue
        table = getattr(case, name).reset_index(drop=True)
        own = [c.name for c in sheet.columns]
        notes = case.notes.get(name)
        if notes is not None and "_row" in table.columns:   # notes go back beside their rows
            table = table.join(notes, on="_row")
        extra = [c for c in table.columns if c not in own and not c.startswith("_")
                 and c not in ("optical_allowed", "optical_buildable", "hvdc_allowed", "hvdc_buildable")]
        out[name] = table[own + extra]
    return out


def write_template(path: str | Path, case=None) -> Path:
    """Write the template (filled from ``case`` if given) to ``path``, atomically. Whether an
    existing file may be replaced is the caller's decision (the command line replaces only a
    workbook the planner wrote, or any with --force)."""
    from planner.files import write_file_atomically

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the template must be an .xlsx file, not {path.name}")
    return write_file_atomically(path, lambda tmp: _write(tmp, case))


def _write(path: Path, case) -> None:
    import xlsxwriter

    tables = case_tables(case) if case is not None else {}
    letters = {name: {c.name: column_letter(i) for i, c in enumerate(s.columns)} for name, s in SHEETS.items()}
    book = xlsxwriter.Workbook(str(path))
    book.set_custom_property(MARK_KEY, MARK)   # so that a later `planner template` may replace it
    head = book.add_format({"bold": True, "bg_color": HEADER_FILL, "bottom": 1})
    head_required = book.add_format({"bold": True, "bg_color": REQUIRED_FILL, "bottom": 1})
    italic = book.add_format({"italic": True, "font_color": "#595959"})
    formats: dict[str, object] = {}

    about = book.add_worksheet("about")
    about.set_column(0, 0, 110)
    lines = [
        "Input workbook for planner. One sheet per table; column names must stay as they are.",
        "Headers shaded orange are required; the row under each header gives the unit (leave it: the planner skips it);",
        "hover over a header for its default and checks.",
        "Blank cells take the default. Region, workload, kind and policy cells offer dropdowns.",
        "Optional sheets (region_years, corridors, policies, planned_builds) may stay empty.",
        "Check the workbook with:  planner validate THIS_FILE.xlsx      Solve it with:  planner run THIS_FILE.xlsx",
        "",
        *[f"{s.name}: {s.doc}" for s in SHEETS.values()],
    ]
    for i, line in enumerate(lines):
        about.write(i, 0, line, italic if i > 6 else None)

    for name, sheet in SHEETS.items():
        ws = book.add_worksheet(name)
        if sheet.key_value:
            _settings_sheet(ws, sheet, case, head, head_required, italic, formats, book)
            continue
        data = tables.get(name)
        columns = list(sheet.columns)
        extra = [c for c in data.columns if c not in sheet.names] if data is not None else []
        last = max(ROWS, (len(data) if data is not None else 0) + UNITS_ROW + 1 + ROWS // 10)
        for j, col in enumerate(columns):
            ws.write(0, j, col.name, head_required if col.required else head)
            ws.write_comment(0, j, header_note(col, sheet), {"x_scale": 2, "y_scale": 1.6})
            if col.unit:
                ws.write(UNITS_ROW, j, col.unit, italic)
            code = _number_format(col)
            fmt = formats.setdefault(code, book.add_format({"num_format": code})) if code else None
            ws.set_column(j, j, max(12, len(col.name) + 3, len(col.unit) + 2), fmt)
            rule = _validation(col, letters)
            if rule:
                ws.data_validation(UNITS_ROW + 1, j, last, j, {"ignore_blank": True, **rule})
        for k, name_extra in enumerate(extra, start=len(columns)):
            ws.write(0, k, name_extra, head)
            ws.set_column(k, k, max(12, len(str(name_extra)) + 3))
        if data is not None:
            for i, row in enumerate(data.itertuples(index=False), start=UNITS_ROW + 1):
                for j, value in enumerate(row):
                    v = _cell(value)
                    if v is not None and v != "":
                        ws.write(i, j, v)
        ws.freeze_panes(UNITS_ROW + 1, 0)
    close_workbook(book)


def _settings_sheet(ws, sheet: Sheet, case, head, head_required, italic, formats, book) -> None:
    for j, title in enumerate(("key", "value", "unit", "default", "meaning")):
        ws.write(0, j, title, head_required if title in ("key", "value") else head)
    ws.write_comment(0, 1, "Blank takes the default. start_year and end_year are required.")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 3, 22)
    ws.set_column(4, 4, 80)
    values = case.settings if case is not None else {}
    for i, col in enumerate(sheet.columns, start=1):
        ws.write(i, 0, col.name)
        v = _cell(values.get(col.name))
        if v is not None:
            ws.write(i, 1, v)
        ws.write(i, 2, col.unit, italic)
        ws.write(i, 3, col.default_text(), italic)
        ws.write(i, 4, col.doc + (f" ({col.bounds_text()})" if col.bounds_text() else ""), italic)
    ws.freeze_panes(1, 0)
