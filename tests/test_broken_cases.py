"""A collection of broken cases, each run through `planner run` with earlier results present.

Every case must exit 2, name the right sheet, cell and column, print no traceback, write no
results folder, and leave the earlier results exactly as they were. Cases are built from a small
valid case by one mistake (a few make several); workbook-only mistakes (merged cells, a number
stored as text, a TRUE in a number cell, a damaged file) are written as workbooks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from typer.testing import CliRunner

from builder import region, sheets
from planner.cli import app
from planner.case.problems import column_letter
from planner.case.writing import write_sheets


def valid() -> dict[str, pd.DataFrame]:
    return sheets(
        [region("a", zone="east"), region("b", lon=1, zone="west", green_price=5, green_mw=10)],
        [dict(region="a", workload="w", year=2026, ttok_per_day=1)],
        settings={"end_year": 2027},
        corridors=[{"from": "a", "to": "b", "latency_ms": 5, "optical_capex": 10, "hvdc_capex": 10}],
        policies=[dict(policy="min_green_share", year=2026, value=0.2, zone="west")],
        planned_builds=[dict(region="b", year=2027, racks=1, kind="min")],
    )


@dataclass
class Broken:
    name: str
    edit: Callable[[dict], None] | None      # change to the valid case's sheets
    expect: list[tuple[str, str | None, str | None]]  # (sheet, cell, column) that must be named
    fmt: str = "csv"
    raw: Callable[[Path], Path] | None = None  # writes a file directly instead
    xlsx_hook: Callable | None = None          # (workbook, worksheets by name) after writing
    words: list[str] = field(default_factory=list)


def cell(case, sheet, row, column) -> str:
    return f"{column_letter(list(case[sheet].columns).index(column))}{row}"


def setc(sheet, row, column, value):
    def edit(case):
        df = case[sheet].astype(object)
        df.loc[row - 2, column] = value
        case[sheet] = df
    return edit


def setting(key, value):
    def edit(case):
        s = case["settings"]
        if key in set(s["key"]):
            s.loc[s["key"] == key, "value"] = value
        else:
            case["settings"] = pd.concat([s, pd.DataFrame([{"key": key, "value": value}])], ignore_index=True)
    return edit


def append(sheet, row: dict):
    def edit(case):
        case[sheet] = pd.concat([case[sheet], pd.DataFrame([row])], ignore_index=True)
    return edit


def both(*edits):
    def edit(case):
        for e in edits:
            e(case)
    return edit


def C(sheet, row, column):
    """Expected location, resolved against the edited case's columns."""
    return (sheet, row, column)


def raw_bytes(name: str, data: bytes):
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return write


def csv_in(folder_name: str, file: str, data: bytes):
    def write(folder: Path) -> Path:
        target = write_sheets(valid(), folder / folder_name)
        (target / file).write_bytes(data)
        return target
    return write


BROKEN = [
    Broken("missing required sheet", lambda c: c.pop("workloads"), [("workloads", None, None)], words=["missing"]),
    Broken("sheet name typo", lambda c: c.update(regoins=c.pop("regions")), [("regions", None, None)],
           fmt="xlsx", words=["regoins"]),
    Broken("column name typo", lambda c: c.update(regions=c["regions"].rename(columns={"rack_capex": "rack_capx"})),
           [("regions", 1, "rack_capex")], words=["rack_capx"]),
    Broken("n/a in a number column", setc("regions", 2, "pue", "n/a"), [C("regions", 2, "pue")], words=["not a number"]),
    Broken("dash in a number column", setc("regions", 3, "grid_price", "-"), [C("regions", 3, "grid_price")], fmt="xlsx",
           words=["blank"]),
    Broken("thousands separator", setc("regions", 2, "rack_capex", "1,000"), [C("regions", 2, "rack_capex")],
           words=["thousands separator"]),
    Broken("number stored as text", setc("regions", 2, "rack_capex", "100"), [C("regions", 2, "rack_capex")], fmt="xlsx",
           words=["stored as text"]),
    Broken("TRUE in a number cell", setc("regions", 2, "pue", True), [C("regions", 2, "pue")], fmt="xlsx"),
    Broken("blank required cell", setc("regions", 3, "lat", None), [C("regions", 3, "lat")], fmt="xlsx",
           words=["required"]),
    Broken("negative cost", setc("regions", 2, "rack_capex", -5), [C("regions", 2, "rack_capex")], words=[">= 0"]),
    Broken("pue below one", setc("regions", 3, "pue", 0.9), [C("regions", 3, "pue")], words=[">= 1"]),
    Broken("efficiency above one", setc("corridors", 2, "efficiency", 1.2), [C("corridors", 2, "efficiency")]),
    Broken("efficiency zero", setc("corridors", 2, "efficiency", 0), [C("corridors", 2, "efficiency")], words=["> 0"]),
    Broken("loss of one or more", setc("corridors", 2, "hvdc_loss", 1.0), [C("corridors", 2, "hvdc_loss")], words=["< 1"]),
    Broken("share above one", setting("min_utilization", 1.5), [("settings", None, "min_utilization")], words=["<= 1"]),
    Broken("year step zero", setting("year_step", 0), [("settings", None, "year_step")], words=[">= 1"]),
    Broken("unknown setting", setting("discount_rat", 0.05), [("settings", None, "key")], words=["discount_rate"]),
    Broken("start after end", setting("start_year", 2030), [("settings", None, "start_year")], words=["after end_year"]),
    Broken("region id in the wrong case", setc("demand", 2, "region", "A"), [C("demand", 2, "region")],
           words=["did you mean 'a'"]),
    Broken("unknown workload", setc("demand", 2, "workload", "training"), [C("demand", 2, "workload")],
           words=["unknown workload"]),
    Broken("duplicate region", setc("regions", 3, "region", "a"), [C("regions", 3, "region")], words=["duplicate"]),
    Broken("corridor both ways", append("corridors", {"from": "b", "to": "a", "latency_ms": 5}),
           [C("corridors", 3, "from")], words=["other direction"]),
    Broken("corridor to itself", setc("corridors", 2, "to", "a"), [C("corridors", 2, "to")], words=["same region"]),
    Broken("demand year out of range", setc("demand", 2, "year", 20226), [C("demand", 2, "year")], words=["<= 2200"]),
    Broken("demand year not whole", setc("demand", 2, "year", 2026.5), [C("demand", 2, "year")], words=["whole year"]),
    Broken("date in a year cell", setc("planned_builds", 2, "year", dt.datetime(2027, 1, 1)),
           [C("planned_builds", 2, "year")], fmt="xlsx"),
    Broken("planned build above the build rate", both(setc("regions", 3, "max_build_per_year", 0.5)),
           [C("planned_builds", 2, "racks")], words=["max_build_per_year"]),
    Broken("planned min above max", append("planned_builds", dict(region="b", year=2027, racks=0.5, kind="max")),
           [C("planned_builds", 2, "racks")], words=["at most"]),
    Broken("planned build above max_racks", setc("regions", 3, "max_racks", 0.5), [C("planned_builds", 2, "racks")],
           words=["max_racks"]),
    Broken("kind misspelt", setc("planned_builds", 2, "kind", "mni"), [C("planned_builds", 2, "kind")],
           words=["did you mean 'min'"]),
    Broken("green power without a price", setc("regions", 3, "green_price", None), [C("regions", 3, "green_price")],
           words=["green_price is required"]),
    Broken("region_years green power without a price",
           both(setc("regions", 3, "green_price", 5), lambda c: c.update(region_years=pd.DataFrame(
               [dict(region="a", year=2027, green_mw=5)]))), [C("region_years", 2, "green_price")], words=["green_price"]),
    Broken("policy zone unknown", setc("policies", 2, "zone", "north"), [C("policies", 2, "zone")], words=["unknown zone"]),
    Broken("zone share without a zone", append("policies", dict(policy="min_zone_capacity_share", year=2026, value=0.1)),
           [C("policies", 3, "zone")], words=["needs a zone"]),
    Broken("green share above one", setc("policies", 2, "value", 1.5), [C("policies", 2, "value")], words=["at most 1"]),
    Broken("number beyond any sensible size", setc("regions", 2, "rack_capex", 1e308), [C("regions", 2, "rack_capex")],
           fmt="xlsx", words=["beyond any sensible value"]),
    Broken("huge number in a CSV", setc("demand", 2, "ttok_per_day", "1e300"), [C("demand", 2, "ttok_per_day")],
           words=["beyond any sensible value"]),
    Broken("decimal comma", setc("regions", 2, "pue", "1,25"), [C("regions", 2, "pue")],
           words=["decimal comma", "1.25"]),
    Broken("CSV separated by semicolons", None, [("regions.csv", None, None)],
           raw=csv_in("case", "regions.csv", b"region;lat;lon;pue;rack_capex;grid_price\na;0;0;1;100;10\n"),
           words=["semicolons"]),
    Broken("formula without a saved value", None, [("regions", 2, "pue")], fmt="xlsx",
           words=["formula without a saved value", "=1+1"],
           xlsx_hook=lambda book, ws: ws["regions"].write_formula(1, 3, "=1+1", None, "")),
    Broken("cell showing an error value", None, [("regions", 3, "rack_capex")], fmt="xlsx", words=["#DIV/0!"],
           xlsx_hook=lambda book, ws: ws["regions"].write_formula(2, 4, "=1/0", None, "#DIV/0!")),
    Broken("cell showing #N/A", None, [("demand", 2, "ttok_per_day")], fmt="xlsx", words=["#N/A"],
           xlsx_hook=lambda book, ws: ws["demand"].write_formula(1, 3, "=NA()", None, "#N/A")),
    Broken("column twice in the header", lambda c: c.update(workloads=c["workloads"].assign(extra=1).rename(
        columns={"extra": "gbps_per_ttok"})), [("workloads", None, "gbps_per_ttok")], fmt="xlsx", words=["twice", "D1"]),
    Broken("merged header cells", None, [("regions", 1, None)], fmt="xlsx", words=["merged header"],
           xlsx_hook=lambda book, ws: ws["regions"].merge_range("A1:B1", "region")),
    Broken("empty sheet", lambda c: c.update(workloads=pd.DataFrame()), [("workloads", None, None)], fmt="xlsx",
           words=["empty"]),
    Broken("several mistakes at once", both(setc("regions", 2, "pue", "x"), setc("demand", 2, "region", "zz"),
                                            setc("corridors", 2, "efficiency", 2)),
           [C("regions", 2, "pue"), C("demand", 2, "region"), C("corridors", 2, "efficiency")]),
    Broken("damaged workbook", None, [("case.xlsx", None, None)], raw=raw_bytes("case.xlsx", b"PK\x03\x04 not really"),
           words=["damaged"]),
    Broken("password-protected workbook", None, [("case.xlsx", None, None)],
           raw=raw_bytes("case.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), words=["password"]),
    Broken("old .xls workbook", None, [("case.xls", None, None)], raw=raw_bytes("case.xls", b"\xd0\xcf\x11\xe0"),
           words=[".xls"]),
    Broken("empty file", None, [("case.xlsx", None, None)], raw=raw_bytes("case.xlsx", b""), words=["empty"]),
    Broken("text file named .xlsx", None, [("case.xlsx", None, None)], raw=raw_bytes("case.xlsx", b"region,lat\n"),
           words=["not a readable"]),
    Broken("CSV not in UTF-8", None, [("regions.csv", None, None)],
           raw=csv_in("case", "regions.csv", "region,name\nb,Bäijing\n".encode("latin-1")), words=["UTF-8"]),
    Broken("one CSV instead of a folder", None, [("case.csv", None, None)], raw=raw_bytes("case.csv", b"a,b\n"),
           words=["folder"]),
]


def _write_case(b: Broken, folder: Path) -> Path:
    if b.raw is not None:
        return b.raw(folder)
    case = valid()
    if b.edit:
        b.edit(case)
    if b.fmt == "csv":
        return write_sheets(case, folder / "case")
    path = write_sheets(case, folder / "case.xlsx")
    if b.xlsx_hook:
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path))
        sheets_by_name = {}
        for name, df in case.items():
            ws = book.add_worksheet(name)
            sheets_by_name[name] = ws
            ws.write_row(0, 0, list(df.columns))
            for i, row in enumerate(df.itertuples(index=False), start=1):
                ws.write_row(i, 0, [None if pd.isna(v) else v for v in row])
        b.xlsx_hook(book, sheets_by_name)
        book.close()
    if b.name == "date in a year cell":
        import xlsxwriter

        # rewrite with a real date cell (number format), as Excel stores dates
        book = xlsxwriter.Workbook(str(path))
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        for name, df in case.items():
            ws = book.add_worksheet(name)
            ws.write_row(0, 0, list(df.columns))
            for i, row in enumerate(df.itertuples(index=False), start=1):
                for j, v in enumerate(row):
                    if isinstance(v, dt.datetime):
                        ws.write_datetime(i, j, v, date)
                    elif not (isinstance(v, float) and pd.isna(v)) and v is not None:
                        ws.write(i, j, v)
        book.close()
    return path


def _expected_cell(b: Broken, sheet: str, row, column) -> str | None:
    if row is None or column is None:
        return None
    case = valid()
    if b.edit:
        b.edit(case)
    if sheet not in case or column not in case[sheet].columns:
        return None
    return cell(case, sheet, row, column)


def test_there_are_at_least_thirty():
    assert len(BROKEN) >= 30


@pytest.mark.parametrize("b", BROKEN, ids=[b.name for b in BROKEN])
def test_broken_case(tmp_path, monkeypatch, b: Broken):
    monkeypatch.setenv("COLUMNS", "250")
    path = _write_case(b, tmp_path / "in" if b.raw is None else _mk(tmp_path / "in"))
    out = tmp_path / "out"
    earlier = out / "case"
    earlier.mkdir(parents=True)
    (earlier / "run.json").write_text('{"from": "an earlier run"}')
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    text = result.output
    assert result.exit_code == 2, text
    assert "Traceback" not in text and result.exception is None or isinstance(result.exception, SystemExit)
    for sheet, row, column in b.expect:
        assert sheet in text, f"sheet {sheet} not named:\n{text}"
        where = _expected_cell(b, sheet, row, column)
        if where:
            assert where in text, f"cell {where} not named:\n{text}"
        elif row is not None and column is None:
            assert f"row {row}" in text or f"{row}" in text
        if column:
            assert column in text, f"column {column} not named:\n{text}"
    for words in b.words:
        assert words in text, f"{words!r} not said:\n{text}"
    assert sorted(p.name for p in out.iterdir()) == ["case"]
    assert (earlier / "run.json").read_text() == '{"from": "an earlier run"}'


def _mk(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
