"""Planned builds: announced provincial projects forced into the plan, so their overcapacity shows.

``planned_build[r, p, kind]``: racks built in period p equal (fixed), at least (min) or at most
(max) the racks of the planned rows landing in that period (summed). Conflicts with build
limits or each other are input errors found before solving (planner.validation).
"""
from __future__ import annotations

from pyomo.core import Constraint

from .elastic import slack
from .registry import Feature


def add(m, data) -> None:
    pb = data.planned_builds
    target = {(r, p, k): v for r, p, k, v in zip(pb["region"], pb["period"], pb["kind"], pb["racks"])}
    index = sorted(target)
    short = slack(m, "planned_build_shortfall_racks", [k for k in index if k[2] != "max"], "planned_build", "racks")
    over = slack(m, "planned_build_excess_racks", [k for k in index if k[2] != "min"], "planned_build", "racks")

    def planned(m, r, p, kind):
        built = m.racks_built[r, p]
        if short is not None and kind != "max":
            built = built + short[r, p, kind]
        if over is not None and kind != "min":
            built = built - over[r, p, kind]
        if kind == "fixed":
            return built == target[(r, p, kind)]
        if kind == "min":
            return built >= target[(r, p, kind)]
        return built <= target[(r, p, kind)]

    m.planned_build = Constraint(index, rule=planned)
    m.registry.plan_only.append("planned_build")   # a fixed plan has nothing left for it to decide


FEATURE = Feature("planned_builds", add, requires=("racks",))
