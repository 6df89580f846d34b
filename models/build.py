"""Assemble the planning LP from its features, in an order their declarations allow.

Each feature module adds its own variables and constraints and registers its costs, power
terms, builds, policies and prices (models/registry.py); this file only declares the shared
sets, orders the features by what they require, join and close, and adds the objective.
Adding a technology or a policy means adding a module to ``FEATURES``.
"""
from __future__ import annotations

from pyomo.common.gc_manager import PauseGC
from pyomo.core import ConcreteModel, Set, Suffix

from . import balance, costs, elastic, hvdc, optical, planned_builds, policies, power, racks, servers, workloads
from .registry import Feature, Registry

# Listed in the order they have always been built (it fixes the LP's row order); build order
# follows the declarations: a feature after those it requires, a balance after those joining it.
FEATURES: tuple[Feature, ...] = tuple(f.FEATURE for f in (racks, workloads, servers, optical, hvdc, power, balance,
                                                         policies, planned_builds))


def ordered(features) -> list[Feature]:
    """Features in an order that respects ``requires``, ``joins`` and ``closes``, otherwise as listed.

    >>> a, b = Feature("a", None, requires=("b",)), Feature("b", None)
    >>> [f.name for f in ordered([a, b])]
    ['b', 'a']
    """
    features = list(features)
    names = {f.name for f in features}
    after: dict[str, set[str]] = {}
    for f in features:
        missing = [r for r in f.requires if r not in names]
        if missing:
            raise ValueError(f"feature {f.name!r} requires {', '.join(missing)}, which the model does not have")
        closers = [g.name for g in features if g.closes and g.closes in f.joins]
        after[f.name] = set(f.requires)
        for g in closers:
            after.setdefault(g, set()).add(f.name)
    out, placed = [], set()
    while len(out) < len(features):
        ready = next((f for f in features if f.name not in placed and after.get(f.name, set()) <= placed), None)
        if ready is None:
            raise ValueError("the features' requirements form a cycle: " + ", ".join(sorted(names - placed)))
        out.append(ready)
        placed.add(ready.name)
    return out


def build_model(data, elastic_rows: bool = False, features=FEATURES) -> ConcreteModel:
    """The planning LP; with ``elastic_rows`` the policy and planned-build rows may give, and the
    model minimises how much they give (see models/elastic.py)."""
    # The model is millions of small objects, none of them garbage; Python's cycle collector
    # would scan them again and again as they are created (a third of the build time).
    with PauseGC():
        return _build(data, elastic_rows, features)


def _build(data, elastic_rows: bool, features) -> ConcreteModel:
    m = ConcreteModel(name=data.name)
    m.elastic = elastic_rows
    m.registry = Registry()
    m.stock_assets = {}
    m.PERIODS = Set(initialize=data.period_starts, ordered=True)
    m.FUTURES = Set(initialize=list(data.futures), ordered=True)
    m.REGIONS = Set(initialize=list(data.regions.index), ordered=True)
    m.WORKLOADS = Set(initialize=list(data.workloads.index), ordered=True)
    m.SLICES = Set(initialize=list(data.slices.index), ordered=True)   # one, "year", without time slices
    m.sliced = data.sliced   # only then do operating indexes carry the slice (models/slices.py)
    m.features = ordered(features)
    for feature in m.features:
        feature.add(m, data)
    costs.add_objective(m, data)
    if elastic_rows:
        elastic.add_objective(m)
    m.dual = Suffix(direction=Suffix.IMPORT)
    return m


def extract(m, data) -> dict:
    """Every feature's named outputs (tidy Series), in one mapping."""
    out = {}
    for feature in m.features:
        if feature.extract is not None:
            out.update(feature.extract(m, data))
    return out
