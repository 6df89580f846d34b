"""Read a case from an .xlsx workbook or a folder of CSV files into raw sheets.

Nothing is interpreted here beyond finding each sheet's header: cells keep the type the file
gave them (text stays text, so ``n/a`` in a number column is caught later instead of becoming
a blank), and every row keeps the number the spreadsheet shows. Whatever cannot be read
becomes a :class:`~planner.problems.Problem`, never an exception.
"""
from __future__ import annotations

import csv
import hashlib
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import Problem, column_letter, error, nearest, warning
from .schema import SHEETS

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawSheet:
    """One sheet as found: header names (normalised) and data cells by spreadsheet row."""

    name: str
    cells: pd.DataFrame                 # object cells; index = spreadsheet row; columns = header names
    letters: dict[str, str]             # header name -> column letter
    header_row: int
    titles: dict[str, str] = field(default_factory=dict)  # header name -> header as typed
    from_text_file: bool = False        # CSV: every cell is text, numbers included

    def letter(self, column: str) -> str | None:
        return self.letters.get(column)


@dataclass
class RawCase:
    path: Path
    name: str
    sha256: str
    sheets: dict[str, RawSheet]
    problems: list[Problem]
    seconds: float = 0.0          # time spent reading the files (run.json timings)


def case_name(path: Path) -> str:
    """The default scenario name of a case: its file or folder name without extension."""
    return path.stem if path.suffix.lower() in WORKBOOK_SUFFIXES else path.name


def read_case(path: str | Path) -> RawCase:
    started = time.perf_counter()
    path = Path(path)
    problems: list[Problem] = []
    grids: dict[str, list[list[object]]] = {}
    merged: dict[str, list] = {}
    text_cells = False
    where = path.name or str(path)
    if not path.exists():
        problems.append(error(where, f"no such file or folder: {path}"))
    elif path.is_dir():
        grids, problems = _read_csv_folder(path)
        text_cells = True
    elif path.suffix.lower() in WORKBOOK_SUFFIXES:
        grids, merged, problems = _read_workbook(path)
    elif path.suffix.lower() == ".xls":
        problems.append(error(where, "this is an old Excel 97-2003 .xls file; save it as an .xlsx workbook"))
    elif path.suffix.lower() == ".csv":
        problems.append(error(where, "a case is a folder of CSV files (regions.csv, demand.csv, ...), not one CSV; pass the folder"))
    else:
        problems.append(error(where, "a case must be an .xlsx workbook or a folder of CSV files"))

    sheets: dict[str, RawSheet] = {}
    for name, grid in grids.items():
        sheet, found = _to_sheet(name, grid, text_cells)
        problems += found + _merged_cells(name, merged.get(name, []), sheet)
        if sheet is not None:
            sheets[name] = sheet

    digest = _sha256(path) if path.exists() else ""
    return RawCase(path, case_name(path), digest, sheets, problems, time.perf_counter() - started)


def _sha256(path: Path) -> str:
    """Hash of the input: the file, or every CSV of the folder by name (so runs are traceable)."""
    h = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(f.name.encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def _normal(name: object) -> str:
    """Sheet and header names are matched without surrounding spaces and case."""
    if isinstance(name, float) and name.is_integer():
        name = int(name)
    return str(name).strip().lower()


def _read_workbook(path: Path) -> tuple[dict[str, list[list[object]]], dict[str, list], list[Problem]]:
    where = path.name
    if path.stat().st_size == 0:
        return {}, {}, [error(where, "the file is empty (0 bytes); it is not a workbook")]
    if not zipfile.is_zipfile(path):
        # Encrypted (password-protected) workbooks are OLE containers, not zip files.
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            msg = "the workbook is password-protected or in the old .xls format; save it unprotected as .xlsx"
        else:
            msg = "the file is not a readable .xlsx workbook (damaged, or another format renamed)"
        return {}, {}, [error(where, msg)]
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        grids: dict[str, list[list[object]]] = {}
        merged: dict[str, list] = {}
        problems: list[Problem] = []
        for title in book.sheet_names:
            name = _normal(title)
            if name in grids:
                problems.append(error(title, f"two sheets are named '{name}' (ignoring case and spaces)"))
                continue
            sheet = book.get_sheet_by_name(title)
            grids[name] = sheet.to_python(skip_empty_area=False)
            merged[name] = list(sheet.merged_cell_ranges or [])
        return grids, merged, problems
    except Exception as exc:  # calamine raises its own error types for damaged files
        return {}, {}, [error(where, f"the workbook could not be read ({type(exc).__name__}: {exc})")]


def _merged_cells(name: str, ranges: list, sheet: RawSheet | None) -> list[Problem]:
    """Merged cells hide values: a merged header leaves columns unnamed, a merged data cell
    leaves all but its first cell blank. Both must be unmerged."""
    if sheet is None:
        return []
    problems = []
    for (r0, c0), (r1, c1) in ranges:
        cells = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        if r0 + 1 <= sheet.header_row <= r1 + 1:
            msg = f"merged header cells {cells}: unmerge them so that every column has its own header"
        else:
            msg = f"merged cells {cells}: unmerge them and give every cell its own value"
        problems.append(error(name, msg, row=r0 + 1, letter=column_letter(c0), value=cells))
    return problems


def _read_csv_folder(path: Path) -> tuple[dict[str, list[list[object]]], list[Problem]]:
    grids: dict[str, list[list[object]]] = {}
    problems: list[Problem] = []
    for f in sorted(path.glob("*.csv")):
        name = _normal(f.stem)
        try:
            with f.open(newline="", encoding="utf-8-sig") as fh:
                grids[name] = [list(r) for r in csv.reader(fh)]
        except UnicodeDecodeError:
            problems.append(error(f.name, "the file is not UTF-8 text; save it as 'CSV UTF-8'"))
        except csv.Error as exc:
            problems.append(error(f.name, f"the file is not valid CSV ({exc})"))
    if not grids and not problems:
        problems.append(error(path.name, "the folder holds no .csv files"))
    return grids, problems


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def _to_sheet(name: str, grid: list[list[object]], text_cells: bool) -> tuple[RawSheet | None, list[Problem]]:
    if name not in SHEETS:
        guess = nearest(name, SHEETS)
        if guess:
            return None, [warning(name, f"sheet '{name}' is not part of a case and is ignored; did you mean '{guess}'?")]
        return None, []
    problems: list[Problem] = []
    rows = [r for r in grid]
    header_at = next((i for i, r in enumerate(rows) if not all(_blank(c) for c in r)), None)
    if header_at is None:
        return RawSheet(name, pd.DataFrame(), {}, 1), [error(name, "the sheet is empty: it needs a header row and data")]
    header = rows[header_at]
    header_row = header_at + 1
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    for pos, cell in enumerate(header):
        if _blank(cell):
            continue
        key = _normal(cell)
        if key in positions:
            problems.append(error(name, f"column '{key}' appears twice in the header", row=header_row,
                                  column=key, letter=column_letter(pos), value=cell))
            continue
        positions[key] = pos
        titles[key] = str(cell)

    body = rows[header_at + 1:]
    while body and all(_blank(c) for c in body[-1]):
        body.pop()
    data: dict[int, list[object]] = {}
    for offset, r in enumerate(body):
        row_number = header_row + 1 + offset
        if all(_blank(c) for c in r):
            problems.append(error(name, "blank row inside the data: delete it, or fill it in", row=row_number))
            continue
        for pos, cell in enumerate(r):
            if not _blank(cell) and (pos >= len(header) or _blank(header[pos])):
                problems.append(warning(name, "value in a column without a header is ignored", row=row_number,
                                        letter=column_letter(pos), value=cell))
        data[row_number] = [r[p] if p < len(r) else "" for p in positions.values()]
    if data:
        cells = pd.DataFrame.from_dict(data, orient="index", columns=list(positions), dtype=object)
    else:
        cells = pd.DataFrame(columns=list(positions), dtype=object)
    if not data:
        problems.append(warning(name, "the sheet has a header but no data rows", row=header_row))
    letters = {k: column_letter(p) for k, p in positions.items()}
    return RawSheet(name, cells, letters, header_row, titles, text_cells), problems
