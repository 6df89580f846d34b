"""Workloads: where each region's tokens are served, what is left unserved, and the racks it keeps busy.

Decisions (per future f and period p, in trillion tokens/day):
``tokens_served[f, user, server, workload, p]`` only on latency-feasible routes (serving at home
always; remote only over a corridor allowing optical with latency within the workload's limit),
and ``tokens_unserved[f, user, workload, p]``, priced at ``unserved_penalty``.

Constraints:
* ``demand_balance``: served anywhere + unserved = demand.
* ``it_power_balance``: IT power of a server region (MW) = sum of served x mwh_per_ttok / 24 /
  efficiency (efficiency 1 at home); an auxiliary variable so that power and racks share one row.
* ``rack_utilization``: busy racks = IT MW x 1000 / rack_kw <= max_utilization x racks in service.

The facility power of the work served in a region (pue x IT MW) is withdrawn from its power
balance. Prices: ``token_cost`` (demand balance) and ``rack_value`` (the utilisation row, per
rack). Outputs: tokens served and unserved, IT MW, busy racks and facility MW.
"""
from __future__ import annotations

import pandas as pd
from pyomo.environ import Constraint, Expression, NonNegativeReals, Var

from . import costs
from .linear import linear_sum
from .registry import Feature, PowerTerm, Price
from .values import series

HOURS_PER_DAY = 24.0
MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY = 365 * 1e6  # 1 trillion tokens/day for a year, in million tokens


def add(m, data) -> None:
    s = data.settings
    demand = data.demand
    options: dict[tuple, list] = {}
    for user, server, w, eff in data.routes[["user", "server", "workload", "efficiency"]].itertuples(index=False):
        options.setdefault((user, w), []).append((server, eff))
    mwh = data.workload_params["mwh_per_ttok"].to_dict()   # (future, workload, period): SPEC 7.3

    demand_index = list(demand.index.map(tuple)) if len(demand) else []
    # serving decisions exist only where there is demand and a feasible route
    served_from: dict[tuple, list] = {}
    into_server: dict[tuple, list] = {}
    serving_index = []
    for (f, user, w, p), _ in demand.items():
        servers = []
        for server, eff in options[(user, w)]:
            key = (f, user, server, w, p)
            serving_index.append(key)
            servers.append(key)
            into_server.setdefault((f, server, p), []).append((key, mwh[(f, w, p)] / HOURS_PER_DAY / eff))
        served_from[(f, user, w, p)] = servers

    m.tokens_served = Var(serving_index, within=NonNegativeReals, dense=True)
    m.tokens_unserved = Var(demand_index, within=NonNegativeReals, dense=True)
    want = demand.to_dict()
    served, unserved = dict(m.tokens_served.items()), dict(m.tokens_unserved.items())

    def balance(m, f, user, w, p):
        key = (f, user, w, p)
        return linear_sum([(1.0, served[k]) for k in served_from[key]] + [(1.0, unserved[key])]) == want[key]

    m.demand_balance = Constraint(demand_index, rule=balance)

    m.it_power_mw = Var(m.FUTURES, m.REGIONS, m.PERIODS, within=NonNegativeReals, dense=True)

    def it_power(m, f, j, p):
        return m.it_power_mw[f, j, p] == linear_sum((coef, served[k]) for k, coef in into_server.get((f, j, p), ()))

    m.it_power_balance = Constraint(m.FUTURES, m.REGIONS, m.PERIODS, rule=it_power)

    if not data.servers:   # with servers (models/servers.py) the limit is on servers, inside the shells
        racks_per_mw = 1000.0 / s.rack_kw

        def utilization(m, f, j, p):
            return racks_per_mw * m.it_power_mw[f, j, p] <= s.max_utilization * m.racks_in_service[j, p]

        m.rack_utilization = Constraint(m.FUTURES, m.REGIONS, m.PERIODS, rule=utilization)

    by_period: dict[tuple, list] = {}
    for key in demand_index:
        by_period.setdefault((key[0], key[3]), []).append(key)
    # the user region's penalty, else the workload's, else the setting (SPEC 7.5)
    price = (MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY * data.penalties).to_dict()

    def unserved_cost(m, f, p):
        return linear_sum((price[(k[1], k[2])], unserved[k]) for k in by_period.get((f, p), ()))

    m.unserved_cost = Expression(m.FUTURES, m.PERIODS, rule=unserved_cost)
    costs.register(m, "unserved", "unserved_cost", per_future=True)

    pue = data.regions["pue"].to_dict()
    it = dict(m.it_power_mw.items())
    m.registry.power.append(PowerTerm("facility", lambda f, r, p: [(-pue[r], it[f, r, p])]))
    if not data.servers:
        m.registry.prices.append(Price("rack_value", "rack_utilization", ("future", "region", "period"),
                                       "{currency}/rack-year", factor=s.max_utilization, positive=True))
    m.registry.prices.append(Price("token_cost", "demand_balance", ("future", "region", "workload", "period"),
                                   "{currency}/million tokens", divide=MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY))


def extract(m, data) -> dict[str, pd.Series]:
    it = series(m.it_power_mw, ["future", "region", "period"])
    region = it.index.get_level_values("region")
    return {
        "tokens_served": series(m.tokens_served, ["future", "from_region", "to_region", "workload", "period"]),
        "tokens_unserved": series(m.tokens_unserved, ["future", "region", "workload", "period"]),
        "it_mw": it,
        "busy_racks": it * 1000.0 / data.settings.rack_kw,
        "facility_mw": it * region.map(data.regions["pue"]).to_numpy(),
    }


FEATURE = Feature("workloads", add, extract, requires=("racks",), joins=("power",))
