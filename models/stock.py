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
"""
from __future__ import annotations

import math

import pandas as pd
from pyomo.environ import Constraint, Expression, NonNegativeReals, Var

from planner import finance

from . import costs
from .linear import linear_sum


def _key(asset) -> tuple:
    return asset if isinstance(asset, tuple) else (asset,)


def add_stock(m, data, *, built: str, in_service: str, balance: str, assets: pd.DataFrame,
              existing: pd.Series, capex_component: str, fom_component: str, cost_name: str) -> None:
    """Add ``built``/``in_service`` variables, the stock balance and the cost terms.

    ``assets`` is indexed by asset id and has columns ``life`` (years), ``capex``
    (currency/unit), ``fom`` (currency/unit-year), ``limit`` (most in service, inf = none),
    ``rate`` (most built per year, inf = none) and ``buildable`` (bool).
    ``existing`` maps (asset..., period) to units in service that were never built by the model.
    """
    periods = data.periods
    starts = data.period_starts
    years = data.period_years
    r = data.settings.discount_rate
    info = {_key(a): rec for a, rec in zip(assets.index, assets.to_dict("records"))}
    ids = list(info)
    buildable = [a for a in ids if info[a]["buildable"]]
    exist = {_key(k): v for k, v in existing.items()}

    def build_bounds(m, *idx):
        rate = info[idx[:-1]]["rate"]
        return (0.0, None if math.isinf(rate) else rate * years[idx[-1]])

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
    }, index=c.index)
    existing = pd.Series({(a, b, p): e for (a, b), e in c[f"{tech}_existing_{unit}"].items()
                          for p in data.period_starts}, dtype=float)
    add_stock(m, data, built=f"{tech}_built_{unit}", in_service=f"{tech}_in_service_{unit}", balance=f"{tech}_stock",
              assets=assets, existing=existing, capex_component=tech, fom_component=tech, cost_name=tech)
    return c
