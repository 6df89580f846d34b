"""Optical backbone: Tbps built and in service per corridor, and the traffic remote serving needs.

Decisions: ``optical_built_tbps[a, b, p]`` on corridors that may build, ``optical_in_service_tbps``
on corridors that allow optical. Each direction may use the full capacity (full duplex);
direction user -> server carries the work of users served remotely:
``bandwidth[f, user, server, p, s]``: sum of served ttok/day x gbps_per_ttok / 1000 <= Tbps in
service, in every slice (the link is sized for the peak).
Bandwidth counts useful tokens (not divided by efficiency); traffic per token may change by year
(SPEC 7.3). Cost: ``optical`` (annuities + O&M; and, where a corridor has an ``optical_tariff``,
the fee on the traffic carried each direction, an operating cost per future, SPEC 7.5c).
Outputs: capacity built and in service, what a Tbps costs a year, and the traffic of each
direction (``optical_traffic_tbps`` by future, user region, server region and period).
"""
from __future__ import annotations

import pandas as pd
from pyomo.core import Constraint, Expression

from . import costs
from .linear import linear_sum
from .registry import Feature
from .slices import at, names, split
from .stock import add_corridor_stock, corridor_build, stock_extract
from .values import series


def add(m, data) -> None:
    s = data.settings
    c = add_corridor_stock(m, data, "optical", "tbps", life=s.optical_life, fom=s.optical_fom)

    corridor_of = {}
    for a, b in c.index:
        corridor_of[(a, b)] = (a, b)
        corridor_of[(b, a)] = (a, b)
    tbps = (data.workload_params["gbps_per_ttok"] / 1000.0).to_dict()   # (future, workload, period)
    traffic: dict[tuple, list] = {}
    for key, served in m.tokens_served.items():
        (f, user, server, w, p), sl = split(m, key)
        if user != server and tbps[(f, w, p)] > 0:
            traffic.setdefault((f, user, server, p) + at(m, sl), []).append((tbps[(f, w, p)], served))

    capacity = dict(m.optical_in_service_tbps.items())

    def bandwidth(m, *key):
        (f, user, server, p), sl = split(m, key)
        a, b = corridor_of[(user, server)]
        # traffic - capacity <= 0, as one linear row (no subtraction for the compiler to expand)
        return linear_sum(traffic[key] + [(-1.0, capacity[a, b, p])]) <= 0.0

    m.bandwidth = Constraint(sorted(traffic), rule=bandwidth)

    tariff = c["optical_tariff"].to_dict()
    weight = data.slices["weight"].to_dict()
    if any(v > 0 for v in tariff.values()):
        charged: dict[tuple, list] = {}
        for key, terms in traffic.items():
            (f, user, server, p), sl = split(m, key)
            rate = tariff[corridor_of[(user, server)]] * weight[sl]
            if rate > 0:
                charged.setdefault((f, p), []).extend((rate * coef, served) for coef, served in terms)

        def fees(m, f, p):
            # currency per Tbps-year x Tbps carried in each direction (hours-weighted over the slices)
            return linear_sum(charged.get((f, p), ()))

        m.optical_tariff_cost = Expression(m.FUTURES, m.PERIODS, rule=fees)
        costs.register(m, "optical", "optical_tariff_cost", per_future=True)


def extract(m, data) -> dict[str, pd.Series]:
    out = stock_extract(m, data, corridor_build("optical", "tbps"), "optical")
    tbps = data.workload_params["gbps_per_ttok"] / 1000.0
    served = series(m.tokens_served, names(m, "future", "from_region", "to_region", "workload", "period"))
    served = served.rename("ttok_per_day").reset_index()
    remote = served[served["from_region"] != served["to_region"]].copy()
    per_token = tbps.reindex(pd.MultiIndex.from_arrays([remote["future"], remote["workload"], remote["period"]])).to_numpy()
    remote["tbps"] = per_token * remote["ttok_per_day"]
    out["optical_traffic_tbps"] = remote.groupby(names(m, "future", "from_region", "to_region", "period"))["tbps"].sum()
    return out


FEATURE = Feature("optical", add, extract, requires=("workloads",))
