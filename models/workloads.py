"""Workloads: where each region's tokens are served, what is left unserved, and the racks it keeps busy.

Decisions (per future f, period p and time slice s, in trillion tokens/day during the slice):
``tokens_served[f, user, server, workload, p, s]`` only on latency-feasible routes (serving at
home always; remote only over a corridor allowing optical with latency within the workload's
limit), and ``tokens_unserved[f, user, workload, p, s]``, priced at the unserved penalty for the
slice's share of the year's hours.

Constraints:
* ``demand_balance`` (inflexible work): served anywhere + unserved = demand x demand factor of
  the slice; shiftable work instead (SPEC 7.6): ``demand_day``, the hours-weighted sum over the
  slices of its day equals the day's demand, and ``demand_floor``, at least (1 - shiftable) of
  the slice's demand in every slice. A case without slices has one slice of 8760 hours.
* ``it_power_balance``: IT power of a server region (MW) = sum of served x mwh_per_ttok / 24 /
  efficiency (efficiency 1 at home); an auxiliary variable so that power and racks share one row.
* ``rack_utilization``: busy racks = IT MW x 1000 / rack_kw <= max_utilization x racks in service.

The facility power of the work served in a region (pue x IT MW) is withdrawn from its power
balance. Prices: ``token_cost`` (demand balance) and ``rack_value`` (the utilisation row, per
rack). Outputs: tokens served and unserved, IT MW, busy racks and facility MW.
"""
from __future__ import annotations

import pandas as pd
from pyomo.core import Constraint, Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum
from .registry import Feature, PowerTerm, Price
from .slices import at, index, names, split
from .values import series

HOURS_PER_DAY = 24.0
MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY = 365 * 1e6  # 1 trillion tokens/day for a year, in million tokens


def add(m, data) -> None:
    s = data.settings
    demand = data.demand
    slices = data.slices
    hours, day_of = slices["hours"].to_dict(), slices["day"].to_dict()
    weight = slices["weight"].to_dict()
    factor = data.demand_factors.to_dict()                  # (future, workload, slice)
    shiftable = data.workloads["shiftable"].to_dict()
    options: dict[tuple, list] = {}
    for user, server, w, eff in data.routes[["user", "server", "workload", "efficiency"]].itertuples(index=False):
        options.setdefault((user, w), []).append((server, eff))
    mwh = data.workload_params["mwh_per_ttok"].to_dict()   # (future, workload, period): SPEC 7.3

    demand_keys = list(demand.index.map(tuple)) if len(demand) else []
    # serving decisions exist only where there is demand and a feasible route, in every slice
    served_from: dict[tuple, list] = {}
    into_server: dict[tuple, list] = {}
    serving_index, unserved_index = [], []
    for (f, user, w, p) in demand_keys:
        for sl in m.SLICES:
            servers = []
            for server, eff in options[(user, w)]:
                key = (f, user, server, w, p) + at(m, sl)
                serving_index.append(key)
                servers.append(key)
                into_server.setdefault((f, server, p) + at(m, sl), []).append((key, mwh[(f, w, p)] / HOURS_PER_DAY / eff))
            served_from[(f, user, w, p) + at(m, sl)] = servers
            unserved_index.append((f, user, w, p) + at(m, sl))

    m.tokens_served = Var(serving_index, within=NonNegativeReals, dense=True)
    m.tokens_unserved = Var(unserved_index, within=NonNegativeReals, dense=True)
    want = demand.to_dict()
    served, unserved = dict(m.tokens_served.items()), dict(m.tokens_unserved.items())

    def met(key):
        return [(1.0, served[k]) for k in served_from[key]] + [(1.0, unserved[key])]

    # Inflexible work is met in its own slice; shiftable work within its day, with the rest of
    # it (1 - shiftable) still met in every slice (SPEC 7.6)
    def balance(m, *key):
        (f, u, w, p), sl = split(m, key)
        return linear_sum(met(key)) == want[(f, u, w, p)] * factor[(f, w, sl)]

    m.demand_balance = Constraint([k for k in unserved_index if shiftable[k[2]] == 0], rule=balance)
    moving = [k for k in unserved_index if shiftable[k[2]] > 0]
    days: dict[tuple, list] = {}
    for key in moving:
        base, sl = split(m, key)
        days.setdefault(base + (day_of[sl],), []).append(key)

    def day_balance(m, f, u, w, p, d):
        keys = days[(f, u, w, p, d)]
        terms = [(hours[split(m, k)[1]] * c, v) for k in keys for c, v in met(k)]
        return linear_sum(terms) == want[(f, u, w, p)] * sum(hours[split(m, k)[1]] * factor[(f, w, split(m, k)[1])]
                                                             for k in keys)

    m.demand_day = Constraint(sorted(days), rule=day_balance)

    def floor(m, *key):
        (f, u, w, p), sl = split(m, key)
        return linear_sum(met(key)) >= (1.0 - shiftable[w]) * want[(f, u, w, p)] * factor[(f, w, sl)]

    m.demand_floor = Constraint(moving, rule=floor)

    m.it_power_mw = Var(index(m, m.FUTURES, m.REGIONS, m.PERIODS), within=NonNegativeReals, dense=True)
    it = dict(m.it_power_mw.items())

    def it_power(m, *key):
        return it[key] == linear_sum((coef, served[k]) for k, coef in into_server.get(key, ()))

    m.it_power_balance = Constraint(list(it), rule=it_power)

    if not data.servers:   # with servers (models/servers.py) the limit is on servers, inside the shells
        racks_per_mw = 1000.0 / s.rack_kw

        def utilization(m, *key):
            (f, j, p), sl = split(m, key)
            return racks_per_mw * it[key] <= s.max_utilization * m.racks_in_service[j, p]

        m.rack_utilization = Constraint(list(it), rule=utilization)

    by_period: dict[tuple, list] = {}
    for key in unserved_index:
        by_period.setdefault((key[0], key[3]), []).append(key)
    # the user region's penalty, else the workload's, else the setting (SPEC 7.5); each slice
    # counts for its share of the year's hours
    price = (MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY * data.penalties).to_dict()

    def cost_of(k):
        sl = split(m, k)[1]
        return price[(k[1], k[2])] if weight[sl] == 1.0 else price[(k[1], k[2])] * weight[sl]

    def unserved_cost(m, f, p):
        return linear_sum((cost_of(k), unserved[k]) for k in by_period.get((f, p), ()))

    m.unserved_cost = Expression(m.FUTURES, m.PERIODS, rule=unserved_cost)
    costs.register(m, "unserved", "unserved_cost", per_future=True)

    pue = data.regions["pue"].to_dict()
    m.registry.power.append(PowerTerm("facility", lambda f, r, p, sl: [(-pue[r], it[(f, r, p) + at(m, sl)])]))
    if not data.servers:
        m.registry.prices.append(Price("rack_value", "rack_utilization", ("future", "region", "period"),
                                       "{currency}/rack-year", factor=s.max_utilization, positive=True,
                                       sum_over=("slice",) if m.sliced else ()))
    m.registry.prices.append(Price("token_cost", "demand_balance", ("future", "region", "workload", "period"),
                                   "{currency}/million tokens", divide=MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY,
                                   rows=(lambda m: token_duals(m, data)) if m.sliced or moving else None))


def token_duals(m, data) -> pd.Series:
    """The derivative of the objective with respect to the yearly demand of each user region,
    workload and period: every demand row's dual times how that row's right-hand side moves with
    the yearly demand (a token-weighted mean of the slice prices, SPEC 7.8)."""
    names = ["future", "region", "workload", "period"]
    factor, hours = data.demand_factors.to_dict(), data.slices["hours"].to_dict()
    shiftable = data.workloads["shiftable"].to_dict()
    out: dict[tuple, float] = {}
    for key, con in m.demand_balance.items():
        (f, u, w, p), sl = split(m, key)
        out[(f, u, w, p)] = out.get((f, u, w, p), 0.0) + m.dual.get(con, 0.0) * factor[(f, w, sl)]
    for key, con in m.demand_floor.items():
        (f, u, w, p), sl = split(m, key)
        out[(f, u, w, p)] = out.get((f, u, w, p), 0.0) + m.dual.get(con, 0.0) * (1.0 - shiftable[w]) * factor[(f, w, sl)]
    slices_of: dict[str, list] = {}
    for sl, d in data.slices["day"].items():
        slices_of.setdefault(d, []).append(sl)
    for key, con in m.demand_day.items():
        f, u, w, p, d = key
        moves = sum(hours[sl] * factor[(f, w, sl)] for sl in slices_of[d])
        out[(f, u, w, p)] = out.get((f, u, w, p), 0.0) + m.dual.get(con, 0.0) * moves
    if not out:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=names))
    return pd.Series(out, dtype=float).rename_axis(names)


def _it_by_workload(served: pd.Series, data, m) -> pd.Series:
    """IT MW each workload draws where it is served: tokens x MWh per token / 24 / route efficiency."""
    where = names(m, "future", "region", "workload", "period")
    if not len(served):
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=where))
    df = served.rename("ttok").reset_index()
    eff = data.routes.set_index(["user", "server", "workload"])["efficiency"]
    df["eff"] = eff.reindex(pd.MultiIndex.from_arrays([df["from_region"], df["to_region"], df["workload"]])).to_numpy()
    mwh = data.workload_params["mwh_per_ttok"]
    df["mwh"] = mwh.reindex(pd.MultiIndex.from_arrays([df["future"], df["workload"], df["period"]])).to_numpy()
    df["mw"] = df["ttok"] * df["mwh"] / HOURS_PER_DAY / df["eff"]
    return df.rename(columns={"to_region": "region"}).groupby(where)["mw"].sum()


def extract(m, data) -> dict[str, pd.Series]:
    """As the model decides them: per slice when the year is sliced."""
    it = series(m.it_power_mw, names(m, "future", "region", "period"))
    region = it.index.get_level_values("region")
    served = series(m.tokens_served, names(m, "future", "from_region", "to_region", "workload", "period"))
    return {
        "tokens_served": served,
        "it_mw_by_workload": _it_by_workload(served, data, m),
        "tokens_unserved": series(m.tokens_unserved, names(m, "future", "region", "workload", "period")),
        "it_mw": it,
        "busy_racks": it * 1000.0 / data.settings.rack_kw,
        "facility_mw": it * region.map(data.regions["pue"]).to_numpy(),
    }


FEATURE = Feature("workloads", add, extract, requires=("racks",), joins=("power",))
