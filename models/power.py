"""Power bought: grid and green power per region, what it costs and what it emits.

Decisions (average MW, per future and period): ``grid_power_mw[f, r, p]`` <= grid_max_mw and
``green_power_mw[f, r, p]`` <= green_mw (only where green power can be contracted). Both caps
cover all power bought in the region, including power bought for export. Both join the power
balance (models/balance.py) as power arriving.

Cost: ``energy`` = 8760 h x (grid price x grid MW + green price x green MW); green is paid as used.
Outputs: grid and green MW, energy cost and emissions (t CO2 a year) per region.
"""
from __future__ import annotations

import math

import pandas as pd
from pyomo.environ import Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum
from .registry import Feature, PowerTerm
from .values import series

HOURS_PER_YEAR = 8760.0


def add(m, data) -> None:
    supply = data.supply  # (future, region, period)
    grid_cap = supply["grid_max_mw"].to_dict()
    green_cap = supply["green_mw"].to_dict()
    grid_price = supply["grid_price"].to_dict()
    green_price = supply["green_price"].to_dict()

    def grid_bounds(m, f, r, p):
        cap = grid_cap[(f, r, p)]
        return (0.0, None if math.isinf(cap) else cap)

    m.grid_power_mw = Var(m.FUTURES, m.REGIONS, m.PERIODS, within=NonNegativeReals, bounds=grid_bounds, dense=True)
    green_index = [k for k, cap in green_cap.items() if cap > 0]
    m.green_power_mw = Var(green_index, within=NonNegativeReals, bounds=lambda m, *k: (0.0, green_cap[k]), dense=True)
    has_green = set(green_index)
    grid, green = dict(m.grid_power_mw.items()), dict(m.green_power_mw.items())

    # grid first, then green: the order of the balance's terms as it has always been written
    m.registry.power.append(PowerTerm("bought", lambda f, r, p: [(1.0, grid[f, r, p])] + (
        [(1.0, green[f, r, p])] if (f, r, p) in has_green else [])))

    def energy_cost(m, f, p):
        return linear_sum([(HOURS_PER_YEAR * grid_price[(f, r, p)], grid[f, r, p]) for r in m.REGIONS]
                          + [(HOURS_PER_YEAR * green_price[(f, r, p)], green[f, r, p])
                             for r in m.REGIONS if (f, r, p) in has_green])

    m.energy_cost = Expression(m.FUTURES, m.PERIODS, rule=energy_cost)
    costs.register(m, "energy", "energy_cost", per_future=True)


def extract(m, data) -> dict[str, pd.Series]:
    grid = series(m.grid_power_mw, ["future", "region", "period"])
    green = series(m.green_power_mw, ["future", "region", "period"]).reindex(grid.index).fillna(0.0)
    sup = data.supply.reindex(grid.index)
    return {
        "grid_mw": grid,
        "green_mw": green,
        "energy_cost": HOURS_PER_YEAR * (grid * sup["grid_price"] + green * sup["green_price"].fillna(0.0)),
        "emissions_t": HOURS_PER_YEAR * grid * sup["grid_co2"],
    }


FEATURE = Feature("power", add, extract, joins=("power",))
