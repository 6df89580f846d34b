"""Time slices (SPEC 7.6), worked by hand (issue 14).

Builder defaults (tests/builder.py): one period, no discounting, lives of 1 year, 1 rack = 1 MW
of IT, max_utilization 1, workload ``w``: 1 ttok/day = 1 MW of IT; pue 1, rack 100, grid 10 per
MWh. Two slices of a day, ``day`` and ``night``, each 4,380 hours of the year.
"""
from __future__ import annotations

import pandas as pd
import pytest

from builder import region, sheets, solve_sheets, write
from planner.case.problems import InputError
from planner.case.validated import load_case
from planner.case.writing import read_csv_folder

ONE = [dict(region="a", workload="w", year=2026, ttok_per_day=1)]
DAY_NIGHT = [dict(slice="day", hours=4380, day="d", order=0), dict(slice="night", hours=4380, day="d", order=1)]


def solar(shiftable=0.0, **more):
    """Green power (1 per MWh) only by day, twice its yearly average of 1 MW; grid 10 at night."""
    return sheets([region("a", green_mw=1.0, green_price=1.0)], ONE,
                  workloads=[dict(workload="w", mwh_per_ttok=24.0, gbps_per_ttok=1000.0, shiftable=shiftable)],
                  timeslices=DAY_NIGHT,
                  profiles=[dict(region="a", slice="day", green_factor=2.0), dict(region="a", slice="night", green_factor=0.0)],
                  **more)


# ---- without slices, with one, with two alike: the same optimum -------------------------------

def hand_cases():
    from test_hand_cases import remote_case

    return {"remote": remote_case(), "solar": solar()}


@pytest.mark.parametrize("name", ["remote", "example", "china_provinces"])
def test_one_slice_or_two_alike_give_the_optimum_without_slices(tmp_path, name):
    import planner

    if name in ("example", "china_provinces"):
        case = read_csv_folder(planner.EXAMPLE.parent / name)
        # the national case has its own day; without it (and the profiles on its slices) it is a year
        case = {k: v for k, v in case.items() if k not in ("timeslices", "profiles", "workload_profiles")}
    else:
        case = hand_cases()[name]
    plain = planner.solve(planner.load_case(case))
    for slices in ([dict(slice="all", hours=8760)],
                   [dict(slice="a", hours=4380, day="x"), dict(slice="b", hours=4380, day="x")],
                   [dict(slice="a", hours=4380), dict(slice="b", hours=4380)]):
        sliced = planner.solve(planner.load_case({**case, "timeslices": pd.DataFrame(slices)}))
        assert sliced.objective == pytest.approx(plain.objective, rel=1e-9), slices
        yearly = sliced.table("capacity")["it_mw"].sum()
        assert yearly == pytest.approx(plain.table("capacity")["it_mw"].sum(), rel=1e-6)


# ---- green power by day, work that waits for it -----------------------------------------------

def test_inflexible_work_buys_grid_at_night(tmp_path, fmt):
    """Day: 1 MW of work on green (4,380 h x 1 x 1 = 4,380); night: grid (4,380 x 10 = 43,800);
    one rack 100. Total 48,280."""
    solved = solve_sheets(solar(0.0), tmp_path, fmt)
    assert solved.objective == pytest.approx(48_280)
    d = solved.results.dispatch().set_index("slice")
    assert d.at["day", "green_mw"] == pytest.approx(1.0) and d.at["night", "grid_mw"] == pytest.approx(1.0)


def test_shiftable_work_moves_into_the_green_hours(tmp_path, fmt):
    """Shiftable 1: the day's 8,760 MWh of work all by day: 2 MW on green, 4,380 x 2 x 1 = 8,760,
    and two racks (200): 8,960, 39,320 less than inflexible (moving a MW of night work to the day
    saves 4,380 x (10 - 1) = 39,420 and needs one more rack, 100)."""
    solved = solve_sheets(solar(1.0), tmp_path, fmt)
    assert solved.objective == pytest.approx(8_960)
    assert 48_280 - solved.objective == pytest.approx(39_320)
    d = solved.results.dispatch().set_index("slice")
    assert d.at["day", "it_mw_w"] == pytest.approx(2.0) and d.at["night", "it_mw"] == pytest.approx(0.0)
    cap = solved.results.capacity().iloc[0]
    assert cap["it_mw"] == pytest.approx(1.0) and cap["peak_it_mw"] == pytest.approx(2.0)   # yearly mean, peak


def test_half_shiftable_work_keeps_half_in_every_slice(tmp_path):
    """Shiftable 0.5: at least 0.5 MW at night (grid, 4,380 x 0.5 x 10 = 21,900), the rest by day
    (1.5 MW: green 4,380 x 1.5 = 6,570); 1.5 racks 150. Total 28,620."""
    solved = solve_sheets(solar(0.5), tmp_path)
    assert solved.objective == pytest.approx(28_620)


def test_the_shift_follows_a_time_of_use_price(tmp_path):
    """No green; grid at 0.5 x 10 by day and 1.5 x 10 at night. Inflexible: 4,380 x 5 + 4,380 x 15 =
    87,600 + a rack = 87,700; shiftable: 2 MW by day, 4,380 x 2 x 5 = 43,800 + two racks = 44,000."""
    def case(shiftable):
        return sheets([region("a")], ONE, timeslices=DAY_NIGHT,
                      workloads=[dict(workload="w", mwh_per_ttok=24.0, shiftable=shiftable)],
                      profiles=[dict(region="a", slice="day", grid_price_factor=0.5),
                                dict(region="a", slice="night", grid_price_factor=1.5)])

    assert solve_sheets(case(0.0), tmp_path / "fixed").objective == pytest.approx(87_700)
    assert solve_sheets(case(1.0), tmp_path / "moving").objective == pytest.approx(44_000)


# ---- links sized for the peak ------------------------------------------------------------------

def test_an_hvdc_line_reaches_its_capacity_only_in_the_peak_slice(tmp_path, fmt):
    """Demand 1.5 x average by day, 0.5 x at night; a buys from b (grid 1) over HVDC at 1 per GW:
    the line is built for the day's 1.5 MW (0.0015 GW), full by day, a third full at night: yearly
    utilisation (0.5 x 1.5 + 0.5 x 0.5) / 1.5 = 2/3, peak 1. Racks 1.5 (150); energy in b
    4,380 x (1.5 + 0.5) = 8,760; line 0.0015."""
    case = sheets([region("a"), region("b", lon=1.0, grid_price=1.0)], ONE, timeslices=DAY_NIGHT,
                  workload_profiles=[dict(workload="w", slice="day", demand_factor=1.5),
                                     dict(workload="w", slice="night", demand_factor=0.5)],
                  corridors=[{"from": "a", "to": "b", "optical_max_tbps": 0, "hvdc_capex": 1.0, "hvdc_loss": 0.0}])
    solved = solve_sheets(case, tmp_path, fmt)
    assert solved.objective == pytest.approx(150 + 8_760 + 0.0015)
    net = solved.results.network().iloc[0]
    assert net["hvdc_in_service_gw"] == pytest.approx(0.0015)
    assert net["hvdc_utilization"] == pytest.approx(2 / 3) and net["hvdc_peak_utilization"] == pytest.approx(1.0)


# ---- policies on the year's energy -------------------------------------------------------------

def test_a_green_share_is_met_over_the_year_not_in_every_slice(tmp_path):
    """Half of the year's energy green: day 4,380 MWh green, night 4,380 MWh grid: exactly 50 %,
    met with no green at all at night."""
    solved = solve_sheets(solar(0.0, policies=[dict(policy="min_green_share", year=2026, value=0.5)]), tmp_path)
    assert solved.objective == pytest.approx(48_280)
    d = solved.results.dispatch().set_index("slice")
    assert d.at["night", "green_mw"] == pytest.approx(0.0)
    energy = solved.results.energy().iloc[0]
    assert energy["green_mw"] / (energy["green_mw"] + energy["grid_mw"]) == pytest.approx(0.5)


# ---- futures with slices -----------------------------------------------------------------------

def test_futures_with_slices_expected_cost(tmp_path):
    """Futures base (p 0.5) and low (half the demand, p 0.5) share the plan: one rack (100). Base
    operations 4,380 + 43,800 = 48,180; low: 0.5 MW by day on green (2,190) and at night on grid
    (21,900) = 24,090. Expected 100 + 0.5 x 48,180 + 0.5 x 24,090 = 36,235."""
    from planner.case.scenario import load_scenario
    from planner.models import build_model
    from planner.optimise.prepare import prepare
    from planner.optimise.solver import solve

    folder = write(solar(0.0), tmp_path / "in")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ninputs: {folder}\nfutures:\n  base: {{probability: 0.5}}\n"
                        "  low:\n    probability: 0.5\n    changes: [{scale: {sheet: demand, column: ttok_per_day, by: 0.5}}]\n")
    s = load_scenario(scenario)
    m = build_model(prepare(s.case, s.futures))
    solution = solve(m)
    assert solution.optimal and solution.objective == pytest.approx(36_235)


# ---- the slice's power price -------------------------------------------------------------------

def test_the_slice_power_price_equals_a_finite_difference(tmp_path):
    """By day the marginal MWh is green (1), at night grid (10). One more unit of pue draws
    pue x IT more in every slice: the objective moves by 4,380 x 1 x 1 + 4,380 x 10 x 1 = 48,180
    per unit, the prices times the hours times the IT load."""
    base = solve_sheets(solar(0.0), tmp_path / "base")
    d = base.results.dispatch().set_index("slice")
    assert d.at["day", "power_price"] == pytest.approx(1.0) and d.at["night", "power_price"] == pytest.approx(10.0)
    case = solar(0.0)
    case["regions"]["pue"] = 1.001
    case["regions"]["green_mw"] = 1.0   # still below the day's 2 MW of green
    more = solve_sheets(case, tmp_path / "more")
    by_prices = sum(d.at[s, "power_price"] * d.at[s, "hours"] * d.at[s, "it_mw"] for s in ("day", "night"))
    assert (more.objective - base.objective) / 0.001 == pytest.approx(by_prices, rel=1e-6)
    assert by_prices == pytest.approx(48_180)
    yearly = base.results.prices().query("price == 'power_price'")["value"].iloc[0]
    assert yearly == pytest.approx(5.5)   # hours-weighted mean of the slices' prices


# ---- the sheets' checks ------------------------------------------------------------------------

@pytest.mark.parametrize("edit, sheet, words", [
    (lambda c: c.update(timeslices=pd.DataFrame([dict(slice="day", hours=4380), dict(slice="night", hours=4000)])),
     "timeslices", "not 8760"),
    (lambda c: c.update(profiles=pd.DataFrame([dict(region="a", slice="noon", green_factor=2.0)])), "profiles", "noon"),
    (lambda c: c.update(workload_profiles=pd.DataFrame([dict(workload="w", slice="day", demand_factor=1.5)])),
     "workload_profiles", "hours-weighted mean"),
    (lambda c: c.pop("timeslices"), "profiles", "needs a timeslices sheet"),
])
def test_slice_sheets_are_checked_cell_by_cell(tmp_path, edit, sheet, words):
    case = solar(0.0)
    edit(case)
    with pytest.raises(InputError) as err:
        load_case(write(case, tmp_path))
    found = [p for p in err.value.problems if p.is_error and p.sheet == sheet]
    assert found and any(words in p.message or words in str(p.value) for p in found), err.value.problems


def test_a_green_profile_whose_mean_is_not_one_is_warned_about(tmp_path):
    case = solar(0.0)
    case["profiles"] = pd.DataFrame([dict(region="a", slice="day", green_factor=1.0)])   # mean 1 x 0.5 + 1 x 0.5 = 1
    assert not [w for w in load_case(write(case, tmp_path / "ok")).warnings if w.sheet == "profiles"]
    case["profiles"] = pd.DataFrame([dict(region="a", slice="day", green_factor=3.0)])   # mean 2
    [w] = [w for w in load_case(write(case, tmp_path / "warn")).warnings if w.sheet == "profiles"]
    assert "200.0%" in w.message


def test_a_demand_profile_is_normalised_exactly(tmp_path):
    """Factors 1.004 and 1.0 (mean 1.002, within 1 %) become 1.002 and 0.998: yearly tokens unchanged."""
    from planner.optimise.prepare import prepare

    case = solar(0.0)
    case["workload_profiles"] = pd.DataFrame([dict(workload="w", slice="day", demand_factor=1.004)])
    data = prepare(load_case(write(case, tmp_path)))
    f = data.demand_factors.xs("w", level="workload").droplevel("future")
    assert (f * data.slices["weight"]).sum() == pytest.approx(1.0, abs=1e-15)
    assert f["day"] == pytest.approx(1.004 / 1.002)


def test_a_future_may_change_profiles_but_not_timeslices(tmp_path):
    from planner.case.scenario import load_scenario

    folder = write(solar(0.0), tmp_path / "in")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ninputs: {folder}\nfutures:\n  a: {{probability: 0.5}}\n  b:\n    probability: 0.5\n"
                        "    changes: [{set: {sheet: timeslices, column: hours, value: 8760}}]\n")
    with pytest.raises(InputError) as err:
        load_scenario(scenario)
    assert any("never timeslices" in p.message for p in err.value.problems)


# ---- planner timeslices ------------------------------------------------------------------------

def test_representative_days_from_the_hourly_sample_make_a_case_that_solves(tmp_path):
    """The committed sample (inputs/hourly_sample.csv, from documented shapes) reduced to 2 days by
    tsam: 48 slices whose hours add up to 8760, profiles that keep each column's yearly mean;
    pasted into the example case (its gansu and its training work), the case reads and solves."""
    import subprocess
    import sys

    import planner

    sample = planner.EXAMPLE.parent / "hourly_sample.csv"
    out = tmp_path / "slices"
    result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "timeslices", str(sample),
                             "--days", "2", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "load-duration curve error" in result.stdout
    sheets = read_csv_folder(out)
    assert len(sheets["timeslices"]) == 48 and sum(sheets["timeslices"]["hours"]) == pytest.approx(8760)
    weights = sheets["timeslices"].set_index("slice")["hours"] / 8760
    gansu = sheets["profiles"].query("region == 'gansu'").set_index("slice")["green_factor"]
    assert (gansu * weights).sum() == pytest.approx(1.0, rel=1e-3)   # the yearly mean kept
    case = read_csv_folder(planner.EXAMPLE)
    case["timeslices"] = sheets["timeslices"]
    case["profiles"] = sheets["profiles"][sheets["profiles"]["region"].isin(case["regions"]["region"])]
    case["workload_profiles"] = sheets["workload_profiles"][
        sheets["workload_profiles"]["workload"].isin(case["workloads"]["workload"])]
    solved = planner.solve(planner.load_case(case))
    assert solved.optimal and len(solved.table("dispatch")) > 0


def test_a_broken_hourly_file_is_exit_2_naming_the_column(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "hourly.csv"
    bad.write_text("hour,gansu.sunshine\n" + "".join(f"{h},1\n" for h in range(8760)))
    result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "timeslices", str(bad),
                             "--days", "2", "--out", str(tmp_path / "out.xlsx")], capture_output=True, text=True,
                            env={**__import__("os").environ, "COLUMNS": "200"})
    assert result.returncode == 2 and "gansu.sunshine" in result.stdout and "internal error" not in result.stdout
