"""Read a case from an .xlsx workbook or a folder of CSV files into raw sheets.

Nothing is interpreted here beyond finding each sheet's header: cells keep the type the file
gave them (text stays text, so ``n/a`` in a number column is caught later instead of becoming
a blank), and every row keeps the number the spreadsheet shows. Whatever cannot be read
becomes a :class:`~planner.problems.Problem`, never an exception.
"""
from __future__ import annotations

import csv
import hashlib
import html
import re
import time
import zipfile
from xml.etree import ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.case.problems import Problem, column_letter, error, nearest, warning
from planner.case.schema import SHEETS

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class CellFault:
    """A workbook cell whose value cannot be used: an error value (``#DIV/0!``) or a formula the
    file holds no computed value for (written by a program that does not calculate). Calamine
    reads both as blank; they are not blank, and validation names them."""

    def __init__(self, message: str, shown: str):
        self.message = message
        self.shown = shown   # what the cell holds: the error value or the formula

    def __str__(self) -> str:
        return self.shown

    __repr__ = __str__

    @classmethod
    def error_value(cls, shown: str) -> "CellFault":
        return cls(f"shows the error {shown}: fix the formula or type the value", shown)

    @classmethod
    def formula_without_value(cls, formula: str) -> "CellFault":
        return cls("is a formula without a saved value: open and save the workbook in Excel or LibreOffice", formula)


@dataclass
class RawSheet:
    """One sheet as found: header names (normalised) and data cells by spreadsheet row."""

    name: str
    cells: pd.DataFrame                 # object cells; index = spreadsheet row; columns = header names
    letters: dict[str, str]             # header name -> column letter
    header_row: int
    titles: dict[str, str] = field(default_factory=dict)  # header name -> header as typed
    from_text_file: bool = False        # CSV: every cell is text, numbers included
    notes: pd.DataFrame | None = None   # columns the schema does not know (notes, sources), as text

    def letter(self, column: str) -> str | None:
        return self.letters.get(column)

    @property
    def note_names(self) -> list[str]:
        return [] if self.notes is None else list(self.notes.columns)


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


def read_frames(sheets: dict[str, pd.DataFrame], name: str = "case") -> RawCase:
    """Sheets given as DataFrames (a notebook's), read as a workbook's sheets are: the header is
    row 1, blanks (None, NaN, "") are blank, and text that is a number counts as the number."""
    started = time.perf_counter()
    problems: list[Problem] = []
    sheets_out: dict[str, RawSheet] = {}
    digest = hashlib.sha256()
    for title, df in sheets.items():
        key = _normal(title)
        frame = pd.DataFrame(df)
        grid = [list(frame.columns)] + [[None if _missing(v) else v for v in row] for row in frame.itertuples(index=False)]
        digest.update(key.encode() + b"\0" + frame.to_csv(index=False).encode())
        sheet, found = _to_sheet(key, grid, True)
        problems += found
        if sheet is not None:
            sheets_out[key] = sheet
    return RawCase(Path(name), name, digest.hexdigest(), sheets_out, problems, time.perf_counter() - started)


def _missing(v: object) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


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
        for title, faults in _cell_faults(path).items():
            grid = grids.get(_normal(title))
            if grid is not None:
                _mark_faults(grid, faults)
        return grids, merged, problems
    except Exception as exc:  # calamine raises its own error types for damaged files
        return {}, {}, [error(where, f"the workbook could not be read ({type(exc).__name__}: {exc})")]


_CELL = re.compile(rb'<c\b([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


def _cell_faults(path: Path) -> dict[str, dict[tuple[int, int], CellFault]]:
    """Error values and formulas without a saved value, by sheet title and (row, column), 0-based.

    Read from the sheets' XML, only where the XML has a formula or an error value at all (a
    quick byte test), so that plain workbooks cost nothing more to read."""
    out: dict[str, dict[tuple[int, int], CellFault]] = {}
    try:
        with zipfile.ZipFile(path) as book:
            for title, part in _sheet_parts(book).items():
                try:
                    xml = book.read(part)
                except KeyError:
                    continue
                if b"<f" not in xml and b't="e"' not in xml:
                    continue
                faults = {}
                for attrs, body in _CELL.findall(xml):
                    body = body or b""
                    ref = _REF.search(attrs)
                    if ref is None:
                        continue
                    value = re.search(rb"<v>(.*?)</v>", body, re.S)
                    if b't="e"' in attrs:
                        shown = value.group(1).decode("utf-8", "replace") if value else "an error"
                        fault = CellFault.error_value(shown)
                    elif b"<f" in body and (value is None or not value.group(1)) and b't="str"' not in attrs:
                        formula = re.search(rb"<f[^>]*>(.*?)</f>", body, re.S)
                        text = html.unescape(formula.group(1).decode("utf-8", "replace")) if formula else ""
                        fault = CellFault.formula_without_value(f"={text}")
                    else:
                        continue
                    faults[(int(ref.group(2)) - 1, _column_index(ref.group(1).decode()))] = fault
                if faults:
                    out[title] = faults
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return out


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> path of its XML part inside the workbook."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", ns)}
    parts = {}
    for sheet in workbook.findall("m:sheets/m:sheet", ns):
        where = target.get(sheet.get(f"{{{ns['r']}}}id"), "")
        parts[sheet.get("name")] = where.lstrip("/") if where.startswith("/") else f"xl/{where}"
    return parts


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _mark_faults(grid: list[list[object]], faults: dict[tuple[int, int], CellFault]) -> None:
    for (r, c), fault in faults.items():
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        if _blank(row[c]):
            row[c] = fault


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
                rows = [list(r) for r in csv.reader(fh)]
            separator = _other_separator(name, rows)
            if separator:
                problems.append(error(f.name, f"the file separates its columns with {separator} instead of commas; save it "
                                              "as 'CSV UTF-8 (comma delimited)', with decimal points"))
                continue
            grids[name] = rows
        except UnicodeDecodeError:
            problems.append(error(f.name, "the file is not UTF-8 text; save it as 'CSV UTF-8'"))
        except csv.Error as exc:
            problems.append(error(f.name, f"the file is not valid CSV ({exc})"))
    if not grids and not problems:
        problems.append(error(path.name, "the folder holds no .csv files"))
    return grids, problems


def _rows_text(rows: list[int], shown: int = 10) -> str:
    """
    >>> _rows_text([4, 7]), _rows_text(list(range(2, 30)), 3)
    ('4, 7', '2, 3, 4 ... (28 rows)')
    """
    text = ", ".join(str(r) for r in rows[:shown])
    return text + (f" ... ({len(rows)} rows)" if len(rows) > shown else "")


def _other_separator(name: str, rows: list[list[str]]) -> str | None:
    """';' or a tab where a CSV of a case sheet should have commas (Excel in many European
    locales saves 'CSV' with semicolons): the header then arrives as one cell holding the names."""
    sheet = SHEETS.get(name)
    header = next((r for r in rows if any(c.strip() for c in r)), None)
    if sheet is None or header is None:
        return None
    for sep, word in ((";", "semicolons (;)"), ("\t", "tabs")):
        cells = [c for c in header if c.strip()]
        parts = {_normal(part) for c in cells for part in c.split(sep)}
        if any(sep in c for c in cells) and parts & (set(sheet.names) | {"key", "value"}):
            return word
    return None


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
    unnamed = [pos for pos, cell in enumerate(header) if _blank(cell)]
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
    schema = SHEETS[name]
    units_row = bool(body) and _is_units_row(schema, positions, body[0])
    if units_row:   # the template's row of units under the header: shown to people, not data
        body = body[1:]
    known = set(schema.names) | ({"key", "value"} if schema.key_value else set())
    note_names = [k for k in positions if k not in known and not (schema.wide and k.isdigit() and len(k) == 4)]
    kept = {k: p for k, p in positions.items() if k not in set(note_names)}
    note_positions = [positions[k] for k in note_names]
    data: dict[int, list[object]] = {}
    note_rows: dict[int, list[object]] = {}
    blank_rows: list[int] = []
    headless: dict[int, list[int]] = {}   # column position without a header -> rows with a value there
    for offset, r in enumerate(body):
        row_number = header_row + 1 + offset + units_row
        if all(_blank(c) for c in r):
            blank_rows.append(row_number)   # planners space out their sheets: skip, and say so
            continue
        for pos in range(len(header), len(r)):
            if not _blank(r[pos]):
                headless.setdefault(pos, []).append(row_number)
        for pos in unnamed:
            if pos < len(r) and not _blank(r[pos]):
                headless.setdefault(pos, []).append(row_number)
        data[row_number] = [r[p] if p < len(r) else "" for p in kept.values()]
        if note_positions:
            note_rows[row_number] = [_note_text(r[p]) if p < len(r) else "" for p in note_positions]
    if blank_rows:
        problems.append(warning(name, f"blank row{'s' if len(blank_rows) > 1 else ''} {_rows_text(blank_rows)} inside the "
                                      "data skipped", row=blank_rows[0]))
    if headless:
        letters_shown = ", ".join(column_letter(p) for p in sorted(headless)[:8]) + (" ..." if len(headless) > 8 else "")
        first = min(headless)
        problems.append(warning(name, f"values in {len(headless)} column{'s' if len(headless) > 1 else ''} without a "
                                      f"header ({letters_shown}) are ignored", row=headless[first][0],
                                letter=column_letter(first)))
    if data:
        cells = pd.DataFrame.from_dict(data, orient="index", columns=list(kept), dtype=object)
    else:
        cells = pd.DataFrame(columns=list(kept), dtype=object)
    if not data and schema.required and not schema.key_value:
        problems.append(error(name, f"the sheet has a header but no rows: a case needs at least one row of {name}",
                              row=header_row))
    elif not data:
        problems.append(warning(name, "the sheet has a header but no data rows", row=header_row))
    # information only: kept aside as text, read the same from CSV and workbook, never typed,
    # so that thousands of them cost the reading and nothing more
    notes = pd.DataFrame.from_dict(note_rows, orient="index", columns=note_names, dtype=object) if note_names else None
    letters = {k: column_letter(p) for k, p in positions.items()}
    return RawSheet(name, cells, letters, header_row, titles, text_cells, notes), problems


def _is_units_row(schema, positions: dict[str, int], row: list[object]) -> bool:
    """Whether the row under the header names the declared units (as the template writes them):
    every filled cell under a known column is that column's unit, written as is or in brackets,
    and at least one is filled. A row of data never passes: its numbers are not units."""
    units = {c.name: c.unit.strip().lower() for c in schema.columns}
    matched = 0
    for key, pos in positions.items():
        cell = row[pos] if pos < len(row) else None
        if _blank(cell):
            continue
        text = str(cell).strip().lower()
        if len(text) > 2 and text[0] + text[-1] in ("()", "[]"):
            text = text[1:-1].strip()
        if key not in units or not units[key] or text != units[key]:
            return False
        matched += 1
    return matched > 0


def _note_text(cell: object) -> str:
    """A note cell as text, as a CSV would hold it: whole numbers without '.0'."""
    if cell is None:
        return ""
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
