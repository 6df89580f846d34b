"""Uncertain demand (SPEC 4.4): the futures of a case, one at a time or averaged, and what
planning under uncertainty is worth.

* The **stochastic solution** is the extensive form: one build plan, operations per future,
  expected cost ``z_SP``.
* The **value of the stochastic solution** ``VSS = EEV - z_SP``: the expected cost of the plan made
  for the average future (every future parameter weighted by probability), evaluated in every
  future, minus the stochastic optimum. What it costs to plan for the average and hope.
* The **expected value of perfect information** ``EVPI = z_SP - WS``, where ``WS`` is the expected
  cost if each future were known before building (a plan per future). What knowing the future
  would be worth.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from planner.models import build_model

from planner.analysis.plans import Plan, cost_of_plan_live, evaluate, plan_of
from planner.optimise.prepare import ModelData
from planner.optimise.solver import SolverOptions, objective_value, solve

AVERAGE = "average"


def select_future(data: ModelData, future: str) -> ModelData:
    """The case as if ``future`` were certain."""
    return dataclasses.replace(
        data,
        futures={future: 1.0},
        demand=data.demand[data.demand.index.get_level_values("future") == future],
        supply=data.supply[data.supply.index.get_level_values("future") == future],
        workload_params=data.workload_params[data.workload_params.index.get_level_values("future") == future],
        factors=data.factors[data.factors.index.get_level_values("future") == future],
        demand_factors=data.demand_factors[data.demand_factors.index.get_level_values("future") == future],
    )


def average_future(data: ModelData) -> ModelData:
    """One future whose demand, prices and energy and traffic per token are the
    probability-weighted averages of the futures."""
    p = pd.Series(data.futures)
    demand = data.demand.unstack("future", fill_value=0.0).reindex(columns=p.index, fill_value=0.0)
    demand = (demand * p).sum(axis=1)
    demand = demand[demand > 0]
    demand = pd.concat({AVERAGE: demand}, names=["future"])
    supply = data.supply.copy()
    weights = supply.index.get_level_values("future").map(p).to_numpy()
    filled = supply.fillna(0.0).mul(weights, axis=0)
    averaged = filled.groupby(level=["region", "period"]).sum()
    # a price only matters where its power exists; keep it blank where no future has any
    averaged["green_price"] = averaged["green_price"].where(
        supply["green_price"].notna().groupby(level=["region", "period"]).any())
    averaged = pd.concat({AVERAGE: averaged}, names=["future"])
    return dataclasses.replace(data, futures={AVERAGE: 1.0}, demand=demand.rename("ttok_per_day"), supply=averaged,
                               workload_params=_averaged(data.workload_params, p, ["workload", "period"]),
                               factors=_averaged(data.factors, p, ["region", "slice"]),
                               demand_factors=_averaged(data.demand_factors.to_frame(), p, ["workload", "slice"])["demand_factor"])


def _averaged(frame: pd.DataFrame, probability: pd.Series, keys: list[str]) -> pd.DataFrame:
    """Probability-weighted means over the futures of a future-indexed frame; where every future
    has the same value, that value itself (a weighted sum may round it)."""
    by = frame.groupby(level=keys)
    weighted = frame.mul(frame.index.get_level_values("future").map(probability).to_numpy(), axis=0)
    weighted = weighted.groupby(level=keys).sum()
    same = by.max() == by.min()
    return pd.concat({AVERAGE: by.first().where(same, weighted)}, names=["future"])


def solve_plan(data: ModelData, name: str, options: SolverOptions | None = None) -> tuple[Plan, float]:
    """Solve ``data`` and return its plan and optimal cost."""
    m = build_model(data)
    sol = solve(m, options)
    if not sol.optimal:
        raise RuntimeError(f"{name}: {sol.status} ({sol.message})")
    return plan_of(m, name), objective_value(m)


@dataclass
class ValueOfInformation:
    stochastic: float          # z_SP
    average_plan: float        # cost of the average-future plan in the average future
    eev: float                 # expected cost of the average-future plan over the futures
    wait_and_see: float        # expected cost with each future known in advance
    per_future: dict[str, float]

    @property
    def vss(self) -> float:
        return self.eev - self.stochastic

    @property
    def evpi(self) -> float:
        return self.stochastic - self.wait_and_see

    def as_dict(self) -> dict[str, float]:
        return {"stochastic_cost": self.stochastic, "average_future_plan_cost": self.average_plan,
                "expected_cost_of_average_plan": self.eev, "value_of_stochastic_solution": self.vss,
                "wait_and_see_cost": self.wait_and_see, "expected_value_of_perfect_information": self.evpi,
                **{f"perfect_information_cost_{f}": v for f, v in self.per_future.items()}}


def value_of_information(data: ModelData, stochastic_cost: float, options: SolverOptions | None = None,
                         progress=lambda stage: None, live=None, model=None) -> ValueOfInformation:
    """VSS and EVPI of the stochastic solution. With ``live`` (the stochastic solve's
    :class:`~planner.optimise.solver.LiveLP`) and its ``model``, the average plan is lived in
    every future on HiGHS's copy of that LP (:func:`~planner.analysis.plans.cost_of_plan_live`),
    with no second build and hand-over; the average future and each future alone are LPs of
    their own, built and solved afresh (re-solving them on the stochastic LP with its objective
    changed measured slower)."""
    progress("solving for the average future")
    avg_plan, avg_cost = solve_plan(average_future(data), AVERAGE, options)
    progress("living the average plan in every future")
    eev = cost_of_plan_live(live, model, avg_plan) if live is not None else None
    if eev is None:
        m, sol = evaluate(data, avg_plan, options)
        if not sol.optimal:
            raise RuntimeError(f"the average-future plan could not be evaluated: {sol.status}")
        eev = objective_value(m)
    per_future = {}
    for f in data.futures:
        progress(f"solving with perfect information of {f}")
        per_future[f] = solve_plan(select_future(data, f), f, options)[1]
    ws = float(sum(data.futures[f] * per_future[f] for f in data.futures))
    return ValueOfInformation(stochastic_cost, avg_cost, eev, ws, per_future)
