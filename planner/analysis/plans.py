"""Build plans: what a run decided to build, taken out of one model and fixed in another.

A plan is racks built per region and period, and optical Tbps and HVDC GW built per corridor
and period. Fixing a plan and re-optimising operations is how the value of the stochastic
solution, stress tests and the regret table evaluate a plan in another scenario or future.
With the builds fixed, rows that only constrain the plan (planned builds, the zone capacity
share) and the build limits have nothing left to decide, so they are set aside: the plan is
taken as given, and only operations are re-optimised.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.models import build_model

from planner.optimise.prepare import ModelData
from planner.optimise.solver import SolverOptions, solve
from planner.results.store import load_run, plan_rows

BUILDS = {
    "racks_built": ("racks_built", ["region", "period"]),
    "optical_built_tbps": ("optical_built_tbps", ["from", "to", "period"]),
    "hvdc_built_gw": ("hvdc_built_gw", ["from", "to", "period"]),
}
SERVICE = ("racks_in_service", "optical_in_service_tbps", "hvdc_in_service_gw")
PLAN_ONLY_ROWS = ("planned_build", "min_zone_capacity_share")


@dataclass
class Plan:
    name: str
    builds: dict[str, dict[tuple, float]]   # build variable -> index -> amount

    def total(self, variable: str) -> float:
        return float(sum(self.builds.get(variable, {}).values()))


def plan_of(model, name: str) -> Plan:
    builds = {}
    for var in BUILDS:
        values = getattr(model, var).extract_values()
        builds[var] = {k: float(v) for k, v in values.items() if v is not None and abs(v) > 1e-9}
    return Plan(name, builds)


def plan_from_folder(folder: str | Path) -> Plan:
    """The plan of a finished run, read from its capacity and network tables."""
    run = load_run(folder)
    cap = plan_rows(run.tables["capacity"])
    net = plan_rows(run.tables.get("network", pd.DataFrame()))
    builds = {"racks_built": {(r, int(y)): float(v) for r, y, v in zip(cap["region"], cap["year"], cap["racks_built"])
                              if v > 1e-9}}
    for var in ("optical_built_tbps", "hvdc_built_gw"):
        builds[var] = {(a, b, int(y)): float(v) for a, b, y, v in zip(net["from"], net["to"], net["year"], net[var])
                       if v > 1e-9} if len(net) else {}
    return Plan(run.name, builds)


class PlanMismatch(ValueError):
    """The plan builds something the case cannot hold (an unknown region, corridor or period)."""


def fix_plan(model, plan: Plan) -> None:
    for var, _ in BUILDS.items():
        component = getattr(model, var)
        wanted = dict(plan.builds.get(var, {}))
        for index in component:
            amount = wanted.pop(index, 0.0)
            v = component[index]
            v.setlb(0.0)
            v.setub(None)
            v.fix(amount)
        extra = {k: a for k, a in wanted.items() if a > 1e-9}
        if extra:
            shown = ", ".join(f"{k}: {a:,.3g}" for k, a in list(extra.items())[:3])
            raise PlanMismatch(f"plan '{plan.name}' builds {var.replace('_', ' ')} where this case has no such option "
                               f"({shown}{' ...' if len(extra) > 3 else ''})")
    for name in SERVICE:
        for v in getattr(model, name).values():
            v.setub(None)  # the plan is given: limits on what stands no longer decide anything
    for name in PLAN_ONLY_ROWS:
        getattr(model, name).deactivate()


def evaluate(data: ModelData, plan: Plan, options: SolverOptions | None = None):
    """Operations re-optimised under ``data`` with ``plan``'s builds fixed: (model, solution)."""
    model = build_model(data)
    fix_plan(model, plan)
    return model, solve(model, options)


def without_planned_builds(data: ModelData) -> ModelData:
    return dataclasses.replace(data, planned_builds=data.planned_builds.iloc[0:0])
