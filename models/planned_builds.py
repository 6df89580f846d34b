"""Planned builds: announced provincial projects forced into the plan, so their overcapacity shows.

``planned_build[r, p, kind]``: racks built in period p equal (fixed), at least (min) or at most
(max) the racks of the planned rows landing in that period (summed). Conflicts with build
limits or each other are input errors found before solving (planner.validation).
"""
from __future__ import annotations

from pyomo.environ import Constraint


def add(m, data) -> None:
    pb = data.planned_builds
    target = {(r, p, k): v for r, p, k, v in zip(pb["region"], pb["period"], pb["kind"], pb["racks"])}

    def planned(m, r, p, kind):
        built = m.racks_built[r, p]
        if kind == "fixed":
            return built == target[(r, p, kind)]
        if kind == "min":
            return built >= target[(r, p, kind)]
        return built <= target[(r, p, kind)]

    m.planned_build = Constraint(sorted(target), rule=planned)
