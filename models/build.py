"""Assemble the planning LP from its features, in data-flow order.

Each feature module adds its own variables and constraints and registers its costs; this file
only declares the shared sets and calls them. Adding a technology or a policy means adding a
module to ``FEATURES``.
"""
from __future__ import annotations

from pyomo.common.gc_manager import PauseGC
from pyomo.environ import ConcreteModel, Set, Suffix

from . import costs, elastic, hvdc, optical, planned_builds, policies, power, racks, workloads

# Order matters only where one feature uses another's variables.
FEATURES = (racks, workloads, optical, hvdc, power, policies, planned_builds)


def build_model(data, elastic_rows: bool = False) -> ConcreteModel:
    """The planning LP; with ``elastic_rows`` the policy and planned-build rows may give, and the
    model minimises how much they give (see models/elastic.py)."""
    # The model is millions of small objects, none of them garbage; Python's cycle collector
    # would scan them again and again as they are created (a third of the build time).
    with PauseGC():
        return _build(data, elastic_rows)


def _build(data, elastic_rows: bool) -> ConcreteModel:
    m = ConcreteModel(name=data.name)
    m.elastic = elastic_rows
    m.elastic_slacks = []
    m.PERIODS = Set(initialize=data.period_starts, ordered=True)
    m.FUTURES = Set(initialize=list(data.futures), ordered=True)
    m.REGIONS = Set(initialize=list(data.regions.index), ordered=True)
    m.WORKLOADS = Set(initialize=list(data.workloads.index), ordered=True)
    m.cost_terms = []
    for feature in FEATURES:
        feature.add(m, data)
    costs.add_objective(m, data)
    if elastic_rows:
        elastic.add_objective(m)
    m.dual = Suffix(direction=Suffix.IMPORT)
    return m
