"""HVDC: GW built and in service per corridor, and power sent each way.

Decisions: ``hvdc_built_gw[a, b, p]``, ``hvdc_in_service_gw[a, b, p]``, and
``hvdc_flow_mw[f, sender, receiver, p]`` measured at the sending end; the receiver gets
flow x (1 - loss) (used by the power balance). Each direction may send up to the full
capacity in service: ``hvdc_flow_limit``: flow <= 1000 x GW in service. Cost: ``hvdc``.
"""
from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var

from .linear import linear_sum
from .stock import add_corridor_stock


def add(m, data) -> None:
    s = data.settings
    c = add_corridor_stock(m, data, "hvdc", "gw", life=s.hvdc_life, fom=s.hvdc_fom)

    arcs = [(a, b) for a, b in c.index] + [(b, a) for a, b in c.index]
    corridor_of = {**{(a, b): (a, b) for a, b in c.index}, **{(b, a): (a, b) for a, b in c.index}}
    m.HVDC_ARCS = sorted(arcs)
    m.hvdc_delivered_share = {(x, y): 1.0 - c.at[corridor_of[(x, y)], "hvdc_loss"] for x, y in arcs}
    flow_index = [(f, x, y, p) for f in m.FUTURES for x, y in m.HVDC_ARCS for p in m.PERIODS]
    m.hvdc_flow_mw = Var(flow_index, within=NonNegativeReals, dense=True)

    flow, capacity = dict(m.hvdc_flow_mw.items()), dict(m.hvdc_in_service_gw.items())

    def limit(m, f, x, y, p):
        a, b = corridor_of[(x, y)]
        # MW sent - 1000 x GW in service <= 0
        return linear_sum([(1.0, flow[f, x, y, p]), (-1000.0, capacity[a, b, p])]) <= 0.0

    m.hvdc_flow_limit = Constraint(flow_index, rule=limit)
