"""A real spreadsheet client: LibreOffice opens our workbooks and the values survive, and a
workbook saved by LibreOffice reads as the same case."""
from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd

from clients import libreoffice
from planner.case.validated import load_case
from planner.results.tables import TABLES
from planner.run import run_case
from planner.case.schema import SHEETS
from planner.case.template import write_template

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example"
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _number(text):
    """A cell as a number where it is one (LibreOffice writes percent cells as shown, '48.0%')."""
    try:
        if isinstance(text, str) and text.endswith("%"):
            return float(text[:-1]) / 100
        return float(text)
    except (TypeError, ValueError):
        return text


def test_case_saved_by_libreoffice_reads_the_same(tmp_path):
    ours = write_template(tmp_path / "case.xlsx", load_case(EXAMPLE))
    libreoffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "saved"), str(ours)], tmp_path)
    saved = tmp_path / "saved" / "case.xlsx"
    a, b = load_case(EXAMPLE), load_case(saved)
    assert a.settings == b.settings
    for t in ("regions", "region_years", "workloads", "demand", "corridors", "policies", "planned_builds"):
        x, y = getattr(a, t).reset_index(drop=True), getattr(b, t).reset_index(drop=True)
        cols = [c for c in x.columns if c != "_row"]
        pd.testing.assert_frame_equal(x[cols].sort_values(cols[:3]).reset_index(drop=True),
                                      y[cols].sort_values(cols[:3]).reset_index(drop=True), check_dtype=False, obj=t)


def test_template_survives_libreoffice(tmp_path):
    ours = write_template(tmp_path / "template.xlsx")
    libreoffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "saved"), str(ours)], tmp_path)
    book = openpyxl.load_workbook(tmp_path / "saved" / "template.xlsx")
    for name, sheet in SHEETS.items():
        ws = book[name]
        if not sheet.key_value:
            assert [c.value for c in ws[1]][: len(sheet.columns)] == list(sheet.names)
            assert ws.cell(row=1, column=1).comment is not None
    assert book["planned_builds"].data_validations.dataValidation, "dropdowns lost"


def test_results_workbook_values_survive_libreoffice(tmp_path):
    outcome = run_case(EXAMPLE, tmp_path / "out")
    book = outcome.folder / "results.xlsx"
    libreoffice(["--convert-to", ALL_SHEETS_CSV, "--outdir", str(tmp_path / "csv"), str(book)], tmp_path)
    for table in TABLES:
        exported = pd.read_csv(tmp_path / "csv" / f"results-{table}.csv", dtype=str, keep_default_na=False)
        ours = pd.read_csv(outcome.folder / f"{table}.csv", dtype=str, keep_default_na=False)
        assert list(exported.columns) == list(ours.columns), table
        assert len(exported) == len(ours), table
        for col in ours.columns:
            for mine, theirs in zip(ours[col], exported[col]):
                a, b = _number(mine), _number(theirs)
                if isinstance(a, float) and isinstance(b, float):
                    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (table, col, mine, theirs)
                else:
                    assert str(a) == str(b), (table, col, mine, theirs)
