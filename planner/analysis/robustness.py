"""How a build plan fares when the future is not the one it was made for.

* **Stress test** (`planner stress PLAN_DIR SCENARIO...`): fix the plan of a finished run and
  re-optimise operations under other scenarios (or every future of a scenario): cost, unserved
  demand, idle racks and their cost.
* **Regret table** (`planner regret SCENARIO`): for a scenario with futures, a plan made for each
  future and the stochastic plan, each lived in every future. Regret is a plan's cost in a future
  minus the best cost in that future (with the future known when building); the minimax-regret
  plan is the one whose worst regret is smallest.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner.analysis.plans import Plan, PlanMismatch, evaluate
from planner.optimise.prepare import ModelData, prepare
from planner.results.tables import Results
from planner.optimise.solver import SolverOptions
from planner.results.store import idle_cost_by_future
from planner.analysis.stochastic import select_future, solve_plan

STOCHASTIC = "stochastic"


def lived(data: ModelData, plan: Plan, options: SolverOptions | None = None) -> tuple[pd.DataFrame, Results | None, str]:
    """A plan lived in every future of ``data``: per-future cost, unserved share and idle racks."""
    try:
        model, sol = evaluate(data, plan, options)
    except PlanMismatch as err:
        return pd.DataFrame(), None, str(err)
    if not sol.optimal:
        return pd.DataFrame(), None, f"{sol.status}: {sol.message}"
    results = Results(model, data, sol)
    return results.futures(), results, ""


def stress(plan: Plan, scenarios: list[tuple[str, object, list | None]], options: SolverOptions | None = None,
           progress=lambda label: None) -> pd.DataFrame:
    """One row per scenario and future: the plan's cost and what it leaves idle or unserved."""
    rows = []
    for name, case, futures in scenarios:
        progress(name)
        data = prepare(case, futures)
        table, results, why = lived(data, plan, options)
        if results is None:
            rows.append(dict(scenario=name, future="", status="failed", reason=why))
            continue
        idle = results.idle()
        # the same figure `planner compare` shows for a run (store.idle_cost_by_future), per future
        idle_cost = idle_cost_by_future(results.risks(), data.period_years)
        for r in table.to_dict("records"):
            mine = idle[idle["future"] == r["future"]]
            rows.append(dict(scenario=name, future=r["future"], status="optimal", reason="",
                             probability=r["probability"], total_cost=r["total_cost"],
                             first_stage_cost=r["first_stage_cost"], second_stage_cost=r["second_stage_cost"],
                             demand_served_share=r["demand_served_share"], mean_utilization=r["mean_utilization"],
                             idle_rack_years=float((mine["idle_racks"] * mine["years"]).sum()),
                             idle_cost_sum=float(idle_cost.get(r["future"], 0.0))))
    return pd.DataFrame(rows)


@dataclass
class RegretTable:
    cells: pd.DataFrame      # plan, future, probability, cost, regret, demand_served_share, idle_rack_years
    plans: pd.DataFrame      # plan, expected_cost, max_regret, expected_regret, minimax
    best: dict[str, float]   # future -> best cost with that future known

    @property
    def minimax(self) -> str:
        return str(self.plans.loc[self.plans["minimax"], "plan"].iloc[0])


def regret(data: ModelData, options: SolverOptions | None = None, progress=lambda label: None) -> RegretTable:
    if not data.stochastic:
        raise ValueError("a regret table needs a scenario with at least two futures")
    plans, best = {}, {}
    for f in data.futures:
        progress(f"planning for the {f} future")
        plans[f], best[f] = solve_plan(select_future(data, f), f, options)
    progress("planning for all futures at once (stochastic)")
    plans[STOCHASTIC], _ = solve_plan(data, STOCHASTIC, options)
    rows = []
    for name, plan in plans.items():
        progress(f"living the {name} plan in every future")
        table, _results, why = lived(data, plan, options)
        if why:
            raise RuntimeError(f"the {name} plan could not be evaluated: {why}")
        for r in table.to_dict("records"):
            rows.append(dict(plan=name, future=r["future"], probability=r["probability"], cost=r["total_cost"],
                             regret=r["total_cost"] - best[r["future"]],
                             demand_served_share=r["demand_served_share"], idle_rack_years=r["idle_rack_years"]))
    cells = pd.DataFrame(rows)
    cells["regret"] = cells["regret"].clip(lower=0.0)  # solver tolerance: no plan beats the best
    by = cells.assign(weighted=cells["cost"] * cells["probability"], wregret=cells["regret"] * cells["probability"])
    summary = by.groupby("plan", sort=False).agg(expected_cost=("weighted", "sum"), max_regret=("regret", "max"),
                                                 expected_regret=("wregret", "sum")).reset_index()
    summary["minimax"] = summary["max_regret"] == summary["max_regret"].min()
    if summary["minimax"].sum() > 1:  # ties: the lower expected cost wins
        tied = summary[summary["minimax"]]
        winner = tied.loc[tied["expected_cost"].idxmin(), "plan"]
        summary["minimax"] = summary["plan"] == winner
    return RegretTable(cells, summary, best)
