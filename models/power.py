"""Power bought: grid and green power per region, what it costs and what it emits.

Decisions (average MW, per future, period and time slice): ``grid_power_mw[f, r, p, s]`` <=
grid_max_mw x grid_max_factor and ``green_power_mw[f, r, p, s]`` <= green_mw x green_factor (only
where green power can be contracted). Both caps
cover all power bought in the region, including power bought for export. Both join the power
balance (models/balance.py) as power arriving.

Cost: ``energy`` = sum over slices of hours x (grid price x its factor x grid MW + green price x
green MW); green is paid as used. Without slices, 8760 h x the yearly average.
Outputs: grid and green MW, energy cost and emissions (t CO2 a year) per region.
"""
from __future__ import annotations

import math

import pandas as pd
from pyomo.core import Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum
from .registry import Feature, PowerTerm
from .slices import at, index, names, split
from .values import series

HOURS_PER_YEAR = 8760.0


def add(m, data) -> None:
    supply = data.supply  # (future, region, period)
    factors = data.factors  # (future, region, slice)
    grid_cap = supply["grid_max_mw"].to_dict()
    green_cap = supply["green_mw"].to_dict()
    grid_price = supply["grid_price"].to_dict()
    green_price = supply["green_price"].to_dict()
    green_f, price_f, grid_f = (factors[c].to_dict() for c in ("green_factor", "grid_price_factor", "grid_max_factor"))
    hours = data.slices["hours"].to_dict()

    def limit(cap, k):
        return cap if k == 1.0 else cap * k

    def grid_bounds(m, *key):
        (f, r, p), sl = split(m, key)
        cap = grid_cap[(f, r, p)]
        return (0.0, None if math.isinf(cap) else limit(cap, grid_f[(f, r, sl)]))   # a blank limit stays unlimited

    m.grid_power_mw = Var(index(m, m.FUTURES, m.REGIONS, m.PERIODS), within=NonNegativeReals, bounds=grid_bounds,
                          dense=True)
    # green power follows its profile: green_mw is the yearly average, available x the slice's factor
    green_index = [(f, r, p) + at(m, sl) for (f, r, p), cap in green_cap.items() if cap > 0 for sl in m.SLICES]

    def green_bounds(m, *key):
        (f, r, p), sl = split(m, key)
        return (0.0, limit(green_cap[(f, r, p)], green_f[(f, r, sl)]))

    m.green_power_mw = Var(green_index, within=NonNegativeReals, bounds=green_bounds, dense=True)
    has_green = set(green_index)
    grid, green = dict(m.grid_power_mw.items()), dict(m.green_power_mw.items())

    # grid first, then green: the order of the balance's terms as it has always been written
    m.registry.power.append(PowerTerm("bought", lambda f, r, p, sl: [(1.0, grid[(f, r, p) + at(m, sl)])] + (
        [(1.0, green[(f, r, p) + at(m, sl)])] if (f, r, p) + at(m, sl) in has_green else [])))

    def price(f, r, p, sl):
        k = price_f[(f, r, sl)]
        return grid_price[(f, r, p)] if k == 1.0 else grid_price[(f, r, p)] * k

    def energy_cost(m, f, p):
        # hours of each slice x its price x MW; time-of-use grid prices follow the profile
        return linear_sum([(hours[sl] * price(f, r, p, sl), grid[(f, r, p) + at(m, sl)])
                           for r in m.REGIONS for sl in m.SLICES]
                          + [(hours[sl] * green_price[(f, r, p)], green[(f, r, p) + at(m, sl)])
                             for r in m.REGIONS for sl in m.SLICES if (f, r, p) + at(m, sl) in has_green])

    m.energy_cost = Expression(m.FUTURES, m.PERIODS, rule=energy_cost)
    costs.register(m, "energy", "energy_cost", per_future=True)


def extract(m, data) -> dict[str, pd.Series]:
    """Per slice: grid and green MW, and the energy cost and emissions of each slice's hours."""
    where = names(m, "future", "region", "period")
    grid = series(m.grid_power_mw, where)
    green = series(m.green_power_mw, where).reindex(grid.index).fillna(0.0)
    if not m.sliced:   # a year of 8760 hours at the yearly prices
        sup = data.supply.reindex(grid.index)
        return {
            "grid_mw": grid,
            "green_mw": green,
            "energy_cost": HOURS_PER_YEAR * (grid * sup["grid_price"] + green * sup["green_price"].fillna(0.0)),
            "emissions_t": HOURS_PER_YEAR * grid * sup["grid_co2"],
        }
    sup = data.supply.reindex(grid.index.droplevel("slice"))
    factor = data.factors.reindex(grid.index.droplevel("period"))
    hours = data.slices["hours"].reindex(grid.index.get_level_values("slice")).to_numpy()
    price = sup["grid_price"].to_numpy() * factor["grid_price_factor"].to_numpy()
    return {
        "grid_mw": grid,
        "green_mw": green,
        "energy_cost": hours * (grid * price + green * sup["green_price"].fillna(0.0).to_numpy()),
        "emissions_t": hours * grid * sup["grid_co2"].to_numpy(),
    }


FEATURE = Feature("power", add, extract, joins=("power",))
