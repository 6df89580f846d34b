"""Write a case's sheets (as DataFrames) to an .xlsx workbook or a folder of CSV files.

The inverse of :mod:`planner.reading` for plain values: numbers are written as numbers, blanks
(NaN, None, "") as empty cells, so reading the result gives back the same case. Used to
generate the bundled workbook from its CSV folder and by tests that need both formats.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from planner.files import MARK, MARK_KEY, close_workbook
from planner.case.reading import WORKBOOK_SUFFIXES


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v == "")


def write_sheets(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        import xlsxwriter

        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path))
        book.set_custom_property(MARK_KEY, MARK)   # written by the planner: a later write may replace it
        bold = book.add_format({"bold": True})
        for name, df in sheets.items():
            ws = book.add_worksheet(name)
            for j, col in enumerate(df.columns):
                ws.write(0, j, col, bold)
            for i, row in enumerate(df.itertuples(index=False), start=1):
                for j, v in enumerate(row):
                    if _blank(v):
                        continue
                    if hasattr(v, "item"):
                        v = v.item()
                    ws.write(i, j, v)
            ws.freeze_panes(1, 0)
        close_workbook(book)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, df in sheets.items():
            df.to_csv(path / f"{name}.csv", index=False)
    return path


def _typed(cell: str):
    """A CSV cell as the value a spreadsheet would hold: a number where the text is one."""
    text = cell.strip()
    try:
        x = float(text)
    except ValueError:
        return cell
    if not math.isfinite(x):
        return cell
    return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() else x


def read_csv_folder(folder: str | Path) -> dict[str, pd.DataFrame]:
    """A CSV case folder as DataFrames holding numbers and text as a workbook would."""
    out = {}
    for f in sorted(Path(folder).glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        out[f.stem] = df.map(_typed).astype(object)
        out[f.stem].columns = [_typed(c) if str(c).isdigit() else c for c in df.columns]
    return out


def csv_folder_to_workbook(folder: str | Path, workbook: str | Path) -> Path:
    """Write a CSV case folder as one workbook with the same sheets and values."""
    return write_sheets(read_csv_folder(folder), workbook)
