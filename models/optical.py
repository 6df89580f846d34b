"""Optical backbone: Tbps built and in service per corridor, and the traffic remote serving needs.

Decisions: ``optical_built_tbps[a, b, p]`` on corridors that may build, ``optical_in_service_tbps``
on corridors that allow optical. Each direction may use the full capacity (full duplex);
direction user -> server carries the work of users served remotely:
``bandwidth[f, user, server, p]``: sum of served ttok/day x gbps_per_ttok / 1000 <= Tbps in service.
Bandwidth counts useful tokens (not divided by efficiency). Cost: ``optical`` (annuities + O&M).
Outputs: capacity built and in service, what a Tbps costs a year, and the traffic of each
direction (``optical_traffic_tbps`` by future, user region, server region and period).
"""
from __future__ import annotations

import pandas as pd
from pyomo.environ import Constraint

from .linear import linear_sum
from .registry import Feature
from .stock import add_corridor_stock, corridor_build, stock_extract
from .values import series


def add(m, data) -> None:
    s = data.settings
    c = add_corridor_stock(m, data, "optical", "tbps", life=s.optical_life, fom=s.optical_fom)

    corridor_of = {}
    for a, b in c.index:
        corridor_of[(a, b)] = (a, b)
        corridor_of[(b, a)] = (a, b)
    tbps = (data.workloads["gbps_per_ttok"] / 1000.0).to_dict()
    traffic: dict[tuple, list] = {}
    for key, served in m.tokens_served.items():
        f, user, server, w, p = key
        if user != server and tbps[w] > 0:
            traffic.setdefault((f, user, server, p), []).append((tbps[w], served))

    capacity = dict(m.optical_in_service_tbps.items())

    def bandwidth(m, f, user, server, p):
        a, b = corridor_of[(user, server)]
        # traffic - capacity <= 0, as one linear row (no subtraction for the compiler to expand)
        return linear_sum(traffic[(f, user, server, p)] + [(-1.0, capacity[a, b, p])]) <= 0.0

    m.bandwidth = Constraint(sorted(traffic), rule=bandwidth)


def extract(m, data) -> dict[str, pd.Series]:
    out = stock_extract(m, data, corridor_build("optical", "tbps"), "optical")
    tbps = data.workloads["gbps_per_ttok"] / 1000.0
    served = series(m.tokens_served, ["future", "from_region", "to_region", "workload", "period"]).rename("ttok_per_day")
    served = served.reset_index()
    remote = served[served["from_region"] != served["to_region"]].copy()
    remote["tbps"] = remote["workload"].map(tbps) * remote["ttok_per_day"]
    out["optical_traffic_tbps"] = remote.groupby(["future", "from_region", "to_region", "period"])["tbps"].sum()
    return out


FEATURE = Feature("optical", add, extract, requires=("workloads",))
