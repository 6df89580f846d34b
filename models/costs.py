"""The objective, assembled from the cost terms features register (as SWITCH and GenX do).

A feature adds a Pyomo ``Expression`` holding its undiscounted cost per year of a period
(currency/year) and registers it under a reported component. Plan costs are indexed by period;
operating costs by (future, period) and weighted by the future's probability. The objective is

    sum over periods p of DW_p * (plan costs[p] + sum over futures f of prob_f * operating costs[f, p])

so adding a technology or a policy with a cost is one new module, not edits here.
"""
from __future__ import annotations

from pyomo.core import Objective, minimize

from .registry import CostTerm

# The components the contract reports (SPEC section 6, run.json `costs`), in report order; a
# feature may register more, which are reported after these.
COMPONENTS = ("rack_capex", "rack_fom", "optical", "hvdc", "energy", "unserved")


def register(m, component: str, expression_name: str, per_future: bool) -> None:
    m.registry.costs.append(CostTerm(component, expression_name, per_future))


# Where the version 2 components stand among them in tables and charts.
REPORT_ORDER = ("rack_capex", "rack_fom", "server_capex", "server_fom", "optical", "hvdc", "energy", "unserved")


def components(m) -> list[str]:
    """The contract's components and any others features registered, in report order."""
    found = list(COMPONENTS) + [c for c in m.registry.components if c not in COMPONENTS]
    known = {c: i for i, c in enumerate(REPORT_ORDER)}
    return sorted(found, key=lambda c: (known.get(c, len(known)), found.index(c)))


def add_objective(m, data) -> None:
    weights = data.weights
    probability = data.futures

    def total(m):
        terms = []
        for term in m.registry.costs:
            expr = getattr(m, term.expression)
            for p in m.PERIODS:
                if term.per_future:
                    terms.extend(weights[p] * probability[f] * expr[f, p] for f in m.FUTURES)
                else:
                    terms.append(weights[p] * expr[p])
        return sum(terms)

    m.total_cost = Objective(rule=total, sense=minimize)
