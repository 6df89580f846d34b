"""Small cases whose optimum is worked out by hand (arithmetic in each docstring).

Unless a case says otherwise (see tests/builder.py): one year 2026, no discounting, lives of
one year (annuity = capex), 1 rack = 1 MW of IT, max_utilization 1, and 1 trillion tokens/day
of workload ``w`` = 1 MW of IT and 1 Tbps when served remotely. 8760 hours a year.
"""
from __future__ import annotations

import math

import pytest

from builder import region, sheets, solve_sheets

H = 8760.0
A, B = "a", "b"
DEMAND_A_10 = [dict(region=A, workload="w", year=2026, ttok_per_day=10)]


def remote_case(**corridor):
    return sheets(
        [region(A, rack_capex=100, grid_price=10), region(B, lon=1, rack_capex=50, grid_price=5)],
        DEMAND_A_10,
        corridors=[{"from": A, "to": B, "distance_km": 100, "latency_ms": 5, "optical_capex": 1000,
                    "hvdc_max_gw": 0, **corridor}],
    )


def test_remote_serving_beats_home(tmp_path, fmt):
    """Users in a need 10 MW of IT.
    At home:   10 racks x 100 + 10 MW x 8760 h x 10/MWh          = 1,000 + 876,000 = 877,000
    Served in b: 10 racks x 50 + 10 MW x 8760 x 5 + 10 Tbps x 1000 = 500 + 438,000 + 10,000 = 448,500
    so all of a's work goes to b, over 10 Tbps of new optical capacity."""
    s = solve_sheets(remote_case(), tmp_path, fmt)
    assert s.objective == pytest.approx(448_500, rel=1e-9)
    assert s.var("tokens_served") == pytest.approx({("base", A, B, "w", 2026): 10.0})
    assert s.var("racks_built") == pytest.approx({(B, 2026): 10.0})
    assert s.var("optical_built_tbps") == pytest.approx({(A, B, 2026): 10.0})
    net = s.results.network().iloc[0]
    # the corridor is listed a -> b, and users in a are served in b: that is its forward direction
    assert (net["optical_forward_tbps"], net["optical_reverse_tbps"]) == pytest.approx((10.0, 0.0))
    assert net["optical_utilization"] == pytest.approx(1.0)


def test_direction_follows_the_users(tmp_path, fmt):
    """Same case, corridor written b -> a: a's users served in b is now the reverse direction."""
    case = remote_case()
    case["corridors"] = case["corridors"].rename(columns={"from": "to", "to": "from"})
    s = solve_sheets(case, tmp_path, fmt)
    net = s.results.network().iloc[0]
    assert (net["from"], net["to"]) == (B, A)
    assert (net["optical_forward_tbps"], net["optical_reverse_tbps"]) == pytest.approx((0.0, 10.0))


def test_remote_efficiency_costs_it_power_not_bandwidth(tmp_path, fmt):
    """Efficiency 0.8: b needs 10 / 0.8 = 12.5 MW of IT for a's 10 ttok/day; bandwidth counts
    useful tokens, so still 10 Tbps.
    12.5 x 50 + 12.5 x 8760 x 5 + 10 x 1000 = 625 + 547,500 + 10,000 = 558,125 (< 877,000 at home)."""
    s = solve_sheets(remote_case(efficiency=0.8), tmp_path, fmt)
    assert s.objective == pytest.approx(558_125, rel=1e-9)
    assert s.var("it_power_mw") == pytest.approx({("base", B, 2026): 12.5})
    assert s.var("optical_built_tbps") == pytest.approx({(A, B, 2026): 10.0})


@pytest.mark.parametrize("limit, expected", [(4.0, 877_000), (5.0, 448_500)])
def test_latency_limit_forbids_remote_serving(tmp_path, fmt, limit, expected):
    """The corridor's round trip is 5 ms. A limit of 4 ms keeps the work at home (877,000, see
    above); 5 ms is allowed, the test being inclusive (448,500)."""
    case = remote_case()
    case["workloads"]["max_latency_ms"] = limit
    s = solve_sheets(case, tmp_path, fmt)
    assert s.objective == pytest.approx(expected, rel=1e-9)


def hvdc_case(price_a: float):
    return sheets(
        [region(A, rack_capex=100, grid_price=price_a), region(B, lon=1, rack_capex=100, grid_price=10)],
        DEMAND_A_10,
        corridors=[{"from": A, "to": B, "optical_max_tbps": 0, "hvdc_capex": 8_000_000, "hvdc_loss": 0.2}],
    )


def test_hvdc_import_with_loss_beats_dear_local_grid(tmp_path, fmt):
    """a needs 10 MW; no optical, so the racks stay in a. b sends 10 / (1 - 0.2) = 12.5 MW:
    12.5 MW x 8760 x 10 = 1,095,000 of energy, 0.0125 GW x 8,000,000 = 100,000 of HVDC, plus
    10 racks x 100 = 1,000: total 1,196,000, i.e. 13.64/MWh delivered, below a's grid at 14."""
    s = solve_sheets(hvdc_case(14.0), tmp_path, fmt)
    assert s.objective == pytest.approx(1_196_000, rel=1e-9)
    assert s.var("hvdc_flow_mw") == pytest.approx({("base", B, A, 2026): 12.5})
    assert s.var("hvdc_built_gw") == pytest.approx({(A, B, 2026): 0.0125})
    energy = s.results.energy().set_index("region")
    assert energy.loc[A, "imports_mw"] == pytest.approx(10.0)
    assert energy.loc[B, "exports_mw"] == pytest.approx(12.5)
    assert energy.loc[A, "grid_mw"] == pytest.approx(0.0, abs=1e-9)


def test_cheap_local_grid_beats_hvdc_import(tmp_path, fmt):
    """With a's grid at 13/MWh (< 13.64 delivered over HVDC): 1,000 + 10 x 8760 x 13 = 1,139,800."""
    s = solve_sheets(hvdc_case(13.0), tmp_path, fmt)
    assert s.objective == pytest.approx(1_139_800, rel=1e-9)
    assert s.var("hvdc_built_gw") == {}


def test_unserved_demand_under_a_rack_cap_keeps_existing_racks(tmp_path, fmt):
    """a has 8 existing racks but max_racks 5: racks already standing are kept (limit is
    max(5, 8) = 8), none can be added. Demand 10 -> 8 served, 2 unserved.
    unserved 2 ttok/day x 365e6 million tokens x 0.001 = 730,000; energy 8 x 8760 x 1 = 70,080;
    fixed O&M 8 x 10 = 80. Total 800,160. The marginal million tokens costs the penalty, 0.001."""
    case = sheets([region(A, existing_racks=8, max_racks=5, rack_fom=10, grid_price=1)], DEMAND_A_10,
                  settings={"unserved_penalty": 0.001})
    s = solve_sheets(case, tmp_path, fmt)
    assert s.objective == pytest.approx(800_160, rel=1e-9)
    assert s.var("racks_in_service") == pytest.approx({(A, 2026): 8.0})
    assert s.var("racks_built") == {}
    un = s.results.unserved().iloc[0]
    assert (un["ttok_per_day"], un["share"]) == pytest.approx((2.0, 0.2))
    prices = s.results.prices().set_index("price")
    assert prices.loc["token_cost", "value"] == pytest.approx(0.001, rel=1e-9)
    assert s.results.cost_by_component() == pytest.approx(
        {"rack_capex": 0, "rack_fom": 80, "optical": 0, "hvdc": 0, "energy": 70_080, "unserved": 730_000})


DW_2026 = 1 + 1 / 1.1              # years 2026, 2027 discounted to 2026 at 10 %
DW_2028 = 1 / 1.1**2 + 1 / 1.1**3  # years 2028, 2029


def crf(r, n):
    return r / (1 - (1 + r) ** -n)


def discount_case(rack_life: float):
    return sheets([region(A, rack_capex=1000, grid_price=1)],
                  [dict(region=A, workload="w", year=2026, ttok_per_day=1)],
                  settings={"end_year": 2029, "year_step": 2, "discount_rate": 0.1, "rack_life": rack_life})


def test_discounting_with_year_step_two_and_annuities_cut_at_end_year(tmp_path, fmt):
    """Periods 2026 and 2028 stand for two years each: DW = 1 + 1/1.1 = 1.909091 and
    1/1.1^2 + 1/1.1^3 = 1.577761. One rack (1 MW) built in 2026 with a 10-year life pays
    1000 x CRF(10 %, 10) = 162.745 a year, but only for the four years inside the horizon:
    162.745 x 3.486852 = 567.47 (not the 1,100 a whole life is worth).
    Energy 1 MW x 8760 x 1 x 3.486852 = 30,544.82. Total 31,112.29."""
    s = solve_sheets(discount_case(10), tmp_path, fmt)
    expected = 1000 * crf(0.1, 10) * (DW_2026 + DW_2028) + H * (DW_2026 + DW_2028)
    assert expected == pytest.approx(31_112.29, abs=0.01)
    assert s.objective == pytest.approx(expected, rel=1e-9)
    assert s.var("racks_built") == pytest.approx({(A, 2026): 1.0})
    costs = s.results.costs()
    assert costs["discounted_cost"].sum() == pytest.approx(expected, rel=1e-9)
    assert sorted(costs["year"].unique()) == [2026, 2027, 2028, 2029]


def test_short_life_racks_retire_and_are_rebuilt(tmp_path, fmt):
    """With a 2-year life, a rack built in 2026 serves only the period starting in 2026
    (2028 is outside [2026, 2028)); another is built in 2028. Each pays
    1000 x CRF(10 %, 2) = 576.19 a year in its own period: 576.19 x 3.486852 = 2,009.08,
    plus the same 30,544.82 of energy."""
    s = solve_sheets(discount_case(2), tmp_path, fmt)
    expected = 1000 * crf(0.1, 2) * (DW_2026 + DW_2028) + H * (DW_2026 + DW_2028)
    assert s.objective == pytest.approx(expected, rel=1e-9)
    assert s.var("racks_built") == pytest.approx({(A, 2026): 1.0, (A, 2028): 1.0})
    assert s.var("racks_in_service") == pytest.approx({(A, 2026): 1.0, (A, 2028): 1.0})


def test_carbon_cap_forces_green_power(tmp_path, fmt):
    """Grid at 10/MWh emits 1 t/MWh; green costs 20. A cap of 0.0438 Mt a year allows
    0.0438e6 / 8760 = 5 MW of grid, so 5 MW of the 10 are green:
    8760 x (5 x 10 + 5 x 20) + 10 racks x 100 = 1,314,000 + 1,000 = 1,315,000.
    One more tonne allowed saves (20 - 10) x 8760 / 8760 = 10: the cap's shadow price is 10/t."""
    case = sheets([region(A, grid_price=10, grid_co2=1.0, green_price=20, green_mw=100)], DEMAND_A_10,
                  policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0438)])
    s = solve_sheets(case, tmp_path, fmt)
    assert s.objective == pytest.approx(1_315_000, rel=1e-9)
    assert s.var("grid_power_mw") == pytest.approx({("base", A, 2026): 5.0})
    assert s.var("green_power_mw") == pytest.approx({("base", A, 2026): 5.0})
    prices = s.results.prices().set_index("price")
    assert prices.loc["carbon_cap", "value"] == pytest.approx(10.0, rel=1e-6)
    assert s.results.energy()["emissions_t"].sum() == pytest.approx(43_800, rel=1e-9)


def test_carbon_cap_on_a_clean_grid_changes_nothing(tmp_path):
    """With grid_co2 0 the cap cannot bind: 10 racks x 100 + 10 MW x 8760 x 10 = 877,000."""
    case = sheets([region(A)], DEMAND_A_10, policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0)])
    assert solve_sheets(case, tmp_path).objective == pytest.approx(877_000, rel=1e-9)


def test_fixed_planned_build_creates_idle_racks(tmp_path, fmt):
    """A provincial plan forces 15 racks in a; demand needs 10. 1,500 of racks + 876,000 of
    energy = 877,500. Utilization 10/15 = 67 % is below min_utilization 80 %: flagged idle,
    with 5 idle racks costing 5 x 100 = 500 a year; and the 15 new racks never reach the target
    before the horizon ends: stranded, 15 x 100 = 1,500 a year."""
    case = sheets([region(A)], DEMAND_A_10, settings={"min_utilization": 0.8},
                  planned_builds=[dict(region=A, year=2026, racks=15, kind="fixed")])
    s = solve_sheets(case, tmp_path, fmt)
    assert s.objective == pytest.approx(877_500, rel=1e-9)
    risk = s.results.risks().set_index("flag")
    assert sorted(risk.index) == ["idle", "stranded"]
    idle, stranded = risk.loc["idle"], risk.loc["stranded"]
    assert (idle["region"], idle["unit"]) == (A, "racks")
    assert (idle["utilization"], idle["idle"], idle["idle_cost"]) == pytest.approx((10 / 15, 5.0, 500.0))
    assert (stranded["idle"], stranded["idle_cost"]) == pytest.approx((15.0, 1500.0))


def zone_case(**policies):
    rows = [dict(policy=k, year=2026, value=v, zone="west") for k, v in policies.items()]
    return sheets(
        [region("e", zone="east", rack_capex=100, grid_price=10),
         region("w", lon=1, zone="west", rack_capex=200, grid_price=10, green_price=15, green_mw=100)],
        [dict(region="e", workload="w", year=2026, ttok_per_day=10)],
        corridors=[{"from": "e", "to": "w", "latency_ms": 5, "optical_capex": 0, "hvdc_max_gw": 0}],
        policies=rows,
    )


def test_zone_capacity_share(tmp_path, fmt):
    """West must hold 40 % of all racks. Cheapest: 10 racks in all (the load), 4 of them west:
    6 x 100 + 4 x 200 = 1,400 of racks + 10 MW x 8760 x 10 = 876,000: 877,400."""
    s = solve_sheets(zone_case(min_zone_capacity_share=0.4), tmp_path, fmt)
    assert s.objective == pytest.approx(877_400, rel=1e-9)
    assert s.var("racks_built") == pytest.approx({("e", 2026): 6.0, ("w", 2026): 4.0})


def test_zone_green_share_pushes_work_out_of_the_zone(tmp_path, fmt):
    """Add: west's power must be >= 50 % green (15/MWh, 5 more than grid). Running x MW in the
    west would cost 0.5 x x x 8760 x 5 = 21,900 x extra. Cheaper: run all 10 MW east and keep
    the share with idle west racks: e = 10, w = 0.4 / 0.6 x 10 = 6.667:
    1,000 + 1,333.33 + 876,000 = 878,333.33; the west racks sit idle (flagged)."""
    s = solve_sheets(zone_case(min_zone_capacity_share=0.4, min_green_share=0.5), tmp_path, fmt)
    assert s.objective == pytest.approx(876_000 + 1_000 + 200 * 20 / 3, rel=1e-9)
    assert s.var("racks_built") == pytest.approx({("e", 2026): 10.0, ("w", 2026): 20 / 3})
    risks = s.results.risks()
    assert set(risks["region"]) == {"w"} and set(risks["flag"]) == {"idle", "stranded"}
    assert (risks["utilization"] == 0).all()


def test_region_years_fill_retirement_and_wide_demand(tmp_path, fmt):
    """2026-2030 every 2 years: periods 2026 (2 y), 2028 (2 y), 2030 (1 y); no discounting.
    Demand given wide at 2026 = 10 and 2030 = 20 is 10, 15, 20 (2028 interpolated).
    Grid price 10, then 20 from 2028 on (region_years), holding in 2030.
    10 existing racks retire in 2028. Racks cost 100 over a 100-year life: 1 per rack-year.
    Build 15 in 2028 and 5 in 2030: 15 x 1 x (2 + 1) + 5 x 1 x 1 = 50.
    Energy: 10 x 8760 x 10 x 2 + 15 x 8760 x 20 x 2 + 20 x 8760 x 20 x 1
          = 1,752,000 + 5,256,000 + 3,504,000 = 10,512,000. Total 10,512,050."""
    import pandas as pd

    case = sheets([region(A, existing_racks=10, existing_retire_year=2028, rack_capex=100, grid_price=10)],
                  [dict(region=A, workload="w", year=2026, ttok_per_day=10)],
                  settings={"end_year": 2030, "year_step": 2, "rack_life": 100},
                  region_years=[dict(region=A, year=2028, grid_price=20)])
    case["demand"] = pd.DataFrame([{"region": A, "workload": "w", 2026: 10, 2030: 20}])
    s = solve_sheets(case, tmp_path, fmt)
    assert s.data.demand.to_dict() == pytest.approx(
        {("base", A, "w", 2026): 10.0, ("base", A, "w", 2028): 15.0, ("base", A, "w", 2030): 20.0})
    assert s.data.supply["grid_price"].to_dict() == {("base", A, 2026): 10.0, ("base", A, 2028): 20.0,
                                                     ("base", A, 2030): 20.0}
    assert s.objective == pytest.approx(10_512_050, rel=1e-9)
    assert s.var("racks_built") == pytest.approx({(A, 2028): 15.0, (A, 2030): 5.0})
    assert s.var("racks_in_service") == pytest.approx({(A, 2026): 10.0, (A, 2028): 15.0, (A, 2030): 20.0})


def test_corridor_defaults_from_lat_lon(tmp_path, fmt):
    """a at (0, 0), b at (0, 1): great circle 6371 x pi / 180 = 111.195 km, x 1.2 = 133.434 km.
    latency 133.434 x 0.01 + 2 = 3.33434 ms; optical capex 133.434 x 10 + 100 = 1,434.34 per
    Tbps; HVDC capex 133.434 x 1000 = 133,433.9 per GW; loss 0.133434 x 0.03 = 0.0040030."""
    km = 6371 * math.pi / 180 * 1.2
    case = sheets([region(A), region(B, lon=1, rack_capex=50, grid_price=5)],
                  [dict(region=A, workload="w", year=2026, ttok_per_day=1)],
                  settings={"optical_capex_per_tbps_km": 10, "optical_fixed_capex_per_tbps": 100,
                            "hvdc_capex_per_gw_km": 1000},
                  corridors=[{"from": A, "to": B, "hvdc_max_gw": 0}])
    s = solve_sheets(case, tmp_path, fmt)
    c = s.data.corridors.iloc[0]
    assert c["distance_km"] == pytest.approx(km, rel=1e-9) == pytest.approx(133.434, abs=1e-3)
    assert c["latency_ms"] == pytest.approx(km * 0.01 + 2, rel=1e-9)
    assert c["optical_capex"] == pytest.approx(km * 10 + 100, rel=1e-9)
    assert c["hvdc_capex"] == pytest.approx(km * 1000, rel=1e-9)
    assert c["hvdc_loss"] == pytest.approx(km / 1000 * 0.03, rel=1e-9)
    # remote: 50 + 8760 x 5 + 1 Tbps x 1,434.34 = 45,284.34 (home would be 100 + 87,600)
    assert s.objective == pytest.approx(50 + H * 5 + km * 10 + 100, rel=1e-9)


@pytest.mark.parametrize("limit, remote", [(3.334, False), (3.335, True)])
def test_default_latency_decides_remote_serving(tmp_path, limit, remote):
    """The computed latency 3.33434 ms is just above 3.334 and below 3.335."""
    case = sheets([region(A), region(B, lon=1, rack_capex=50, grid_price=5)],
                  [dict(region=A, workload="w", year=2026, ttok_per_day=1)],
                  settings={"optical_capex_per_tbps_km": 10}, corridors=[{"from": A, "to": B, "hvdc_max_gw": 0}],
                  workloads=[dict(workload="w", mwh_per_ttok=24, gbps_per_ttok=1000, max_latency_ms=limit)])
    s = solve_sheets(case, tmp_path)
    assert (("base", A, B, "w", 2026) in s.var("tokens_served")) is remote
