"""Scenarios, futures, stress tests, regret and sweeps, on cases worked out by hand.

As in tests/builder.py: one year (2026), no discounting, one-year lives (annuity = capex),
1 rack = 1 MW of IT = 1 trillion tokens/day of workload w, 8760 hours. An unserved trillion
tokens/day for a year costs 365e6 x unserved_penalty (1 USD per million tokens): 365 M.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from builder import region, sheets, write
from planner.case.validated import load_case
from planner.cli import app
from planner.analysis.plans import Plan
from planner.optimise.prepare import prepare
from planner.case.problems import InputError
from planner.analysis.robustness import regret, stress
from planner.run import run_case
from planner.case.scenario import load_scenario
from planner.analysis.stochastic import select_future, solve_plan, value_of_information
from planner.results.store import headline, load_run
from planner.analysis.sweep import local_executor, run_sweep, variants

H = 8760
UNSERVED_MW_YEAR = 365e6
ROOT = Path(__file__).resolve().parent.parent


def scenario_file(folder: Path, spec: dict) -> Path:
    path = folder / f"{spec['name']}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_changes_with_where_are_applied_in_order(tmp_path):
    """Base: a (east) 10 ttok/day, b (west) 5; both racks 100 and grid 10/MWh.
    Changes: demand of a x2 (where region a); west grid price set to 5; then demand of a from
    2027 on x3 (a comparison in where; 2027 is outside this one-year horizon, so nothing moves).
    Cost: a 20 x (100 + 8760 x 10) = 1,754,000; b 5 x (100 + 8760 x 5) = 219,500. Total 1,973,500."""
    case = write(sheets([region("a", zone="east"), region("b", lon=1, zone="west")],
                        [dict(region="a", workload="w", year=2026, ttok_per_day=10),
                         dict(region="b", workload="w", year=2026, ttok_per_day=5)]), tmp_path)
    path = scenario_file(tmp_path, {"name": "changed", "inputs": str(case), "changes": [
        {"scale": {"sheet": "demand", "column": "ttok_per_day", "by": 2, "where": {"region": "a"}}},
        {"set": {"sheet": "regions", "column": "grid_price", "value": 5, "where": {"zone": "west"}}},
        {"scale": {"sheet": "demand", "column": "ttok_per_day", "by": 3, "where": {"year": {">=": 2027}}}},
    ]})
    sc = load_scenario(path)
    assert sc.name == "changed"
    assert dict(zip(sc.case.demand["region"], sc.case.demand["ttok_per_day"])) == {"a": 20.0, "b": 5.0}
    assert sc.case.regions["grid_price"].to_dict() == {"a": 10.0, "b": 5.0}
    outcome = run_case(path, tmp_path / "out")
    assert outcome.exit_code == 0 and outcome.folder.name == "changed"
    assert outcome.results.summary().set_index("item").at["objective", "value"] == pytest.approx(1_973_500)


def _yearly_demand_case(tmp_path: Path) -> Path:
    """Region a, workloads w and v, 2026-2029: w doubles every year (10, 20, 40, 80); v is flat."""
    years = [2026, 2027, 2028, 2029]
    demand = [dict(region="a", workload="w", year=y, ttok_per_day=10 * 2 ** i) for i, y in enumerate(years)]
    demand += [dict(region="a", workload="v", year=y, ttok_per_day=5) for y in years]
    workloads = [dict(workload="w", max_latency_ms=100, mwh_per_ttok=24, gbps_per_ttok=1),
                 dict(workload="v", max_latency_ms=100, mwh_per_ttok=24, gbps_per_ttok=1)]
    return write(sheets([region("a")], demand, workloads=workloads, settings={"end_year": 2029}), tmp_path)


def test_growth_change_makes_demand_grow_half_as_fast(tmp_path):
    """w grows 100 % a year; growth x0.5 makes it 50 %: 10, 15, 22.5, 33.75. v (0 % growth) and
    the first year stay as they are."""
    case = _yearly_demand_case(tmp_path)
    path = scenario_file(tmp_path, {"name": "slow", "inputs": str(case), "changes": [
        {"growth": {"sheet": "demand", "column": "ttok_per_day", "by": 0.5}}]})
    d = load_scenario(path).case.demand.set_index(["workload", "year"])["ttok_per_day"]
    assert [d[("w", y)] for y in (2026, 2027, 2028, 2029)] == pytest.approx([10, 15, 22.5, 33.75])
    assert [d[("v", y)] for y in (2026, 2027, 2028, 2029)] == pytest.approx([5, 5, 5, 5])


def test_scale_by_year_is_interpolated_and_flat_outside(tmp_path):
    """by {2027: 1.0, 2029: 0.5}: 2026 takes 1.0 (flat before), 2028 halfway 0.75, 2029 0.5."""
    case = _yearly_demand_case(tmp_path)
    path = scenario_file(tmp_path, {"name": "ramp", "inputs": str(case), "changes": [
        {"scale": {"sheet": "demand", "column": "ttok_per_day", "by": {2027: 1.0, 2029: 0.5},
                   "where": {"workload": "w"}}}]})
    d = load_scenario(path).case.demand.set_index(["workload", "year"])["ttok_per_day"]
    assert [d[("w", y)] for y in (2026, 2027, 2028, 2029)] == pytest.approx([10, 20, 30, 40])
    assert d[("v", 2029)] == 5


def test_growth_and_yearly_factors_refused_where_they_mean_nothing(tmp_path):
    case = _yearly_demand_case(tmp_path)
    path = scenario_file(tmp_path, {"name": "bad", "inputs": str(case), "changes": [
        {"growth": {"sheet": "regions", "column": "grid_price", "by": 0.5}},
        {"scale": {"sheet": "settings", "key": "discount_rate", "by": {2027: 0.5}}},
        {"growth": {"sheet": "demand", "column": "ttok_per_day", "by": -1}}]})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    # a bad number is a schema error: reported before the changes are applied
    assert {p.column for p in err.value.problems} == {"changes[2].growth.by"}
    path = scenario_file(tmp_path, {"name": "bad2", "inputs": str(case), "changes": [
        {"growth": {"sheet": "regions", "column": "grid_price", "by": 0.5}},
        {"scale": {"sheet": "settings", "key": "discount_rate", "by": {2027: 0.5}}}]})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    places = {p.column for p in err.value.problems}
    assert {"changes[0].growth.sheet", "changes[1].scale.by"} <= places


def test_bad_scenario_names_each_problem_by_its_path(tmp_path):
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)]), tmp_path)
    path = scenario_file(tmp_path, {"name": "bad", "inputs": str(case), "descripton": "typo", "changes": [
        {"scale": {"sheet": "demand", "column": "ttok_per_day", "by": "lots"}},
        {"set": {"sheet": "regions", "column": "pue", "value": 1.1}, "scale": {"sheet": "demand", "by": 1}}],
        "futures": {"low": {"probability": 0.3}, "high": {"probability": 0.6}}})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    where = {p.column: p.message for p in err.value.problems}
    assert "descripton" in where and "did you mean 'description'" in where["descripton"]
    assert "changes[0].scale.by" in where
    assert "changes[1]" in where and "exactly one" in where["changes[1]"]
    assert "futures" in where and "sum to 1" in where["futures"]


def test_semantic_problems_in_a_scenario(tmp_path):
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)]), tmp_path)
    path = scenario_file(tmp_path, {"name": "bad", "inputs": str(case), "changes": [
        {"set": {"sheet": "regoins", "column": "pue", "value": 1.1}},
        {"scale": {"sheet": "regions", "column": "pue", "by": 0.5}},
        {"add": {"sheet": "planned_builds", "rows": [{"region": "mars", "year": 2026, "racks": 1, "kind": "min"}]}}]})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    where = {p.column: p.message for p in err.value.problems}
    assert "did you mean 'regions'" in where["changes[0].set.sheet"]
    assert ">= 1" in where["changes[1].scale.by"]
    assert "unknown region 'mars'" in where["changes[2].add.rows[0].region"]
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "changes[2].add.rows[0].region" in result.output
    assert not (tmp_path / "out" / "bad").exists()


def test_a_future_may_not_change_the_build_options(tmp_path):
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)]), tmp_path)
    path = scenario_file(tmp_path, {"name": "bad", "inputs": str(case), "futures": {
        "cheap": {"probability": 1.0, "changes": [{"set": {"sheet": "regions", "column": "rack_capex", "value": 1}}]}}})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert any(p.column == "futures.cheap.changes[0].set" for p in err.value.problems)


def hedge_case(tmp_path: Path) -> Path:
    """a: racks 10,000 a year, power 20/MWh (175,200 per MW-year); b: racks 70,000, power 10/MWh
    (87,600 per MW-year). Users are in b; a serves them over a free corridor. Futures: demand 10
    (low) or 20 (high), each with probability 0.5."""
    case = write(sheets([region("a", rack_capex=10_000, grid_price=20), region("b", lon=1, rack_capex=70_000, grid_price=10)],
                        [dict(region="b", workload="w", year=2026, ttok_per_day=10)],
                        corridors=[{"from": "a", "to": "b", "latency_ms": 1, "optical_capex": 0, "hvdc_max_gw": 0}]),
                 tmp_path)
    return scenario_file(tmp_path, {"name": "hedge", "inputs": str(case), "futures": {
        "low": {"probability": 0.5},
        "high": {"probability": 0.5, "changes": [{"scale": {"sheet": "demand", "column": "ttok_per_day", "by": 2}}]}}})


def hedge_data(tmp_path):
    sc = load_scenario(hedge_case(tmp_path))
    return prepare(sc.case, sc.futures)


def test_stochastic_plan_differs_from_both_deterministic_plans(tmp_path):
    """Known low (10 MW): all in b, cheaper at full use (70,000 + 87,600 < 10,000 + 175,200):
    10 x 157,600 = 1,576,000. Known high (20 MW): 20 in b, 3,152,000.
    Not knowing: the first 10 MW run in both futures -> b; the next 10 run only in the high
    future (half the time): a costs 10,000 + 0.5 x 175,200 = 97,600 < b's 70,000 + 0.5 x 87,600
    = 113,800 -> build them in a. Plan b = 10, a = 10:
      low:  capex 700,000 + 100,000, energy 10 x 87,600 = 876,000           -> 1,676,000
      high: capex 800,000, energy 876,000 + 10 x 175,200 = 1,752,000       -> 3,428,000
      expected 0.5 x (1,676,000 + 3,428,000) = 2,552,000."""
    data = hedge_data(tmp_path)
    plan, cost = solve_plan(data, "stochastic")
    assert cost == pytest.approx(2_552_000, rel=1e-9)
    assert plan.builds["racks_built"] == pytest.approx({("a", 2026): 10.0, ("b", 2026): 10.0})
    low_plan, low_cost = solve_plan(select_future(data, "low"), "low")
    high_plan, high_cost = solve_plan(select_future(data, "high"), "high")
    assert (low_cost, high_cost) == pytest.approx((1_576_000, 3_152_000), rel=1e-9)
    assert low_plan.builds["racks_built"] == pytest.approx({("b", 2026): 10.0})
    assert high_plan.builds["racks_built"] == pytest.approx({("b", 2026): 20.0})


def test_value_of_the_stochastic_solution_and_of_perfect_information(tmp_path):
    """Average future: 15 MW, all in b: 15 x 157,600 = 2,364,000. Lived in the futures:
    low 1,050,000 + 876,000 = 1,926,000; high 1,050,000 + 15 x 87,600 + 5 MW unserved x 365 M
    = 2,364,000 + 1,825,000,000. EEV = 0.5 x (1,926,000 + 1,827,364,000) = 914,645,000;
    VSS = 914,645,000 - 2,552,000 = 912,093,000.
    Perfect information: 0.5 x (1,576,000 + 3,152,000) = 2,364,000; EVPI = 2,552,000 - 2,364,000 = 188,000."""
    data = hedge_data(tmp_path)
    info = value_of_information(data, 2_552_000)
    assert info.average_plan == pytest.approx(2_364_000, rel=1e-9)
    assert info.eev == pytest.approx(914_645_000, rel=1e-9)
    assert info.vss == pytest.approx(912_093_000, rel=1e-9)
    assert info.wait_and_see == pytest.approx(2_364_000, rel=1e-9)
    assert info.evpi == pytest.approx(188_000, rel=1e-6)


def test_the_average_plan_is_lived_on_the_solved_stochastic_lp(tmp_path):
    """The same values when the average plan is lived in the futures on HiGHS's copy of the
    solved stochastic LP (as a run does): EEV 914,645,000, VSS 912,093,000; afterwards that copy
    is as it was (unchanged, it solves to the stochastic optimum, 2,552,000) and so is the model."""
    from planner.models import build_model
    from planner.optimise.solver import objective_value, solve

    data = hedge_data(tmp_path)
    m = build_model(data)
    solution = solve(m, keep_live=True)
    info = value_of_information(data, objective_value(m), live=solution.live, model=m)
    assert info.eev == pytest.approx(914_645_000, rel=1e-9)
    assert info.vss == pytest.approx(912_093_000, rel=1e-9)
    assert info.evpi == pytest.approx(188_000, rel=1e-6)
    assert solution.live.objective_with([]) == pytest.approx(2_552_000, rel=1e-9)
    assert m.racks_built["a", 2026].value == pytest.approx(10.0) and m.racks_built["b", 2026].value == pytest.approx(10.0)


def test_a_plan_fixed_on_the_solved_lp_costs_what_a_fresh_model_says(tmp_path):
    """a (west): racks 10,000, at most 10; power 175,200 per MW-year. b (east): racks 70,000, power
    87,600; users in b need 10 MW; a free corridor. Racks in the west >= 0.5 x all racks, a row on
    the plan only. Optimum: 10 racks in b serve, 10 stand idle in a for the share:
    10 x 10,000 + 10 x 157,600 = 1,676,000 (serving from a costs 17,600 more a MW).
    The plan a = 12 (beyond its limit), b = 30 (below the share) is feasible only once fixing lifts
    the limit and sets the share aside, as fixing a plan does: 120,000 + 2,100,000 capex and
    10 MW served in b, 876,000: 3,096,000, on the live LP as in a model built afresh."""
    from planner.analysis.plans import cost_of_plan_live, evaluate
    from planner.models import build_model
    from planner.optimise.solver import objective_value, solve

    case = write(sheets([region("a", zone="west", max_racks=10, rack_capex=10_000, grid_price=20),
                         region("b", lon=1, zone="east", rack_capex=70_000, grid_price=10)],
                        [dict(region="b", workload="w", year=2026, ttok_per_day=10)],
                        corridors=[{"from": "a", "to": "b", "latency_ms": 1, "optical_capex": 0, "hvdc_max_gw": 0}],
                        policies=[dict(policy="min_zone_capacity_share", year=2026, value=0.5, zone="west")]),
                 tmp_path)
    data = prepare(load_case(case))
    m = build_model(data)
    solution = solve(m, keep_live=True)
    assert objective_value(m) == pytest.approx(1_676_000, rel=1e-9)
    plan = Plan("given", {"racks_built": {("a", 2026): 12.0, ("b", 2026): 30.0}})
    assert cost_of_plan_live(solution.live, m, plan) == pytest.approx(3_096_000, rel=1e-9)
    fresh, fresh_solution = evaluate(data, plan)
    assert fresh_solution.optimal and objective_value(fresh) == pytest.approx(3_096_000, rel=1e-9)
    assert solution.live.objective_with([]) == pytest.approx(1_676_000, rel=1e-9)


def test_scenario_with_futures_reports_per_future_and_stage_costs(tmp_path):
    outcome = run_case(hedge_case(tmp_path), tmp_path / "out")
    assert outcome.exit_code == 0
    futures = outcome.results.futures().set_index("future")
    assert futures["total_cost"].to_dict() == pytest.approx({"low": 1_676_000, "high": 3_428_000})
    assert futures["first_stage_cost"].to_dict() == pytest.approx({"low": 800_000, "high": 800_000})
    summary = outcome.results.summary().set_index("item")["value"]
    assert float(summary["first_stage_cost"]) == pytest.approx(800_000)
    assert float(summary["second_stage_cost"]) == pytest.approx(0.5 * 876_000 + 0.5 * 2_628_000)
    assert float(summary["value_of_stochastic_solution"]) == pytest.approx(912_093_000, rel=1e-9)
    assert (outcome.folder / "futures.csv").is_file()
    serving = pd.read_csv(outcome.folder / "serving.csv")
    assert set(serving["future"]) == {"low", "high"}


def test_regret_table_by_hand(tmp_path):
    """Cost (regret) of each plan in each future; the best costs are 1,576,000 (low), 3,152,000 (high).
      low plan (b 10):        low 1,576,000 (0)        high 700,000 + 876,000 + 10 x 365 M (3,648,424,000)
      high plan (b 20):       low 1,400,000 + 876,000 = 2,276,000 (700,000)   high 3,152,000 (0)
      stochastic (b 10 a 10): low 1,676,000 (100,000)  high 3,428,000 (276,000)
    Worst regrets 3,648,424,000 / 700,000 / 276,000: the stochastic plan is the minimax-regret plan."""
    table = regret(hedge_data(tmp_path))
    cells = table.cells.set_index(["plan", "future"])
    expected = {
        ("low", "low"): (1_576_000, 0), ("low", "high"): (3_651_576_000, 3_648_424_000),
        ("high", "low"): (2_276_000, 700_000), ("high", "high"): (3_152_000, 0),
        ("stochastic", "low"): (1_676_000, 100_000), ("stochastic", "high"): (3_428_000, 276_000),
    }
    for key, (cost, regret_) in expected.items():
        assert cells.loc[key, "cost"] == pytest.approx(cost, rel=1e-9), key
        assert cells.loc[key, "regret"] == pytest.approx(regret_, rel=1e-6, abs=1e-3), key
    plans = table.plans.set_index("plan")
    assert plans["max_regret"].to_dict() == pytest.approx({"low": 3_648_424_000, "high": 700_000, "stochastic": 276_000},
                                                          rel=1e-6)
    assert plans["expected_cost"].to_dict() == pytest.approx(
        {"low": 0.5 * (1_576_000 + 3_651_576_000), "high": 2_714_000, "stochastic": 2_552_000}, rel=1e-9)
    assert table.minimax == "stochastic"


def test_regret_command_names_the_plan_and_writes_a_workbook(tmp_path):
    result = CliRunner().invoke(app, ["regret", str(hedge_case(tmp_path)), "--out", str(tmp_path / "out")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Minimax-regret plan: stochastic" in result.output
    book = pd.read_excel(tmp_path / "out" / "hedge_regret" / "regret.xlsx", sheet_name=None)
    assert {"regret", "plans"} <= set(book)
    assert book["plans"]["plan"].tolist()[-1:] == ["stochastic"] and book["plans"]["expected_cost"].dtype.kind in "if"
    page = (tmp_path / "out" / "hedge_regret" / "report.html").read_text()
    assert "minimax-regret plan: stochastic" in page and "Regret" in page


def test_stress_test_gives_known_idle_racks_and_unserved_demand(tmp_path):
    """Plan b = 10 (made for the low future) lived in: demand 20 -> 10 unserved (half), cost
    700,000 + 876,000 + 10 x 365 M; demand 5 -> 5 of 10 racks idle for the year, cost
    700,000 + 5 x 87,600 = 1,138,000."""
    data = hedge_data(tmp_path)
    plan, _ = solve_plan(select_future(data, "low"), "low")
    base = load_case(Path(load_scenario(hedge_case(tmp_path)).spec.inputs))
    half_case = write(sheets([region("a", rack_capex=10_000, grid_price=20), region("b", lon=1, rack_capex=70_000, grid_price=10)],
                             [dict(region="b", workload="w", year=2026, ttok_per_day=5)],
                             corridors=[{"from": "a", "to": "b", "latency_ms": 1, "optical_capex": 0, "hvdc_max_gw": 0}]),
                      tmp_path / "half")
    high = load_scenario(hedge_case(tmp_path))
    table = stress(plan, [("hedge", high.case, high.futures), ("half", load_case(half_case), None)]).set_index(["scenario", "future"])
    assert table.loc[("hedge", "high"), "total_cost"] == pytest.approx(700_000 + 876_000 + 10 * UNSERVED_MW_YEAR, rel=1e-9)
    assert table.loc[("hedge", "high"), "demand_served_share"] == pytest.approx(0.5)
    assert table.loc[("half", "base"), "total_cost"] == pytest.approx(1_138_000, rel=1e-9)
    assert table.loc[("half", "base"), "idle_rack_years"] == pytest.approx(5.0)
    assert table.loc[("half", "base"), "mean_utilization"] == pytest.approx(0.5)
    assert base is not None


def test_stress_command_reads_a_finished_run(tmp_path):
    low_case = write(sheets([region("a", rack_capex=10_000, grid_price=20), region("b", lon=1, rack_capex=70_000, grid_price=10)],
                            [dict(region="b", workload="w", year=2026, ttok_per_day=10)],
                            corridors=[{"from": "a", "to": "b", "latency_ms": 1, "optical_capex": 0, "hvdc_max_gw": 0}]),
                     tmp_path / "low")
    out = tmp_path / "out"
    assert run_case(low_case, out, name="low_run").exit_code == 0
    result = CliRunner().invoke(app, ["stress", str(out / "low_run"), str(hedge_case(tmp_path)), "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "stress_low_run" / "stress.csv").set_index("future")
    assert table.loc["high", "demand_served_share"] == pytest.approx(0.5)
    assert table.loc["low", "total_cost"] == pytest.approx(1_576_000, rel=1e-9)


def test_planned_builds_above_the_optimum_are_flagged_over_plan(tmp_path):
    """A plan forces 15 racks in a where 10 are needed; the optimum without it builds 10.
    over_plan: 5 racks more, 5 x 100 = 500 a year; the plans cost 1,500 - 1,000 = 500 in total."""
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=10)],
                        planned_builds=[dict(region="a", year=2026, racks=15, kind="min")]), tmp_path)
    outcome = run_case(case, tmp_path / "out")
    risks = outcome.results.risks().set_index("flag")
    assert risks.loc["over_plan", "idle"] == pytest.approx(5.0)
    assert risks.loc["over_plan", "idle_cost"] == pytest.approx(500.0)
    summary = outcome.results.summary().set_index("item")["value"]
    assert float(summary["cost_of_planned_builds"]) == pytest.approx(500.0)


def test_idle_network_is_flagged(tmp_path):
    """20 Tbps of existing optical carry nothing (nothing is served remotely): network_idle,
    costing 20 x 1,000 (optical_fom) = 20,000 a year."""
    case = write(sheets([region("a"), region("b", lon=1)], [dict(region="a", workload="w", year=2026, ttok_per_day=1)],
                        settings={"optical_fom": 1000},
                        corridors=[{"from": "a", "to": "b", "latency_ms": 1, "optical_existing_tbps": 20,
                                    "optical_max_tbps": 0, "hvdc_max_gw": 0}]), tmp_path)
    outcome = run_case(case, tmp_path / "out")
    net = outcome.results.risks().set_index("flag").loc["network_idle"]
    assert (net["asset"], net["region"], net["unit"]) == ("optical", "a-b", "Tbps")
    assert (net["idle"], net["idle_cost"]) == pytest.approx((20.0, 20_000.0))


def test_compare_puts_runs_side_by_side(tmp_path):
    out = tmp_path / "out"
    run_case(hedge_case(tmp_path), out)
    run_case(ROOT / "inputs" / "example", out)
    result = CliRunner().invoke(app, ["compare", str(out / "hedge"), str(out / "example"), "--out", str(out / "c.xlsx")],
                                env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    table = pd.read_excel(out / "c.xlsx").set_index("item")
    assert table.loc["objective", "hedge"] == pytest.approx(2_552_000)
    assert {"hedge", "example"} <= set(table.columns)


def test_idle_cost_is_summed_over_years_and_expected_over_futures(tmp_path):
    """10 existing racks in a (fixed O&M 1,000 a rack-year, no capex), 4 ttok/day of demand: 4
    busy, 6 idle, 40 % < min_utilization 50 %: 6 x 1,000 = 6,000 a year. One period of two years
    (year_step 2): 12,000 summed. Two identical futures of probability 0.5 expect the same 12,000
    (not 24,000); compare, and stress living the plan of no builds, report that figure."""
    case = write(sheets([region("a", existing_racks=10, rack_fom=1_000)],
                        [dict(region="a", workload="w", year=2026, ttok_per_day=4)],
                        settings=dict(end_year=2027, year_step=2)), tmp_path / "idle")
    twins = scenario_file(tmp_path, {"name": "twins", "inputs": str(case), "futures": {
        "one": {"probability": 0.5}, "two": {"probability": 0.5}}})
    out = tmp_path / "out"
    assert run_case(case, out, name="single").exit_code == 0
    assert run_case(twins, out).exit_code == 0
    for name in ("single", "twins"):
        stored = load_run(out / name)
        head = headline(stored.tables, stored.meta)
        assert head["idle_cost_sum"] == pytest.approx(12_000), name
        assert head["idle_rack_years"] == pytest.approx(12.0), name
    lived = stress(Plan("nothing new", {}), [("single", load_case(case), None)]).set_index("future")
    assert lived.loc["base", "idle_cost_sum"] == pytest.approx(12_000)


def sweep_spec(tmp_path) -> Path:
    return scenario_file(tmp_path, {"name": "swept", "inputs": str(ROOT / "inputs" / "example"),
                                    "sweep": {"regions.green_price": [20, 40], "settings.discount_rate": [0.05, 0.08]}})


def test_sweep_on_processes_gives_each_variant_its_own_numbers(tmp_path):
    name, items = variants(sweep_spec(tmp_path), {})
    assert name == "swept" and len(items) == 4
    with local_executor(2) as executor:
        table = run_sweep(items, executor, __import__("planner.optimise.solver", fromlist=["SolverOptions"]).SolverOptions())
    assert list(table["variant"]) == [0, 1, 2, 3] and (table["status"] == "optimal").all()
    # cheaper green power never costs more, all else equal
    by = table.set_index(["regions.green_price", "settings.discount_rate"])["objective"]
    assert by[(20, 0.05)] <= by[(40, 0.05)] and by[(20, 0.08)] <= by[(40, 0.08)]
    # each variant equals a plain run of the same scenario
    single = scenario_file(tmp_path, {"name": "one", "inputs": str(ROOT / "inputs" / "example"), "changes": [
        {"set": {"sheet": "regions", "column": "green_price", "value": 40}},
        {"set": {"sheet": "settings", "key": "discount_rate", "value": 0.08}}]})
    assert run_case(single, tmp_path / "out").results.summary().set_index("item").at["objective", "value"] == \
        pytest.approx(by[(40, 0.08)], rel=1e-9)


def test_sweep_works_after_highs_ran_in_the_same_process(tmp_path):
    """A notebook or a test session solves first, then sweeps: forked workers inherited HiGHS's
    thread scheduler and every variant came back 'error'. Workers are fresh processes now."""
    from planner.optimise.solver import SolverOptions

    assert run_case(ROOT / "inputs" / "example", tmp_path / "first").exit_code == 0   # HiGHS runs here first
    _, items = variants(sweep_spec(tmp_path), {})
    with local_executor(2) as executor:
        table = run_sweep(items[:2], executor, SolverOptions(threads=2))
    assert (table["status"] == "optimal").all(), table.to_dict("records")


def test_a_failed_variant_carries_its_reason(tmp_path):
    """A variant whose model cannot be built returns status 'error' with the reason; the rest solve."""
    import dataclasses

    from planner.optimise.solver import SolverOptions

    _, items = variants(sweep_spec(tmp_path), {})
    broken = dataclasses.replace(items[1], data=dataclasses.replace(items[1].data, routes=None))
    with local_executor(2) as executor:
        table = run_sweep([items[0], broken], executor, SolverOptions())
    rows = table.set_index("variant")
    assert rows.at[0, "status"] == "optimal" and rows.at[1, "status"] == "error"
    assert "NoneType" in rows.at[1, "reason"] or "routes" in rows.at[1, "reason"]


def test_variants_prepared_on_the_way_to_the_workers_solve_the_same(tmp_path):
    """The command line checks every variant first and prepares each one as it is sent out; the
    model data and the table equal those of variants prepared up front."""
    from planner.optimise.solver import SolverOptions

    _, ahead = variants(sweep_spec(tmp_path), {})
    _, lazy = variants(sweep_spec(tmp_path), {}, prepared=False)
    assert all(v.data is None and v.scenario is not None for v in lazy)
    with local_executor(2) as executor:
        table = run_sweep(lazy, executor, SolverOptions())
    assert all(v.data is not None and v.scenario is None for v in lazy)
    assert [v.data.settings.discount_rate for v in lazy] == [v.data.settings.discount_rate for v in ahead] \
        == [0.05, 0.08, 0.05, 0.08]
    with local_executor(2) as executor:
        pd.testing.assert_frame_equal(table, run_sweep(ahead, executor, SolverOptions()))


def test_a_sweep_over_no_values_is_an_input_problem(tmp_path):
    """`sweep: {settings.discount_rate: []}` has no variants: said with its YAML path, not a crash."""
    path = scenario_file(tmp_path, {"name": "none", "inputs": str(ROOT / "inputs" / "example"),
                                    "sweep": {"settings.discount_rate": [], "regions.green_price": [20]}})
    with pytest.raises(InputError) as err:
        variants(path, {})
    assert [p.column for p in err.value.problems] == ["settings.discount_rate"]
    assert "sweep.settings.discount_rate" in err.value.problems[0].message
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "at least one value" in result.output
    assert not (tmp_path / "out").exists()


def test_sweep_on_dask_equals_the_local_sweep(tmp_path):
    distributed = pytest.importorskip("distributed")
    from planner.optimise.solver import SolverOptions

    _, items = variants(sweep_spec(tmp_path), {})
    with local_executor(2) as executor:
        local = run_sweep(items, executor, SolverOptions())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = run_sweep(items, client.get_executor(), SolverOptions())
        # the command line on the same cluster (it once failed at the end, shutting Dask's
        # executor down with a keyword only local executors know)
        result = CliRunner().invoke(app, ["sweep", str(sweep_spec(tmp_path)), "--dask", cluster.scheduler_address,
                                          "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    pd.testing.assert_frame_equal(local, on_dask)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(next((tmp_path / "out").glob("*/sweep.csv")))
    assert list(written["variant"]) == list(local["variant"])
    assert written["objective"].tolist() == pytest.approx(local["objective"].tolist(), rel=1e-9)


from conftest import BUNDLED  # noqa: E402


def test_the_bundled_scenarios_are_all_there():
    names = {p.stem for p in BUNDLED}
    assert {"base", "low_demand", "high_demand", "green_mandate", "deterministic_network", "provincial_plans",
            "cheap_west_power", "uncertain_demand"} <= names


@pytest.mark.parametrize("name", [p.stem for p in BUNDLED])
def test_bundled_scenario_runs_to_optimality(bundled_runs, name):
    code, output, folder = bundled_runs[name]
    assert code == 0, output
    assert (folder / "run.json").is_file() and (folder / "report.html").is_file()


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="glibc's malloc")
def test_a_dask_worker_keeps_large_blocks_in_the_heap_while_it_solves():
    """Dask's workers run with MALLOC_TRIM_THRESHOLD_=65536, and then every freed block over 128 kB
    goes back to the system and the next one faults its pages in again: 256 page faults for each
    1 MB block below. While a variant is solved the heap keeps them (a few faults in all), and the
    worker's own settings are back afterwards."""
    import os
    import subprocess
    import sys

    code = """
import resource
from planner.analysis.sweep import heap_kept_while_solving, _glibc
if _glibc() is None:
    print("no glibc"); raise SystemExit
def churn():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        block = bytearray(1 << 20)
        block[::4096] = b"x" * 256   # touch every page
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
plain = churn()
with heap_kept_while_solving():
    kept = churn()
print(plain, kept, churn())
"""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    if out.stdout.strip() == "no glibc":
        pytest.skip("not glibc")
    plain, kept, after = map(int, out.stdout.split())
    assert plain >= 200 * 256 * 0.9            # a fresh mmap a block: every page faults
    assert kept < 2 * 256 + 100                # the first block's pages, then reused
    assert after >= 200 * 256 * 0.9            # the worker's settings are back
