"""Elastic mode: find which rows make the plan infeasible.

Only policies and planned builds can make the LP infeasible (unserved demand absorbs every
other shortfall). In elastic mode each of their rows gets a non-negative slack that lets it
give, and the model minimises the total slack instead of cost; the rows whose slack stays
positive are the ones that cannot be met, and the slack says by how much (in the row's own
unit). As SWITCH's diagnose_infeasibility does, with any solver.
"""
from __future__ import annotations

from pyomo.core import NonNegativeReals, Objective, Var, minimize

from .registry import Slack


def slack(m, name: str, index, row: str, unit: str):
    """A slack variable for ``index`` (registered), or None when the model is not elastic."""
    if not m.elastic:
        return None
    var = Var(index, within=NonNegativeReals, dense=True)
    setattr(m, name, var)
    m.registry.slacks.append(Slack(name, row, unit))
    return var


def add_objective(m) -> None:
    """Replace the cost objective by the total slack."""
    m.total_cost.deactivate()

    def violation(m):
        return sum(getattr(m, f.variable)[k] for f in m.registry.slacks for k in getattr(m, f.variable))

    m.total_violation = Objective(rule=violation, sense=minimize)
