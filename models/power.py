"""Power: grid and green power bought per region, and the balance that ties racks, HVDC and supply.

Decisions (average MW, per future and period): ``grid_power_mw[f, r, p]`` <= grid_max_mw and
``green_power_mw[f, r, p]`` <= green_mw (only where green power can be contracted). Both caps
cover all power bought in the region, including power bought for export.

``power_balance[f, r, p]``: grid + green + HVDC received x (1 - loss) - HVDC sent = pue x IT MW.
Cost: ``energy`` = 8760 h x (grid price x grid MW + green price x green MW); green is paid as used.
"""
from __future__ import annotations

import math

from pyomo.environ import Constraint, Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum

HOURS_PER_YEAR = 8760.0


def add(m, data) -> None:
    supply = data.supply  # (future, region, period)
    grid_cap = supply["grid_max_mw"].to_dict()
    green_cap = supply["green_mw"].to_dict()
    grid_price = supply["grid_price"].to_dict()
    green_price = supply["green_price"].to_dict()
    pue = data.regions["pue"].to_dict()

    def grid_bounds(m, f, r, p):
        cap = grid_cap[(f, r, p)]
        return (0.0, None if math.isinf(cap) else cap)

    m.grid_power_mw = Var(m.FUTURES, m.REGIONS, m.PERIODS, within=NonNegativeReals, bounds=grid_bounds, dense=True)
    green_index = [k for k, cap in green_cap.items() if cap > 0]
    m.green_power_mw = Var(green_index, within=NonNegativeReals, bounds=lambda m, *k: (0.0, green_cap[k]), dense=True)
    has_green = set(green_index)

    received: dict[str, list] = {}
    sent: dict[str, list] = {}
    for x, y in m.HVDC_ARCS:
        sent.setdefault(x, []).append((x, y))
        received.setdefault(y, []).append((x, y))

    grid, green, flow = dict(m.grid_power_mw.items()), dict(m.green_power_mw.items()), dict(m.hvdc_flow_mw.items())

    def balance(m, f, r, p):
        key = (f, r, p)
        terms = [(1.0, grid[key])]
        if key in has_green:
            terms.append((1.0, green[key]))
        terms.extend((m.hvdc_delivered_share[arc], flow[(f,) + arc + (p,)]) for arc in received.get(r, ()))
        terms.extend((-1.0, flow[(f,) + arc + (p,)]) for arc in sent.get(r, ()))
        terms.append((-pue[r], m.it_power_mw[f, r, p]))
        # grid + green + received after losses - sent = pue x IT power
        return linear_sum(terms) == 0.0

    m.power_balance = Constraint(m.FUTURES, m.REGIONS, m.PERIODS, rule=balance)

    def energy_cost(m, f, p):
        return linear_sum([(HOURS_PER_YEAR * grid_price[(f, r, p)], grid[f, r, p]) for r in m.REGIONS]
                          + [(HOURS_PER_YEAR * green_price[(f, r, p)], green[f, r, p])
                             for r in m.REGIONS if (f, r, p) in has_green])

    m.energy_cost = Expression(m.FUTURES, m.PERIODS, rule=energy_cost)
    costs.register(m, "energy", "energy_cost", per_future=True)
