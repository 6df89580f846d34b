"""The objective, assembled from cost terms that each feature registers (as SWITCH and GenX do).

A feature adds a Pyomo ``Expression`` holding its undiscounted cost per year of a period
(currency/year) and registers it under one of the reported components. Plan costs are
indexed by period; operating costs by (future, period) and weighted by the future's
probability. The objective is

    sum over periods p of DW_p * (plan costs[p] + sum over futures f of prob_f * operating costs[f, p])

so adding a technology or a policy with a cost is one new module, not edits here.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyomo.environ import Objective, minimize

# The components the contract reports (SPEC section 6, run.json `costs`), in report order.
COMPONENTS = ("rack_capex", "rack_fom", "optical", "hvdc", "energy", "unserved")


@dataclass(frozen=True)
class CostTerm:
    component: str      # one of COMPONENTS
    expression: str     # name of the Expression on the model
    per_future: bool    # indexed (future, period) rather than (period)


def register(m, component: str, expression_name: str, per_future: bool) -> None:
    if component not in COMPONENTS:
        raise ValueError(f"unknown cost component {component!r}")
    m.cost_terms.append(CostTerm(component, expression_name, per_future))


def add_objective(m, data) -> None:
    weights = data.weights
    probability = data.futures

    def total(m):
        terms = []
        for term in m.cost_terms:
            expr = getattr(m, term.expression)
            for p in m.PERIODS:
                if term.per_future:
                    terms.extend(weights[p] * probability[f] * expr[f, p] for f in m.FUTURES)
                else:
                    terms.append(weights[p] * expr[p])
        return sum(terms)

    m.total_cost = Objective(rule=total, sense=minimize)
