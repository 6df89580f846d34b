"""Shadow prices: they come back from HiGHS through Pyomo, map to the right constraints, and
agree with finite differences of the objective.

The case is built so that every dual checked is unique (no degenerate vertex): demand grows
from 1 ttok/day (1 MW) in 2026 to 2 in 2028, so a rack is built in each period and a little
more or a little less demand in either period changes builds symmetrically.
"""
from __future__ import annotations

import pytest

from builder import region, sheets, solve_sheets

R = 0.1
DW = {2026: 1 + 1 / 1.1, 2028: 1 / 1.1**2 + 1 / 1.1**3}
ANNUITY = 1000 * R / (1 - 1.1**-10)  # 162.745 a year for a 1000 rack over 10 years
MTOK = 365e6                          # million tokens in a year of 1 ttok/day


def growing(d2026=1.0, d2028=2.0):
    return sheets([region("a", rack_capex=1000, grid_price=1)],
                  [dict(region="a", workload="w", year=2026, ttok_per_day=d2026),
                   dict(region="a", workload="w", year=2028, ttok_per_day=d2028)],
                  settings={"end_year": 2029, "year_step": 2, "discount_rate": R, "rack_life": 10})


def price(results, kind, year):
    p = results.prices()
    return float(p[(p["price"] == kind) & (p["year"] == year)]["value"].iloc[0])


@pytest.mark.parametrize("year", [2026, 2028])
def test_token_cost_matches_finite_difference(tmp_path, year):
    """Token cost in money of its own year: d objective / d demand, divided by DW_p x 365e6."""
    base = solve_sheets(growing(), tmp_path / "base")
    delta = 1e-3
    bumped = growing(1.0 + delta, 2.0) if year == 2026 else growing(1.0, 2.0 + delta)
    up = solve_sheets(bumped, tmp_path / "up")
    finite = (up.objective - base.objective) / delta / (DW[year] * MTOK)
    assert price(base.results, "token_cost", year) == pytest.approx(finite, rel=1e-6)


def test_token_cost_by_hand(tmp_path):
    """One more ttok/day in 2028 is one more rack built in 2028 (162.745 a year) plus 1 MW of
    energy at 1/MWh (8,760 a year): (162.745 + 8760) / 365e6 per million tokens. In 2026 the
    extra rack also serves 2028, where it saves one 2028 build: its net cost in 2026 money is
    the annuity x DW_2026 / DW_2026, the same 162.745 a year."""
    s = solve_sheets(growing(), tmp_path)
    assert price(s.results, "token_cost", 2028) == pytest.approx((ANNUITY + 8760) / MTOK, rel=1e-9)
    assert price(s.results, "token_cost", 2026) == pytest.approx((ANNUITY + 8760) / MTOK, rel=1e-9)


def test_power_price_and_rack_value_by_hand(tmp_path):
    """One more MW needed in a costs one more MW of grid: 1/MWh. One more rack in service in a
    year saves one rack's annuity: 162.745 per rack-year (max_utilization is 1)."""
    s = solve_sheets(growing(), tmp_path)
    for year in (2026, 2028):
        assert price(s.results, "power_price", year) == pytest.approx(1.0, rel=1e-9)
    assert price(s.results, "rack_value", 2028) == pytest.approx(ANNUITY, rel=1e-9)


def test_power_price_matches_finite_difference_of_pue(tmp_path):
    """Raising pue by d adds d x IT MW of load in every period: the objective moves by
    sum_p power_price_p x DW_p x 8760 x IT MW_p x d."""
    base = solve_sheets(growing(), tmp_path / "base")
    d = 1e-3
    case = growing()
    case["regions"]["pue"] = 1.0 + d
    up = solve_sheets(case, tmp_path / "up")
    it = {2026: 1.0, 2028: 2.0}
    predicted = sum(price(base.results, "power_price", y) * DW[y] * 8760 * it[y] * d for y in it)
    assert up.objective - base.objective == pytest.approx(predicted, rel=1e-6)


def test_duals_keyed_by_constraint(tmp_path):
    """Every demand, power and utilisation row has a dual entry on the right Pyomo constraint."""
    s = solve_sheets(growing(), tmp_path)
    m = s.model
    for con in (m.demand_balance, m.power_balance, m.rack_utilization):
        for k in con:
            assert con[k] in m.dual
    assert m.dual[m.demand_balance["base", "a", "w", 2028]] == pytest.approx(
        (ANNUITY + 8760) * DW[2028], rel=1e-9)
