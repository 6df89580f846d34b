"""HVDC: GW built and in service per corridor, and power sent each way.

Decisions: ``hvdc_built_gw[a, b, p]``, ``hvdc_in_service_gw[a, b, p]``, and
``hvdc_flow_mw[f, sender, receiver, p, s]`` (per time slice) measured at the sending end; the receiver gets
flow x (1 - loss): both ends join the power balance. Each direction may send up to the full
capacity in service: ``hvdc_flow_limit``: flow <= 1000 x GW in service. Cost: ``hvdc``
(annuities + O&M; and, where a corridor has an ``hvdc_tariff``, 8760 h x tariff x MW sent, paid
by the sender, an operating cost per future, SPEC 7.5c).
Outputs: capacity built and in service, what a GW costs a year, the flow of each direction,
and per region the power received (after losses) and sent.
"""
from __future__ import annotations

import pandas as pd
from pyomo.core import Constraint, Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum
from .power import HOURS_PER_YEAR
from .registry import Feature, PowerTerm
from .slices import at, names, split
from .stock import add_corridor_stock, corridor_build, stock_extract
from .values import series


def add(m, data) -> None:
    s = data.settings
    c = add_corridor_stock(m, data, "hvdc", "gw", life=s.hvdc_life, fom=s.hvdc_fom)

    arcs = [(a, b) for a, b in c.index] + [(b, a) for a, b in c.index]
    corridor_of = {**{(a, b): (a, b) for a, b in c.index}, **{(b, a): (a, b) for a, b in c.index}}
    m.HVDC_ARCS = sorted(arcs)
    m.hvdc_delivered_share = {(x, y): 1.0 - c.at[corridor_of[(x, y)], "hvdc_loss"] for x, y in arcs}
    flow_index = [(f, x, y, p) + at(m, sl) for f in m.FUTURES for x, y in m.HVDC_ARCS for p in m.PERIODS
                  for sl in m.SLICES]
    m.hvdc_flow_mw = Var(flow_index, within=NonNegativeReals, dense=True)

    flow, capacity = dict(m.hvdc_flow_mw.items()), dict(m.hvdc_in_service_gw.items())

    def limit(m, *key):
        (f, x, y, p), sl = split(m, key)
        a, b = corridor_of[(x, y)]
        # MW sent - 1000 x GW in service <= 0
        return linear_sum([(1.0, flow[key]), (-1000.0, capacity[a, b, p])]) <= 0.0

    m.hvdc_flow_limit = Constraint(flow_index, rule=limit)

    tariff = {arc: c.at[corridor_of[arc], "hvdc_tariff"] for arc in arcs}
    hours = data.slices["hours"].to_dict()
    if any(v > 0 for v in tariff.values()):
        def charges(m, f, p):
            return linear_sum((hours[sl] * tariff[arc], flow[(f,) + arc + (p,) + at(m, sl)]) for arc in m.HVDC_ARCS
                              for sl in m.SLICES if tariff[arc] > 0)

        m.hvdc_tariff_cost = Expression(m.FUTURES, m.PERIODS, rule=charges)
        costs.register(m, "hvdc", "hvdc_tariff_cost", per_future=True)

    received: dict[str, list] = {}
    sent: dict[str, list] = {}
    for x, y in m.HVDC_ARCS:
        sent.setdefault(x, []).append((x, y))
        received.setdefault(y, []).append((x, y))
    share = m.hvdc_delivered_share
    m.registry.power.append(PowerTerm("hvdc_received", lambda f, r, p, sl: [
        (share[arc], flow[(f,) + arc + (p,) + at(m, sl)]) for arc in received.get(r, ())]))
    m.registry.power.append(PowerTerm("hvdc_sent", lambda f, r, p, sl: [
        (-1.0, flow[(f,) + arc + (p,) + at(m, sl)]) for arc in sent.get(r, ())]))


def extract(m, data) -> dict[str, pd.Series]:
    out = stock_extract(m, data, corridor_build("hvdc", "gw"), "hvdc")
    where = names(m, "future", "region", "period")
    flow = series(m.hvdc_flow_mw, names(m, "future", "sender", "receiver", "period"))
    out["hvdc_flow_mw"] = flow
    flow = flow.reset_index()
    if len(flow):
        flow.columns = names(m, "future", "sender", "receiver", "period") + ["mw"]
        flow["delivered"] = flow["mw"] * [m.hvdc_delivered_share[(x, y)] for x, y in zip(flow["sender"], flow["receiver"])]
        out["hvdc_sent_mw"] = flow.groupby(names(m, "future", "sender", "period"))["mw"].sum().rename_axis(where)
        out["hvdc_received_mw"] = flow.groupby(names(m, "future", "receiver", "period"))["delivered"].sum().rename_axis(where)
    else:
        empty = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=where))
        out["hvdc_sent_mw"], out["hvdc_received_mw"] = empty, empty.copy()
    return out


FEATURE = Feature("hvdc", add, extract, joins=("power",))
