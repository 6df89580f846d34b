"""Version 2 (SPEC 7.1-7.5c), on cases small enough to work out by hand (issue 13).

Builder defaults (tests/builder.py): one period (2026), no discounting, lives of 1 year (an
annuity is the capex), 1 rack = 1 MW of IT, max_utilization 1, workload ``w``: 1 trillion
tokens/day = 1 MW of IT and 1 Tbps when served remotely; pue 1, rack 100, grid 10 per MWh, so one
MW for a year costs 8760 x 10 = 87,600 of energy; unserved: 365e6 x penalty a year per ttok/day.
"""
from __future__ import annotations

import pandas as pd
import pytest

from builder import region, sheets, solve_sheets, write
from planner.case.problems import InputError
from planner.case.validated import load_case

ONE = [dict(region="a", workload="w", year=2026, ttok_per_day=1)]


def corridor(**columns):
    return {"from": "a", "to": "b", "latency_ms": 5, "optical_capex": 1.0, "hvdc_max_gw": 0, **columns}


def price(solved, name, **where):
    p = solved.results.prices()
    for k, v in where.items():
        p = p[p[k] == v]
    rows = p[p["price"] == name]["value"]
    return float(rows.iloc[0]) if len(rows) else 0.0


# ---- 7.1 servers ------------------------------------------------------------------------------

def remote_vs_home(server_capex):
    """a: users, grid 10; b: grid 1, reached over a corridor of efficiency 0.5 (work there draws
    twice the IT power). Home: 1 rack 100 + 87,600 energy + 1 MW of servers. Remote: 2 racks
    200 + 2 x 8760 x 1 = 17,520 + 1 Tbps of optical 1 + 2 MW of servers. With servers at s per
    kW (life 1, so 1000 s per MW), remote wins while 17,721 + 2000 s < 87,700 + 1000 s, i.e.
    s < 69.979."""
    return sheets([region("a", server_capex=server_capex), region("b", lon=1.0, grid_price=1.0, server_capex=server_capex)],
                  ONE, settings={"server_life": 1}, corridors=[corridor(efficiency=0.5)])


def test_servers_make_remote_work_cost_accelerators(tmp_path, fmt):
    cheap = solve_sheets(remote_vs_home(60.0), tmp_path / "cheap", fmt)
    assert cheap.objective == pytest.approx(17_721 + 2_000 * 60)          # 137,721: served in b
    cap = cheap.results.capacity().set_index("region")
    assert cap.at["b", "server_mw_built"] == pytest.approx(2.0) and cap.at["a", "server_mw_built"] == pytest.approx(0.0)
    assert cap.at["b", "occupancy"] == pytest.approx(1.0) and cap.at["b", "server_utilization"] == pytest.approx(1.0)
    costs = cheap.results.cost_by_component()
    assert costs["server_capex"] == pytest.approx(120_000) and costs["rack_capex"] == pytest.approx(200)

    dear = solve_sheets(remote_vs_home(80.0), tmp_path / "dear", fmt)
    assert dear.objective == pytest.approx(87_700 + 1_000 * 80)           # 167,700: the choice flips home
    assert dear.results.capacity().set_index("region").at["a", "server_mw_built"] == pytest.approx(1.0)


def test_empty_shells_and_idle_servers_are_separate_risks(tmp_path, fmt):
    """10 existing racks (10 MW of shells), 40 % fitted with servers: 4 MW of servers; the work
    needs 2 MW. Occupancy 4/10 = 40 % < 65 %: 6 empty racks at rack_fom 7 = 42 a year. Server
    utilisation 2/4 = 50 % < 60 %: 2 idle MW at server_fom 3/kW = 6,000 a year. Both stood before
    the plan. Objective: rack O&M 70 + server O&M 4 x 3000 = 12,000 + energy 2 x 87,600 = 175,200."""
    case = sheets([region("a", existing_racks=10, rack_fom=7.0, existing_server_share=0.4, server_fom=3.0)],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=2)],
                  settings={"min_utilization": 0.6, "min_occupancy": 0.65, "server_life": 4})
    solved = solve_sheets(case, tmp_path, fmt)
    assert solved.objective == pytest.approx(70 + 12_000 + 175_200)
    risks = solved.results.risks().set_index("flag")
    assert risks.at["empty_racks", "idle"] == pytest.approx(6.0) and risks.at["empty_racks", "idle_cost"] == pytest.approx(42.0)
    assert risks.at["idle_servers", "idle"] == pytest.approx(2.0)
    assert risks.at["idle_servers", "idle_cost"] == pytest.approx(6_000.0)
    assert risks["idle_from_plan"].sum() == pytest.approx(0.0)   # all of it stood before the plan
    assert "idle" not in risks.index                              # with servers, shells and servers are judged apart


def test_existing_servers_leave_service_over_their_life(tmp_path):
    """4 MW of existing servers, server_life 4: 4, 3, 2 MW remain in 2026-2028 (a quarter a year),
    so 2.5 MW of work needs 0.5 MW built in 2028, whose annuity (5,000 per MW over 4 years, no
    discounting: 1,250 a year) is paid for that one year: 625."""
    case = sheets([region("a", existing_racks=10, existing_server_share=0.4, server_capex=5.0, server_life=4.0)],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=2.5)],
                  settings={"end_year": 2028})
    solved = solve_sheets(case, tmp_path)
    cap = solved.results.capacity().set_index("year")
    assert list(cap["server_mw_in_service"]) == pytest.approx([4.0, 3.0, 2.5])
    assert list(cap["server_mw_built"]) == pytest.approx([0.0, 0.0, 0.5])
    assert solved.results.cost_by_component()["server_capex"] == pytest.approx(625.0)


def test_server_price_equals_a_finite_difference(tmp_path):
    """Shells are free and plenty (10 existing racks, none fitted); servers 60 per kW, life 1: one
    more kW of servers saves 60 a year. 0.1 MW of free existing servers (share 1 %) saves 6,000."""
    def case(share):
        return sheets([region("a", existing_racks=10, existing_server_share=share, server_capex=60.0, server_life=1.0)], ONE)

    base = solve_sheets(case(0.0), tmp_path / "base")
    assert price(base, "server_value", region="a") == pytest.approx(60.0)
    more = solve_sheets(case(0.01), tmp_path / "more")
    assert (base.objective - more.objective) / 100.0 == pytest.approx(60.0)   # per kW: 0.1 MW = 100 kW


# ---- 7.2 network sensitivity -------------------------------------------------------------------

def test_sensitivity_zero_makes_a_lossy_corridor_free_for_that_workload_only(tmp_path, fmt):
    """Both workloads go to b (cheaper, as above). Training (sensitivity 0) draws 1 MW there per
    ttok/day, chat (sensitivity 1) 1/0.5 = 2 MW: 3 racks 300 + 3 x 8760 x 1 = 26,280 + 2 Tbps of
    optical 2 = 26,582."""
    workloads = [dict(workload="chat", mwh_per_ttok=24.0, gbps_per_ttok=1000.0, network_sensitivity=1.0),
                 dict(workload="train", mwh_per_ttok=24.0, gbps_per_ttok=1000.0, network_sensitivity=0.0)]
    demand = [dict(region="a", workload=w, year=2026, ttok_per_day=1) for w in ("chat", "train")]
    case = sheets([region("a"), region("b", lon=1.0, grid_price=1.0)], demand, workloads=workloads,
                  corridors=[corridor(efficiency=0.5)])
    solved = solve_sheets(case, tmp_path, fmt)
    assert solved.objective == pytest.approx(26_582)
    assert solved.results.capacity().set_index("region").at["b", "it_mw"] == pytest.approx(3.0)


# ---- 7.3 workload_years ------------------------------------------------------------------------

def test_falling_energy_per_token_lowers_energy_cost_as_interpolated(tmp_path, fmt):
    """24 MWh per ttok in 2026, 12 in 2028: 18 in 2027 (linear). IT 1, 0.75, 0.5 MW: energy
    87,600, 65,700, 43,800; racks (life 1) 100, 75, 50. Objective 197,325."""
    case = sheets([region("a")], ONE, settings={"end_year": 2028},
                  workload_years=[dict(workload="w", year=2026, mwh_per_ttok=24.0), dict(workload="w", year=2028, mwh_per_ttok=12.0)])
    solved = solve_sheets(case, tmp_path, fmt)
    energy = solved.results.energy().set_index("year")["energy_cost"]
    assert list(energy) == pytest.approx([87_600, 65_700, 43_800])
    assert solved.objective == pytest.approx(197_325)


def test_workload_years_traffic_and_blank_cells(tmp_path):
    """Traffic per token from 2027 only (its first given value holds before it); the blank energy
    cell changes nothing. 2026 and 2027 at 0.5 Tbps per ttok/day: remote serving needs 0.5 Tbps."""
    case = sheets([region("a"), region("b", lon=1.0, grid_price=1.0)], ONE, settings={"end_year": 2027},
                  corridors=[corridor(optical_capex=1.0)],
                  workload_years=[dict(workload="w", year=2027, gbps_per_ttok=500.0, mwh_per_ttok=None)])
    solved = solve_sheets(case, tmp_path)
    net = solved.results.network().set_index("year")
    assert list(net["optical_forward_tbps"]) == pytest.approx([0.5, 0.5])
    assert list(solved.results.capacity().query("region == 'b'")["it_mw"]) == pytest.approx([1.0, 1.0])


# ---- 7.4 lead times ----------------------------------------------------------------------------

def test_a_lead_time_pushes_the_build_to_the_first_allowed_period(tmp_path, fmt):
    """rack_lead_years 1: nothing new stands in 2026 (1 ttok/day unserved: 365e6 x 1 = 3.65e8);
    in 2027 one rack (100) and its energy (87,600)."""
    case = sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)],
                  settings={"end_year": 2027, "rack_lead_years": 1})
    solved = solve_sheets(case, tmp_path, fmt)
    assert solved.objective == pytest.approx(3.65e8 + 87_700)
    assert list(solved.results.capacity()["racks_built"]) == pytest.approx([0.0, 1.0])


def test_an_explicit_first_build_year_overrides_the_lead(tmp_path):
    case = sheets([region("a", first_build_year=2026)], ONE, settings={"end_year": 2027, "rack_lead_years": 1})
    solved = solve_sheets(case, tmp_path)
    assert solved.objective == pytest.approx(2 * 87_700)   # built in 2026 (life 1: rebuilt in 2027)


def test_hvdc_lead_time_and_corridor_first_year(tmp_path):
    """HVDC from b (grid 1) to a (grid 10) at 1 per GW: worth building; with hvdc_lead_years 1
    it waits for 2027, so 2026 buys grid power in a. 2026: 87,600 + rack 100; 2027: 8,760 +
    rack 100 + 1 MW of HVDC (0.001 GW x 1)."""
    corridors = [{"from": "a", "to": "b", "optical_max_tbps": 0, "hvdc_capex": 1.0, "hvdc_loss": 0.0}]
    case = sheets([region("a"), region("b", lon=1.0, grid_price=1.0)], ONE, settings={"end_year": 2027, "hvdc_lead_years": 1},
                  corridors=corridors)
    solved = solve_sheets(case, tmp_path)
    assert solved.objective == pytest.approx(87_700 + 8_860 + 0.001)
    net = solved.results.network().set_index("year")
    assert list(net["hvdc_built_gw"]) == pytest.approx([0.0, 0.001])


def test_a_planned_build_before_the_first_build_year_is_an_input_error(tmp_path):
    case = sheets([region("a")], ONE, settings={"end_year": 2027, "rack_lead_years": 1},
                  planned_builds=[dict(region="a", year=2026, racks=1, kind="fixed")])
    with pytest.raises(InputError) as err:
        load_case(write(case, tmp_path))
    [p] = [p for p in err.value.problems if p.is_error]
    assert p.sheet == "planned_builds" and p.row == 2 and "first year racks can be built" in p.message


# ---- 7.5 penalties by region and workload ------------------------------------------------------

def overseas(penalty):
    """Users in 'us' (no racks may stand there) reach 'cn' over a long corridor (latency 150 ms,
    within the limit). Serving in cn: rack 100 + energy 87,600 + 1 Tbps of optical 1 = 87,701.
    Unserved: 365e6 x penalty a year."""
    return sheets([region("cn"), region("us", lon=100.0, max_racks=0, unserved_penalty=penalty)],
                  [dict(region="us", workload="w", year=2026, ttok_per_day=1)],
                  workloads=[dict(workload="w", mwh_per_ttok=24.0, gbps_per_ttok=1000.0, max_latency_ms=200,
                                  unserved_penalty=50.0)],
                  corridors=[{"from": "us", "to": "cn", "latency_ms": 150, "distance_km": 10_000, "optical_capex": 1.0,
                              "hvdc_max_gw": 0}])


def test_users_abroad_are_served_when_their_alternative_is_dear(tmp_path, fmt):
    served = solve_sheets(overseas(1e-3), tmp_path / "served", fmt)   # 365,000 > 87,701: served from cn
    assert served.objective == pytest.approx(87_701)
    left = solve_sheets(overseas(1e-4), tmp_path / "left", fmt)       # 36,500 < 87,701: they buy elsewhere
    assert left.objective == pytest.approx(36_500)
    assert left.results.unserved()["ttok_per_day"].sum() == pytest.approx(1.0)


def test_the_workload_penalty_holds_where_the_region_gives_none(tmp_path):
    """No region penalty: the workload's 50 per million tokens (365e6 x 50 a year) makes serving worth it."""
    case = overseas(None)
    case["regions"]["unserved_penalty"] = [None, None]
    solved = solve_sheets(case, tmp_path)
    assert solved.objective == pytest.approx(87_701)
    assert price(solved, "token_cost", region="us") == pytest.approx(87_701 / 365e6)


# ---- 7.5b tags and min_zone_build_share ---------------------------------------------------------

def build_share(policies):
    """4 ttok/day in a (rack 100); b (rack 50) is reached over a free, lossless corridor. Without a
    policy all 4 racks go to b: 200 + energy 4 x 87,600 = 350,400, total 350,600."""
    return sheets([region("a", zone="east"), region("b", lon=1.0, zone="west", rack_capex=50.0, tags="hub; cheap")],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=4)],
                  corridors=[corridor(optical_capex=0.0)], policies=policies)


def test_a_build_share_binds_with_the_dual_worked_by_hand(tmp_path, fmt):
    """At least half of new racks in the east: e >= 0.5 (e + w), so 2 + 2: 200 + 100 = 300, total
    350,700. One rack of shortfall allowed (e - w >= -2: 1 + 3 racks, 250) saves 50: the price."""
    free = solve_sheets(build_share(None), tmp_path / "free", fmt)
    assert free.objective == pytest.approx(350_600)
    bound = solve_sheets(build_share([dict(policy="min_zone_build_share", year=2026, value=0.5, zone="east")]),
                         tmp_path / "bound", fmt)
    assert bound.objective == pytest.approx(350_700)
    built = bound.results.capacity().set_index("region")["racks_built"]
    assert built["a"] == pytest.approx(2.0) and built["b"] == pytest.approx(2.0)
    assert price(bound, "min_zone_build_share", zone="east") == pytest.approx(50.0)


def test_a_policy_zone_matches_a_tag(tmp_path):
    """'hub' is b's tag: at most... at least 100 % of builds in the hub is the free optimum."""
    solved = solve_sheets(build_share([dict(policy="min_zone_build_share", year=2026, value=1.0, zone="hub")]), tmp_path)
    assert solved.objective == pytest.approx(350_600)
    other = solve_sheets(build_share([dict(policy="min_zone_capacity_share", year=2026, value=1.0, zone="cheap")]),
                         tmp_path / "cheap")
    assert other.objective == pytest.approx(350_600)


def test_an_unknown_policy_zone_is_an_error_with_a_near_miss(tmp_path):
    case = build_share([dict(policy="min_zone_build_share", year=2026, value=0.5, zone="hubs")])
    with pytest.raises(InputError) as err:
        load_case(write(case, tmp_path))
    [p] = [p for p in err.value.problems if p.is_error]
    assert p.sheet == "policies" and p.column == "zone" and "did you mean 'hub'" in p.message


# ---- 7.5c network tariffs ----------------------------------------------------------------------

def tariff_case(tariff):
    """1 MW of work in a (grid 10) fed over 1 GW of existing lossless HVDC from b (grid 1): import
    costs 1 + tariff per MWh. Tariff 5: 8,760 of energy in b + 8760 x 5 = 43,800 of tariff (an
    HVDC operating cost) + rack 100 = 52,660. Tariff 12: 13 > 10, so a buys its own: 87,700."""
    corridors = [{"from": "a", "to": "b", "optical_max_tbps": 0, "hvdc_existing_gw": 1.0, "hvdc_max_gw": 1.0,
                  "hvdc_loss": 0.0, "hvdc_tariff": tariff}]
    return sheets([region("a"), region("b", lon=1.0, grid_price=1.0)], ONE, corridors=corridors)


def test_an_hvdc_tariff_is_an_operating_cost_of_the_sender(tmp_path, fmt):
    low = solve_sheets(tariff_case(5.0), tmp_path / "low", fmt)
    assert low.objective == pytest.approx(52_660)
    assert low.results.cost_by_component()["hvdc"] == pytest.approx(43_800)
    first, second = low.results.stage_costs()
    assert first == pytest.approx(100) and second == pytest.approx(52_560)   # the tariff is operations
    high = solve_sheets(tariff_case(12.0), tmp_path / "high", fmt)
    assert high.objective == pytest.approx(87_700)


def test_an_optical_tariff_on_data_carried_brings_the_work_home(tmp_path):
    """The remote case of the servers test without servers: remote 17,721 beats home 87,700; a fee
    of 80,000 per Tbps-year on the 1 Tbps carried makes remote 97,721, so the work stays home."""
    free = solve_sheets(remote_vs_home(0.0), tmp_path / "free")
    assert free.objective == pytest.approx(17_721)
    case = remote_vs_home(0.0)
    case["corridors"] = pd.DataFrame([corridor(efficiency=0.5, optical_tariff=80_000.0)])
    charged = solve_sheets(case, tmp_path / "charged")
    assert charged.objective == pytest.approx(87_700)


# ---- every addition at its neutral value is version 1 ------------------------------------------

NEUTRAL = [
    {"set": {"sheet": "regions", "column": "server_capex", "value": 0}},
    {"set": {"sheet": "regions", "column": "server_fom", "value": 0}},
    {"set": {"sheet": "regions", "column": "existing_server_share", "value": 1}},
    {"set": {"sheet": "workloads", "column": "network_sensitivity", "value": 1}},
    {"set": {"sheet": "corridors", "column": "hvdc_tariff", "value": 0}},
    {"set": {"sheet": "corridors", "column": "optical_tariff", "value": 0}},
    {"set": {"sheet": "settings", "key": "rack_lead_years", "value": 0}},
    {"set": {"sheet": "settings", "key": "hvdc_lead_years", "value": 0}},
    {"set": {"sheet": "settings", "key": "optical_lead_years", "value": 0}},
]


# the columns and settings NEUTRAL sets, which a version 1 case does not have
VERSION_2_COLUMNS = {"regions": ["server_capex", "server_fom", "existing_server_share"],
                     "workloads": ["network_sensitivity"], "corridors": ["hvdc_tariff", "optical_tariff"]}
VERSION_2_SETTINGS = ["rack_lead_years", "hvdc_lead_years", "optical_lead_years"]


def without_version_2(folder):
    """A case folder's sheets with NEUTRAL's columns and settings left out (they take their defaults)."""
    from planner.case.writing import read_csv_folder

    sheets = read_csv_folder(folder)
    for sheet, columns in VERSION_2_COLUMNS.items():
        sheets[sheet] = sheets[sheet].drop(columns=[c for c in columns if c in sheets[sheet].columns])
    sheets["settings"] = sheets["settings"][~sheets["settings"]["key"].isin(VERSION_2_SETTINGS)]
    return sheets


@pytest.mark.parametrize("case", ["example", "china_provinces"])
def test_neutral_version_2_values_give_the_version_1_optimum(case):
    """The same case without the version 2 columns, and with them at their neutral values, is one LP.
    (The national case keeps its slices, energy paths and policies on tags in both.)"""
    import planner

    base = planner.load_case(without_version_2(planner.EXAMPLE.parent / case))
    v1 = planner.solve(base)
    neutral = planner.solve(planner.apply_scenario(planner.load_case(planner.EXAMPLE.parent / case),
                                                   {"name": "neutral", "changes": NEUTRAL}))
    assert neutral.objective == v1.objective   # exactly: the same LP
    for table in ("capacity", "network", "energy", "serving"):
        pd.testing.assert_frame_equal(v1.table(table), neutral.table(table))


def test_a_plan_read_back_keeps_its_servers(tmp_path):
    """Stress and regret fix every registered build: servers built in b (2 MW, see above) come back
    from the results folder and stay fixed; a version 1 plan says nothing of servers, which then
    stay free."""
    from planner.analysis.plans import fix_plan, plan_from_folder
    from planner.models import build_model
    from planner.optimise.prepare import prepare
    from planner.run import run_case

    outcome = run_case(write(remote_vs_home(60.0), tmp_path / "in"), tmp_path / "out")
    plan = plan_from_folder(outcome.folder)
    assert plan.builds["servers_built_mw"] == {("b", 2026): pytest.approx(2.0)}
    model = build_model(prepare(load_case(tmp_path / "in" / "case")))
    fix_plan(model, plan)
    assert model.servers_built_mw["b", 2026].fixed and model.servers_built_mw["a", 2026].value == 0.0
    v1 = run_case(write(remote_vs_home(0.0), tmp_path / "v1"), tmp_path / "out1")
    assert "servers_built_mw" not in plan_from_folder(v1.folder).builds
