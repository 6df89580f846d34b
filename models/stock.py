"""Capacity as a stock: what is built each period, what is in service, and what it costs.

Racks, optical Tbps and HVDC GW follow the same rules (SPEC 4.1, 4.5):

* in service = existing (until it retires) + builds still within their life, written as a
  state equation ``in_service[p] = in_service[p-1] + built[p] - builds leaving + change in
  existing`` rather than a sum over all past builds (half the nonzeros);
* in service <= max(limit, existing): what already stands is never forced out;
* built per period <= build rate x years in the period;
* each build pays ``capex x CRF(r, life)`` in every period it serves (never after the horizon),
  and everything in service pays fixed O&M.

The stock equation makes ``in_service - existing`` equal to the builds still in service, so the
annuities are written on it (one term per asset and period, not one per past build).

Outputs (``stock_extract``): units built and in service, the annual cost of one unit in service
(annuities of builds still in service plus fixed O&M, averaged over everything in service:
what an idle unit costs a year) and the annual cost of one new unit (annuity plus O&M).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pyomo.core import Constraint, Expression, NonNegativeReals, Var

from planner import finance

from . import costs
from .linear import linear_sum
from .registry import Build
from .values import series


def _key(asset) -> tuple:
    return asset if isinstance(asset, tuple) else (asset,)


def add_stock(m, data, *, build: Build, balance: str, assets: pd.DataFrame,
              existing: pd.Series, capex_component: str, fom_component: str, cost_name: str) -> None:
    """Add ``build.built``/``build.in_service`` variables, the stock balance and the cost terms,
    and register the build (plan fixing reads the registry).

    ``assets`` is indexed by asset id and has columns ``life`` (years), ``capex``
    (currency/unit), ``fom`` (currency/unit-year), ``limit`` (most in service, inf = none),
    ``rate`` (most built per year, inf = none), ``buildable`` (bool) and optionally
    ``first_year`` (periods starting before it build nothing).
    ``existing`` maps (asset..., period) to units in service that were never built by the model.
    """
    built, in_service = build.built, build.in_service
    m.registry.builds.append(build)
    m.stock_assets[cost_name] = assets
    periods = data.periods
    starts = data.period_starts
    years = data.period_years
    r = data.settings.discount_rate
    info = {_key(a): rec for a, rec in zip(assets.index, assets.to_dict("records"))}
    ids = list(info)
    buildable = [a for a in ids if info[a]["buildable"]]
    exist = {_key(k): v for k, v in existing.items()}

    def build_bounds(m, *idx):
        asset, period = info[idx[:-1]], idx[-1]
        if period < asset.get("first_year", -math.inf):
            return (0.0, 0.0)   # before its first build year (lead time, SPEC 7.4) nothing new can stand
        rate = asset["rate"]
        return (0.0, None if math.isinf(rate) else rate * years[period])

    def service_bounds(m, *idx):
        cap = max(info[idx[:-1]]["limit"], exist.get(idx, 0.0))
        return (0.0, None if math.isinf(cap) else cap)

    build_index = [a + (p,) for a in buildable for p in starts]
    service_index = [a + (p,) for a in ids for p in starts]
    setattr(m, built, Var(build_index, within=NonNegativeReals, bounds=build_bounds, dense=True))
    setattr(m, in_service, Var(service_index, within=NonNegativeReals, bounds=service_bounds, dense=True))
    built_var, service_var = getattr(m, built), getattr(m, in_service)

    # builds leaving service at each period start, per distinct life
    leaving = {life: finance.retiring_builds(periods, life) for life in {info[a]["life"] for a in ids}}
    position = {p: k for k, p in enumerate(starts)}

    built_of, service_of = dict(built_var.items()), dict(service_var.items())

    def stock(m, *idx):
        a, p = idx[:-1], idx[-1]
        k = position[p]
        before = a + (starts[k - 1],) if k else None
        change = exist.get(idx, 0.0) - (exist.get(before, 0.0) if k else 0.0)
        terms = [(1.0, service_of[idx])]
        if k:
            terms.append((-1.0, service_of[before]))
        if info[a]["buildable"]:
            terms.append((-1.0, built_of[idx]))
            terms.extend((1.0, built_of[a + (q,)]) for q in leaving[info[a]["life"]][p])
        # in_service[p] - in_service[p-1] - built[p] + builds leaving = change in existing
        return linear_sum(terms) == change

    setattr(m, balance, Constraint(service_index, rule=stock))

    # annual costs per period: annuities of builds in service, O&M of everything in service.
    # Builds still in service are exactly in_service - existing (the stock equation says so),
    # so the annuities are written on in_service: one term per asset and period instead of one
    # per past build, which keeps the objective linear in the number of periods.
    annual = {a: finance.annuity(info[a]["capex"], r, info[a]["life"]) for a in buildable}
    paying = [a for a in buildable if annual[a] > 0]

    def capex_cost(m, p):
        return linear_sum(((annual[a], service_of[a + (p,)]) for a in paying),
                          constant=-sum(annual[a] * exist.get(a + (p,), 0.0) for a in paying))

    def fom_cost(m, p):
        return linear_sum((info[a]["fom"], service_of[a + (p,)]) for a in ids if info[a]["fom"] > 0)

    capex_name, fom_name = f"{cost_name}_capex_cost", f"{cost_name}_fom_cost"
    setattr(m, capex_name, Expression(m.PERIODS, rule=capex_cost))
    setattr(m, fom_name, Expression(m.PERIODS, rule=fom_cost))
    costs.register(m, capex_component, capex_name, per_future=False)
    costs.register(m, fom_component, fom_name, per_future=False)


def add_corridor_stock(m, data, tech: str, unit: str, life: float, fom: float) -> pd.DataFrame:
    """Capacity stock of one corridor technology (``optical`` in Tbps, ``hvdc`` in GW) on the
    corridors that allow it; returns those corridors. Existing capacity never retires."""
    c = data.corridors[data.corridors[f"{tech}_allowed"]]
    assets = pd.DataFrame({
        "life": life,
        "capex": c[f"{tech}_capex"],
        "fom": fom,
        "limit": c[f"{tech}_max_{unit}"],
        "rate": math.inf,
        "buildable": c[f"{tech}_buildable"],
        "first_year": c[f"{tech}_first_year"],
    }, index=c.index)
    existing = pd.Series({(a, b, p): e for (a, b), e in c[f"{tech}_existing_{unit}"].items()
                          for p in data.period_starts}, dtype=float)
    add_stock(m, data, build=corridor_build(tech, unit), balance=f"{tech}_stock", assets=assets, existing=existing, capex_component=tech,
              fom_component=tech, cost_name=tech)
    return c


def corridor_build(tech: str, unit: str) -> Build:
    """The build of a corridor technology: ``{tech}_built_{unit}`` per (from, to, period)."""
    return Build(f"{tech}_built_{unit}", f"{tech}_in_service_{unit}", ("from", "to"), {"gw": "GW", "tbps": "Tbps"}[unit],
                 table="network", column=f"{tech}_built_{unit}")


def stock_extract(m, data, build: Build, cost_name: str) -> dict[str, pd.Series]:
    """Units built and in service, and what a unit costs a year (see the module docstring):
    ``{cost_name}_unit_cost`` per (asset..., period) in service, ``{cost_name}_new_unit_cost``
    per asset."""
    names = [*build.index, "period"]
    built = series(getattr(m, build.built), names)
    in_service = series(getattr(m, build.in_service), names)
    assets = m.stock_assets[cost_name]
    r = data.settings.discount_rate
    keys = [a if isinstance(a, tuple) else (a,) for a in assets.index]
    new_unit = pd.Series([finance.annuity(c, r, t) + f for c, t, f in zip(assets["capex"], assets["life"], assets["fom"])],
                         index=pd.MultiIndex.from_tuples(keys, names=list(build.index)) if keys else None, dtype=float)
    unit_cost = _unit_costs(built, in_service, data, capex=dict(zip(keys, assets["capex"])),
                            life=dict(zip(keys, assets["life"])), fom=dict(zip(keys, assets["fom"])), rate=r)
    unit_cost = pd.Series(unit_cost, dtype=float)
    if len(unit_cost):
        unit_cost.index.names = names
    return {build.built: built, build.in_service: in_service, f"{cost_name}_unit_cost": unit_cost,
            f"{cost_name}_new_unit_cost": new_unit}


def _unit_costs(built: pd.Series, in_service: pd.Series, data, *, capex: dict, life: dict, fom: dict,
                rate: float) -> dict[tuple, float]:
    """Annual cost of one unit in service per (asset..., period): annuities of builds still in
    service plus fixed O&M of everything in service, averaged over what is in service."""
    starts = list(data.period_starts)
    service = in_service.unstack("period").reindex(columns=starts).fillna(0.0)
    if service.empty:
        return {}
    made = built.unstack("period").reindex(index=service.index, columns=starts).fillna(0.0) if len(built) \
        else pd.DataFrame(0.0, index=service.index, columns=starts)
    assets = [a if isinstance(a, tuple) else (a,) for a in service.index]   # (region,) or (from, to)
    lives = np.array([life[a] for a in assets], dtype=float)
    prices = np.array([capex.get(a, 0.0) for a in assets], dtype=float)
    prices = np.where(np.isnan(prices), 0.0, prices)   # blank capex: cannot be built
    annual = np.array([finance.annuity(c, rate, t) if c else 0.0 for c, t in zip(prices, lives)])
    # paying[a, p] = builds of a still in service at p: one (periods x periods) mask per distinct life
    paying = np.zeros(service.shape)
    for t in np.unique(lives):
        rows = lives == t
        serves = np.array([[finance.in_service(q, t, p) for p in starts] for q in starts], dtype=float)
        paying[rows] = made.to_numpy()[rows] @ serves
    n = service.to_numpy()
    o_and_m = np.array([fom.get(a, 0.0) for a in assets], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = (annual[:, None] * paying + o_and_m[:, None] * n) / n
    rows, cols = np.nonzero(n > 1e-9)
    return {assets[i] + (starts[j],): float(per_unit[i, j]) for i, j in zip(rows, cols)}
