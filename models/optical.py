"""Optical backbone: Tbps built and in service per corridor, and the traffic remote serving needs.

Decisions: ``optical_built_tbps[a, b, p]`` on corridors that may build, ``optical_in_service_tbps``
on corridors that allow optical. Each direction may use the full capacity (full duplex);
direction user -> server carries the work of users served remotely:
``bandwidth[f, user, server, p]``: sum of served ttok/day x gbps_per_ttok / 1000 <= Tbps in service.
Bandwidth counts useful tokens (not divided by efficiency). Cost: ``optical`` (annuities + O&M).
"""
from __future__ import annotations

from pyomo.environ import Constraint

from .stock import add_corridor_stock


def add(m, data) -> None:
    s = data.settings
    c = add_corridor_stock(m, data, "optical", "tbps", life=s.optical_life, fom=s.optical_fom)

    corridor_of = {}
    for a, b in c.index:
        corridor_of[(a, b)] = (a, b)
        corridor_of[(b, a)] = (a, b)
    tbps = (data.workloads["gbps_per_ttok"] / 1000.0).to_dict()
    traffic: dict[tuple, list] = {}
    for key in m.tokens_served:
        f, user, server, w, p = key
        if user != server and tbps[w] > 0:
            traffic.setdefault((f, user, server, p), []).append((key, tbps[w]))

    def bandwidth(m, f, user, server, p):
        a, b = corridor_of[(user, server)]
        return sum(coef * m.tokens_served[k] for k, coef in traffic[(f, user, server, p)]) \
            <= m.optical_in_service_tbps[a, b, p]

    m.bandwidth = Constraint(sorted(traffic), rule=bandwidth)
