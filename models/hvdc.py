"""HVDC: GW built and in service per corridor, and power sent each way.

Decisions: ``hvdc_built_gw[a, b, p]``, ``hvdc_in_service_gw[a, b, p]``, and
``hvdc_flow_mw[f, sender, receiver, p]`` measured at the sending end; the receiver gets
flow x (1 - loss) (used by the power balance). Each direction may send up to the full
capacity in service: ``hvdc_flow_limit``: flow <= 1000 x GW in service. Cost: ``hvdc``.
"""
from __future__ import annotations

import pandas as pd
from pyomo.environ import Constraint, NonNegativeReals, Var

from .stock import add_stock


def add(m, data) -> None:
    s = data.settings
    c = data.corridors[data.corridors["hvdc_allowed"]]
    assets = pd.DataFrame({
        "life": s.hvdc_life,
        "capex": c["hvdc_capex"],
        "fom": s.hvdc_fom,
        "limit": c["hvdc_max_gw"],
        "rate": float("inf"),
        "buildable": c["hvdc_buildable"],
    }, index=c.index)
    existing = pd.Series({(a, b, p): e for (a, b), e in c["hvdc_existing_gw"].items() for p in data.period_starts},
                         dtype=float)
    add_stock(m, data, built="hvdc_built_gw", in_service="hvdc_in_service_gw", balance="hvdc_stock",
              assets=assets, existing=existing, capex_component="hvdc", fom_component="hvdc", cost_name="hvdc")

    arcs = [(a, b) for a, b in c.index] + [(b, a) for a, b in c.index]
    corridor_of = {**{(a, b): (a, b) for a, b in c.index}, **{(b, a): (a, b) for a, b in c.index}}
    m.HVDC_ARCS = sorted(arcs)
    m.hvdc_delivered_share = {(x, y): 1.0 - c.at[corridor_of[(x, y)], "hvdc_loss"] for x, y in arcs}
    flow_index = [(f, x, y, p) for f in m.FUTURES for x, y in m.HVDC_ARCS for p in m.PERIODS]
    m.hvdc_flow_mw = Var(flow_index, within=NonNegativeReals, dense=True)

    def limit(m, f, x, y, p):
        a, b = corridor_of[(x, y)]
        return m.hvdc_flow_mw[f, x, y, p] <= 1000.0 * m.hvdc_in_service_gw[a, b, p]

    m.hvdc_flow_limit = Constraint(flow_index, rule=limit)
