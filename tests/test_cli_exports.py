"""The command line and the results folder (SPEC sections 5 and 6)."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from builder import region, sheets, write
from planner.results import export
from planner.cli import app
from planner.results.tables import TABLES
from planner.case.writing import write_sheets
from planner.run import run_case

EXAMPLE_CASE = Path(__file__).resolve().parent.parent / "inputs" / "example"

RUN_KEYS = {"scenario", "status", "objective", "costs", "inputs_sha256", "timings", "versions"}
COSTS = {"rack_capex", "rack_fom", "optical", "hvdc", "energy", "unserved"}


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def run(*args):
    return CliRunner().invoke(app, ["run", *map(str, args)])


def discount_case():
    """From test_hand_cases: one rack, 10-year life, 10 %, periods 2026 and 2028 of two years."""
    return sheets([region("a", rack_capex=1000, grid_price=1)],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=1)],
                  settings={"end_year": 2029, "year_step": 2, "discount_rate": 0.1, "rack_life": 10})


def test_default_run_writes_the_contract(tmp_path):
    result = run("--out", tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "base"  # the default is the bundled base scenario
    meta = json.loads((folder / "run.json").read_text())
    # the national case has servers (SPEC 7.1): their two components join the contract's six
    assert RUN_KEYS <= meta.keys() and COSTS | {"server_capex", "server_fom"} == meta["costs"].keys()
    assert {"read", "build", "solve", "export"} <= meta["timings"].keys()   # the contract's four
    stages = ("read", "check", "build", "handoff", "highs", "analysis", "extract", "export")
    assert set(stages) <= meta["timings"].keys() and set(stages) <= meta["memory_mb"].keys()
    assert meta["timings"]["solve"] >= meta["timings"]["highs"] > 0
    peaks = [meta["memory_mb"][s] for s in stages]
    assert peaks == sorted(peaks) and peaks[0] > 0   # a running peak: never falls
    assert meta["status"] == "optimal"
    assert sum(meta["costs"].values()) == pytest.approx(meta["objective"], rel=1e-9)
    for table in TABLES:
        assert (folder / f"{table}.csv").is_file()
    book = openpyxl.load_workbook(folder / "results.xlsx")
    assert set(TABLES) <= set(book.sheetnames)
    for word in ("optimal", "Total discounted cost", "New racks per year by zone", "Report:"):
        assert word in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_objective_in_run_json_is_the_true_optimum(tmp_path):
    """1000 x CRF(10 %, 10) x (DW_2026 + DW_2028) + 8760 x (DW_2026 + DW_2028) = 31,112.29."""
    dw = (1 + 1 / 1.1) + (1 / 1.1**2 + 1 / 1.1**3)
    expected = 1000 * 0.1 / (1 - 1.1**-10) * dw + 8760 * dw
    path = write(discount_case(), tmp_path / "in")
    assert run(path, "--out", tmp_path / "out").exit_code == 0
    meta = json.loads((tmp_path / "out" / "case" / "run.json").read_text())
    assert meta["objective"] == pytest.approx(expected, rel=1e-9)
    costs = pd.read_csv(tmp_path / "out" / "case" / "costs.csv")
    assert costs["discounted_cost"].sum() == pytest.approx(expected, rel=1e-9)


def test_csv_and_workbook_give_the_same_results(tmp_path):
    csv_path = write_sheets(discount_case(), tmp_path / "as_csv")
    xlsx_path = write_sheets(discount_case(), tmp_path / "as_xlsx.xlsx")
    assert run(csv_path, xlsx_path, "--out", tmp_path / "out").exit_code == 0
    a, b = (json.loads((tmp_path / "out" / n / "run.json").read_text()) for n in ("as_csv", "as_xlsx"))
    assert a["objective"] == pytest.approx(b["objective"], rel=1e-12)
    for table in TABLES:
        if table == "summary":
            continue
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "as_csv" / f"{table}.csv"),
                                      pd.read_csv(tmp_path / "out" / "as_xlsx" / f"{table}.csv"))


def test_failed_export_leaves_earlier_results_whole(tmp_path, monkeypatch):
    path = write(discount_case(), tmp_path / "in")
    out = tmp_path / "out"
    assert run(path, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "case").iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_workbook", broken)
    result = run(path, "--out", out)
    assert result.exit_code != 0
    after = {p.name: p.read_bytes() for p in (out / "case").iterdir()}
    assert after == before
    assert [p.name for p in out.iterdir()] == ["case"]


def test_rerun_replaces_results(tmp_path):
    path = write(discount_case(), tmp_path / "in")
    out = tmp_path / "out"
    assert run(path, "--out", out).exit_code == 0
    (out / "case" / "stale.txt").write_text("from an earlier run")
    assert run(path, "--out", out).exit_code == 0
    assert not (out / "case" / "stale.txt").exists()
    assert [p.name for p in out.iterdir()] == ["case"]


def test_infeasible_policy_exits_1_and_writes_nothing(tmp_path):
    """East has 10 racks standing; west must hold half of all racks but may hold none."""
    case = sheets([region("e", zone="east", existing_racks=10), region("w", lon=1, zone="west", max_racks=0)],
                  [dict(region="e", workload="w", year=2026, ttok_per_day=1)],
                  policies=[dict(policy="min_zone_capacity_share", year=2026, value=0.5, zone="west")])
    path = write(case, tmp_path / "in")
    result = run(path, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "infeasible" in result.output and "min_zone_capacity_share" in result.output
    assert not (tmp_path / "out" / "case").exists()


def test_results_workbook_is_formatted(tmp_path):
    """Names in row 1 and data from row 2 (issue 15: a units row made pandas read every column as
    text), units in the header notes and the units sheet, autofilter, print to the page width."""
    path = write(discount_case(), tmp_path / "in")
    assert run(path, "--out", tmp_path / "out").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "case" / "results.xlsx")
    cap = book["capacity"]
    assert cap.freeze_panes == "A2"  # the names stay in view
    header = [c.value for c in cap[1]]
    assert header[:3] == ["region", "zone", "year"]
    assert cap.auto_filter.ref and cap.auto_filter.ref.startswith("A1")
    assert cap.print_title_rows == "$1:$1" and cap.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (the default of fitToWidth, so unwritten), as many pages down as needed
    assert cap.page_setup.fitToWidth in (None, 1) and int(cap.page_setup.fitToHeight) == 0
    col = header.index("utilization") + 1
    assert cap.cell(row=2, column=col).number_format == "0.0%"
    assert "racks" in cap.cell(row=1, column=header.index("racks_in_service") + 1).comment.text
    units = pd.read_excel(tmp_path / "out" / "case" / "results.xlsx", sheet_name="units")
    by = units.set_index(["table", "column"])["unit"]
    assert by[("capacity", "racks_in_service")] == "racks" and by[("costs", "cost")] == "USD/year"
    assert cap.column_dimensions["A"].width >= len("region")


def test_pandas_reads_every_workbook_sheet_as_numbers(tmp_path):
    """pd.read_excel(path, sheet_name=None) with no arguments gives numeric columns (issue 15)."""
    outcome = run_case(EXAMPLE_CASE, tmp_path / "out")
    sheets = pd.read_excel(outcome.folder / "results.xlsx", sheet_name=None)
    for name, df in sheets.items():
        csv = outcome.folder / f"{name}.csv"
        if not csv.is_file():
            continue
        ours = pd.read_csv(csv)
        for col in ours.columns:
            if pd.api.types.is_numeric_dtype(ours[col]) and ours[col].notna().any():
                assert pd.api.types.is_numeric_dtype(df[col]), (name, col, df[col].dtype)
    summary = openpyxl.load_workbook(outcome.folder / "results.xlsx")["summary"]
    formats = {row[0].value: row[1].number_format for row in summary.iter_rows(min_row=2)}
    assert "bn USD" in formats["objective"] and formats["demand_served_share"] == "0.0%"
    assert formats["racks_built"] == "#,##0"


def test_the_workbook_holds_pivots_of_the_plan(tmp_path):
    """Racks in service region x year with zone subtotals; HVDC and optical by corridor, only
    corridors that carry something."""
    outcome = run_case(EXAMPLE_CASE, tmp_path / "out")
    sheets = pd.read_excel(outcome.folder / "results.xlsx", sheet_name=None)
    racks = sheets["racks_by_region"].set_index("region")
    cap = outcome.results.capacity()
    first = str(cap["year"].min())
    east = cap[(cap["zone"] == "east") & (cap["year"] == cap["year"].min())]["racks_in_service"].sum()
    assert racks.at["east (subtotal)", first] == pytest.approx(east)
    assert racks.at["all regions", first] == pytest.approx(cap[cap["year"] == cap["year"].min()]["racks_in_service"].sum())
    net = outcome.results.network()
    used = net[(net["hvdc_forward_mw"] + net["hvdc_reverse_mw"]) > 1e-9][["from", "to"]].drop_duplicates()
    assert len(sheets["hvdc_by_corridor"]) == len(used)


def test_parquet_output_for_analysts(tmp_path):
    path = write(discount_case(), tmp_path / "in")
    assert run(path, "--out", tmp_path / "out", "--parquet").exit_code == 0
    folder = tmp_path / "out" / "case"
    for table in TABLES:
        frame = pd.read_parquet(folder / f"{table}.parquet")
        assert list(frame.columns) == list(pd.read_csv(folder / f"{table}.csv").columns)
    assert pd.read_parquet(folder / "capacity.parquet")["racks_in_service"].dtype == float


def test_several_cases_each_get_a_folder(tmp_path):
    a = write_sheets(discount_case(), tmp_path / "one")
    b = write_sheets(discount_case(), tmp_path / "two.xlsx")
    result = run(a, b, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["one", "two"]


def test_a_defect_in_one_case_does_not_stop_the_others(tmp_path, monkeypatch):
    """Each case of `planner run a b c` ends with its own status line; the command ends with a
    summary of all of them and the worst status."""
    import planner.run as run_module

    paths = [write(discount_case(), tmp_path / name) for name in ("a", "b", "c")]
    real = run_module.prepare

    def fails_for_b(case, futures=None):
        if "b" in str(case.path.parent.name):
            raise RuntimeError("a defect in b")
        return real(case, futures)

    monkeypatch.setattr(run_module, "prepare", fails_for_b)
    names = ["case_a", "case_b", "case_c"]
    scenarios = []
    for name, path in zip(names, paths):
        f = tmp_path / f"{name}.yaml"
        f.write_text(f"name: {name}\ninputs: {path}\n")
        scenarios.append(f)
    result = run(*scenarios, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out" / "case_a" / "run.json").is_file() and (tmp_path / "out" / "case_c" / "run.json").is_file()
    assert not (tmp_path / "out" / "case_b").exists()
    assert "a defect in b" in result.output and "3 cases" in result.output
    summary = result.output[result.output.index("3 cases"):]
    for name in names:
        assert name in summary


def test_nothing_but_the_planners_own_output_reaches_the_terminal(tmp_path):
    """HiGHS prints its banner when the first Highs object is made, whatever the options: not here."""
    import subprocess
    import sys

    path = write(discount_case(), tmp_path / "in")
    result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "run", str(path),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for word in ("Running HiGHS", "Copyright", "licence", "THIRD_PARTY"):
        assert word not in result.stdout + result.stderr
    log = (tmp_path / "out" / "case" / "solver.log").read_text()
    assert "Solving" in log or "Optimal" in log or "optimal" in log
    shown = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "run", str(path),
                            "--out", str(tmp_path / "out2"), "--solver-log"], capture_output=True, text=True)
    assert shown.returncode == 0 and ("Optimal" in shown.stdout or "optimal" in shown.stdout.lower())


def test_ci_runs_exactly_the_readme_test_command():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    command = next(line.strip() for line in readme.splitlines() if line.strip().startswith("apt-get update"))
    assert command in (root / ".ci" / "run").read_text()
    assert "-c requirements/known-good.txt" in command


def test_the_pinned_releases_are_inside_the_supported_ranges():
    """requirements/known-good.txt (what CI installs) must satisfy pyproject.toml's ranges."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    pins = {}
    for line in (root / "requirements" / "known-good.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for text in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(text)
        assert canonicalize_name(req.name) in pins, f"{req.name} is not pinned"
        assert req.specifier.contains(pins[canonicalize_name(req.name)]), f"{req.name} {pins[canonicalize_name(req.name)]} not in {req.specifier}"
