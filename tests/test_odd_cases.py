"""Legal input never crashes, however odd: every table, chart, summary and export copes with
empty data, and what the tables say is still right (issue 11)."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from rich.console import Console

from builder import region, sheets, write
from planner.console import print_outcome
from planner.run import run_case

ONE = [dict(region="a", workload="w", year=2026, ttok_per_day=1)]


def odd_cases():
    two = [region("a"), region("b", lon=1.0, rack_capex=50.0)]
    corridor = [{"from": "a", "to": "b", "optical_existing_tbps": 0, "hvdc_max_gw": 0, "optical_capex": 1.0}]
    return {
        # issue 15: a demand sheet with a header and no rows is an error (test below); no demand
        # at all stays legal as rows of zeros
        "all_demand_zero": sheets(two, [dict(region="a", workload="w", year=2026, ttok_per_day=0),
                                        dict(region="b", workload="w", year=2026, ttok_per_day=0)], corridors=corridor),
        # 1 ttok/day unserved costs 365e6 x 1e-12 a year, far below a rack: nothing is served
        "serves_nothing": sheets([region("a")], ONE, settings={"unserved_penalty": 1e-12}),
        "unicode_names": sheets([dict(region("北京", zone="东部"), name="北京市"), region("甘肃", lon=1.0, zone="西部")],
                                [dict(region="北京", workload="推理", year=2026, ttok_per_day=1)],
                                workloads=[dict(workload="推理", mwh_per_ttok=24.0)],
                                corridors=[{"from": "北京", "to": "甘肃", "optical_capex": 1.0, "hvdc_max_gw": 0}]),
        "existing_racks_only": sheets([region("a", existing_racks=5, max_build_per_year=0)], ONE),
        "many_years_one_region": sheets([region("a")], ONE, settings={"end_year": 2060, "year_step": 7}),
        "no_green_no_corridors": sheets([region("a"), region("b", lon=3.0)],
                                        [dict(region="b", workload="w", year=2026, ttok_per_day=2)]),
    }


@pytest.mark.parametrize("name", sorted(odd_cases()))
def test_odd_legal_case_runs_end_to_end(tmp_path, name):
    path = write(odd_cases()[name], tmp_path / "in")
    outcome = run_case(path, tmp_path / "out")
    assert outcome.exit_code == 0, outcome.message
    buffer = io.StringIO()
    print_outcome(Console(file=buffer, width=80), outcome)
    assert "optimal" in buffer.getvalue()
    folder = outcome.folder
    assert json.loads((folder / "run.json").read_text())["status"] == "optimal"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<html" in page
    for table in ("summary", "costs", "capacity", "serving", "network", "energy", "unserved", "prices", "risks"):
        pd.read_csv(folder / f"{table}.csv")   # every table opens, even with no rows


def test_an_optimum_that_serves_nothing_says_so(tmp_path):
    """Penalty 1e-12 per million tokens: leaving 1 ttok/day unserved for a year costs
    365e6 x 1e-12 = 3.65e-4, a rack 100: the optimum builds nothing and serves nothing."""
    outcome = run_case(write(odd_cases()["serves_nothing"], tmp_path / "in"), tmp_path / "out")
    summary = outcome.results.summary().set_index("item")["value"]
    assert float(summary["demand_served_share"]) == 0.0
    assert float(summary["racks_built"]) == 0.0
    assert float(summary["objective"]) == pytest.approx(365e6 * 1e-12, rel=1e-6)
    page = (outcome.folder / "report.html").read_text(encoding="utf-8")
    assert "nothing to show" in page.lower()


def test_a_demand_sheet_without_rows_is_refused(tmp_path):
    case = sheets([region("a")], ONE)
    case["demand"] = pd.DataFrame(columns=["region", "workload", "year", "ttok_per_day"])
    outcome = run_case(write(case, tmp_path / "in"), tmp_path / "out")
    assert outcome.exit_code == 2 and not (tmp_path / "out").exists()
    assert any(p.sheet == "demand" and p.is_error and "no rows" in p.message for p in outcome.problems)


def test_no_demand_costs_nothing_and_reports_full_service(tmp_path):
    outcome = run_case(write(odd_cases()["all_demand_zero"], tmp_path / "in"), tmp_path / "out")
    summary = outcome.results.summary().set_index("item")["value"]
    assert float(summary["objective"]) == 0.0
    assert float(summary["demand_served_share"]) == 1.0   # nothing asked, nothing missing


def test_futures_where_one_has_no_demand_run_and_compare(tmp_path):
    """A future that scales demand to zero: every command that reads the run copes."""
    from typer.testing import CliRunner

    from planner.cli import app

    case = write(sheets([region("a"), region("b", lon=1.0)], ONE), tmp_path / "in")
    scenario = tmp_path / "futures.yaml"
    scenario.write_text(f"name: zero_future\ninputs: {case}\nfutures:\n"
                        "  none: {probability: 0.5, changes: [{scale: {sheet: demand, column: ttok_per_day, by: 0}}]}\n"
                        "  base: {probability: 0.5}\n", encoding="utf-8")
    out = tmp_path / "out"
    cli = CliRunner()
    for args in (["run", scenario], ["regret", scenario], ["stress", out / "zero_future", scenario],
                 ["compare", out / "zero_future", out / "zero_future", "--out", out / "c.xlsx"],
                 ["report", out / "zero_future", out / "zero_future", "--out", out / "c.html"]):
        result = cli.invoke(app, [str(a) for a in args] + ([] if args[0] in ("compare", "report") else ["--out", str(out)]),
                            env={"COLUMNS": "80"})
        assert result.exit_code == 0, (args[0], result.output)
    futures = pd.read_csv(out / "zero_future" / "futures.csv").set_index("future")
    assert futures.loc["none", "demand_served_share"] == 1.0   # nothing asked
    assert futures.loc["none", "second_stage_cost"] == 0.0
