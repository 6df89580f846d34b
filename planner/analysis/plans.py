"""Build plans: what a run decided to build, taken out of one model and fixed in another.

A plan is what every registered build decides (models/registry.py ``Build``): racks per region
and period, optical Tbps and HVDC GW per corridor and period, and whatever a new feature
registers. Fixing a plan and re-optimising operations is how the value of the stochastic
solution, stress tests and the regret table evaluate a plan in another scenario or future.
With the builds fixed, rows that only constrain the plan (registered as plan-only: planned
builds, the zone capacity share) and the limits on what stands have nothing left to decide, so
they are set aside: the plan is taken as given, and only operations are re-optimised.
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

from planner.models.registry import Build


def registered_builds(model=None) -> list[Build]:
    """The builds of a model's features (of the standard features without a model)."""
    if model is not None:
        return list(model.registry.builds)
    from planner.models import racks, servers, stock

    return [racks.BUILD, servers.BUILD, stock.corridor_build("optical", "tbps"), stock.corridor_build("hvdc", "gw")]


@dataclass
class Plan:
    name: str
    builds: dict[str, dict[tuple, float]]   # build variable -> index -> amount

    def total(self, variable: str) -> float:
        return float(sum(self.builds.get(variable, {}).values()))


def plan_of(model, name: str) -> Plan:
    builds = {}
    for build in model.registry.builds:
        values = getattr(model, build.built).extract_values()
        builds[build.built] = {k: float(v) for k, v in values.items() if v is not None and abs(v) > 1e-9}
    return Plan(name, builds)


def plan_from_folder(folder: str | Path, builds: list[Build] | None = None) -> Plan:
    """The plan of a finished run, read from the tables its builds are reported in."""
    run = load_run(folder)
    plan: dict[str, dict[tuple, float]] = {}
    for build in builds or registered_builds():
        table = plan_rows(run.tables.get(build.table, pd.DataFrame()))
        if build.column not in table.columns:
            continue   # the run did not decide this stock (servers in a version 1 run): it stays free
        if not len(table):
            plan[build.built] = {}
            continue
        keys = [table[c] for c in build.index] + [table["year"].astype(int)]
        plan[build.built] = {(*k[:-1], int(k[-1])) if len(k) > 1 else k: float(v)
                             for *k, v in zip(*keys, table[build.column]) if v > 1e-9}
    return Plan(run.name, plan)


class PlanMismatch(ValueError):
    """The plan builds something the case cannot hold (an unknown region, corridor or period)."""


@dataclass
class Fixing:
    """What fixing a plan does to a model: every build the plan decided held at its amount, the
    limits on what stands lifted, and the rows that only constrain the plan set aside. One
    description, applied to the Pyomo model (:func:`fix_plan`) or to HiGHS's live copy of a
    solved one (:func:`cost_of_plan_live`)."""

    fixed: list[tuple[object, float]]   # (build variable, amount)
    lifted: list[object]                # in-service variables: no upper bound
    set_aside: list[str]                # plan-only constraints (registry.plan_only)

    def constraints(self, model) -> list:
        return [c for name in self.set_aside for c in getattr(model, name).values()]


def plan_fixing(model, plan: Plan) -> Fixing:
    """How ``plan`` is fixed in ``model``; a build the plan says nothing about stays free.
    ``PlanMismatch`` when the plan builds where the model has no such option."""
    fixed = []
    for build in model.registry.builds:
        var = build.built
        if var not in plan.builds:
            continue
        component = getattr(model, var)
        wanted = dict(plan.builds.get(var, {}))
        fixed += [(component[index], wanted.pop(index, 0.0)) for index in component]
        extra = {k: a for k, a in wanted.items() if a > 1e-9}
        if extra:
            shown = ", ".join(f"{k}: {a:,.3g}" for k, a in list(extra.items())[:3])
            raise PlanMismatch(f"plan '{plan.name}' builds {var.replace('_', ' ')} where this case has no such option "
                               f"({shown}{' ...' if len(extra) > 3 else ''})")
    # the plan is given: limits on what stands no longer decide anything
    lifted = [v for build in model.registry.builds for v in getattr(model, build.in_service).values()]
    return Fixing(fixed, lifted, list(model.registry.plan_only))


def fix_plan(model, plan: Plan) -> None:
    """Fix every build the plan decided in the Pyomo model (see :class:`Fixing`)."""
    fixing = plan_fixing(model, plan)
    for v, amount in fixing.fixed:
        v.setlb(0.0)
        v.setub(None)
        v.fix(amount)
    for v in fixing.lifted:
        v.setub(None)
    for name in fixing.set_aside:
        getattr(model, name).deactivate()


def cost_of_plan_live(live, model, plan: Plan) -> float | None:
    """The optimal cost of ``model``'s LP with ``plan`` fixed, solved on HiGHS's live copy of the
    solved model (:class:`~planner.optimise.solver.LiveLP`): the LP :func:`evaluate` builds,
    without building it or handing it over again. None when that LP has no optimum.

    It is solved with the run's own algorithm, not warm from the optimal basis. Measured on the
    expected cost of the average-future plan (docs/performance.md): 0.85 s this way against 2.0 s
    built afresh on the 3-future benchmark case (143,039 nonzeros), 11.3 s against 17.1 s on the
    bundled national case with 3 futures (690,146); the simplex from the stochastic optimum's
    basis took 0.17 s on the first and 20.1 s on the second, since the average plan lies far
    from that optimum."""
    fixing = plan_fixing(model, plan)
    bounds = [(v, amount, amount) for v, amount in fixing.fixed] + [(v, v.lb, None) for v in fixing.lifted]
    return live.objective_with(bounds, fixing.constraints(model), warm=False)


def evaluate(data: ModelData, plan: Plan, options: SolverOptions | None = None):
    """Operations re-optimised under ``data`` with ``plan``'s builds fixed: (model, solution)."""
    model = build_model(data)
    fix_plan(model, plan)
    return model, solve(model, options)


def without_planned_builds(data: ModelData) -> ModelData:
    return dataclasses.replace(data, planned_builds=data.planned_builds.iloc[0:0])
