"""Bad input: every mistake is named with sheet, spreadsheet cell, column and value; the run
exits 2 and writes nothing."""
from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from builder import region, sheets, write
from planner.case.validated import load_case
from planner.cli import app
from planner.case.problems import InputError, column_letter


def good_case() -> dict[str, pd.DataFrame]:
    return sheets([region("a", green_mw=0), region("b", lon=1)],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=1)],
                  corridors=[{"from": "a", "to": "b", "latency_ms": 5, "optical_capex": 10, "hvdc_capex": 10}])


def letter(case, sheet, column) -> str:
    return column_letter(list(case[sheet].columns).index(column))


def set_cell(case, sheet, row, column, value):
    """Set a cell by spreadsheet row (header is row 1)."""
    df = case[sheet].astype(object)
    df.loc[row - 2, column] = value
    case[sheet] = df


def problems_of(case, tmp_path, fmt="csv"):
    with pytest.raises(InputError) as err:
        load_case(write(case, tmp_path, fmt))
    return [p for p in err.value.problems if p.is_error]


def mistake(name, edit, sheet, row, column, words, fmt="csv"):
    return pytest.param(edit, sheet, row, column, words, fmt, id=name)


def _drop_column(sheet, column):
    def edit(c):
        c[sheet] = c[sheet].drop(columns=column)
    return edit


def _dup_corridor(c):
    c["corridors"] = pd.concat([c["corridors"], pd.DataFrame([{"from": "b", "to": "a", "latency_ms": 5}])],
                               ignore_index=True)


def _settings(key, value):
    def edit(c):
        s = c["settings"]
        s.loc[s["key"] == key, "value"] = value
    return edit


MISTAKES = [
    mistake("text in a number column", lambda c: set_cell(c, "regions", 2, "pue", "n/a"), "regions", 2, "pue", "not a number"),
    mistake("pue below one", lambda c: set_cell(c, "regions", 3, "pue", 0.9), "regions", 3, "pue", ">= 1"),
    mistake("negative cost", lambda c: set_cell(c, "regions", 2, "rack_capex", -5), "regions", 2, "rack_capex", ">= 0"),
    mistake("unknown region", lambda c: set_cell(c, "demand", 2, "region", "A"), "demand", 2, "region", "unknown region 'A'"),
    mistake("unknown workload", lambda c: set_cell(c, "demand", 2, "workload", "wx"), "demand", 2, "workload", "unknown workload"),
    mistake("duplicate corridor both ways", _dup_corridor, "corridors", 3, "from / to", "duplicate"),
    mistake("from equals to", lambda c: set_cell(c, "corridors", 2, "to", "a"), "corridors", 2, "to", "same region"),
    mistake("efficiency above one", lambda c: set_cell(c, "corridors", 2, "efficiency", 1.5), "corridors", 2, "efficiency", "<= 1"),
    mistake("missing required column", _drop_column("regions", "rack_capex"), "regions", 1, "rack_capex", "missing"),
    mistake("blank required cell", lambda c: set_cell(c, "regions", 3, "grid_price", None), "regions", 3, "grid_price", "required"),
    mistake("green power without price", lambda c: set_cell(c, "regions", 2, "green_mw", 5), "regions", 2, "green_price", "green_price is required"),
    mistake("start after end", _settings("end_year", 2020), "settings", None, "start_year", "after end_year"),
    mistake("number stored as text in a workbook", lambda c: set_cell(c, "regions", 2, "grid_price", "12"),
            "regions", 2, "grid_price", "stored as text", "xlsx"),
]


@pytest.mark.parametrize("edit, sheet, row, column, words, fmt", MISTAKES)
def test_mistake_is_named_with_its_cell(tmp_path, edit, sheet, row, column, words, fmt):
    case = good_case()
    edit(case)
    found = problems_of(case, tmp_path, fmt)
    hits = [p for p in found if p.sheet == sheet and p.column == column and words in p.message]
    assert hits, f"no problem on {sheet}/{column} saying {words!r}; got {[(p.sheet, p.cell, p.column, p.message) for p in found]}"
    p = hits[0]
    if row is not None:
        assert p.row == row
    if column in case.get(sheet, pd.DataFrame()).columns:
        assert p.letter == letter(case, sheet, column)


def test_every_problem_is_reported_at_once(tmp_path):
    case = good_case()
    set_cell(case, "regions", 2, "pue", "n/a")
    set_cell(case, "demand", 2, "region", "zz")
    set_cell(case, "corridors", 2, "efficiency", 2)
    found = problems_of(case, tmp_path)
    assert {(p.sheet, p.column) for p in found} >= {("regions", "pue"), ("demand", "region"), ("corridors", "efficiency")}


def test_missing_sheet_is_named(tmp_path):
    case = good_case()
    del case["workloads"]
    found = problems_of(case, tmp_path)
    assert any(p.sheet == "workloads" and "missing" in p.message for p in found)


def test_typo_in_a_column_name_gets_a_suggestion(tmp_path):
    case = good_case()
    case["regions"] = case["regions"].rename(columns={"rack_capex": "rack_capx"})
    found = problems_of(case, tmp_path)
    assert any("rack_capx" in p.message for p in found if p.column == "rack_capex")


@pytest.mark.parametrize("command", ["run", "validate"])
def test_cli_exits_2_and_writes_nothing(tmp_path, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "200")
    case = good_case()
    set_cell(case, "regions", 3, "pue", "abc")
    path = write(case, tmp_path / "in")
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    cell = f"{letter(case, 'regions', 'pue')}3"
    for words in ("regions", cell, "pue", "abc"):
        assert words in result.output
    assert "unknown region" not in result.output  # a bad pue does not make region b unknown
    assert not out.exists()


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "case.xlsx"
    bad.write_text("this is not a workbook")
    with pytest.raises(InputError) as err:
        load_case(bad)
    assert "not a readable .xlsx" in err.value.problems[0].message
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as err:
        load_case(empty)
    assert "empty" in err.value.problems[0].message
