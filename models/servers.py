"""Servers: IT equipment as a stock of its own, inside the rack shells (SPEC 7.1, 7.8).

Modelled only when a region gives servers a cost or fits part of its existing racks without
them (``data.servers``); otherwise this feature adds nothing and the model is version 1.

Decisions: ``servers_built_mw[r, p]`` and ``servers_in_service_mw[r, p]`` (MW of IT), a stock
with annuities and O&M exactly as racks (``server_capex`` and ``server_fom`` are per kW; the
stock is in MW), life ``server_life``, no build-rate limit, no planned builds, the region's
``first_build_year``. Existing servers (existing racks x rack_kw / 1000 x existing_server_share)
leave service linearly over ``server_life`` and with the racks that hold them.

Constraints:
* ``server_shells[r, p]``: servers in service <= racks in service x rack_kw / 1000;
* ``server_utilization[f, r, p, s]``: IT MW of each slice <= max_utilization x servers in service,
  in place of the rack limit of version 1 (shells themselves may be full).

Costs: ``server_capex``, ``server_fom``. Prices: ``server_value`` (one more kW of servers a year,
through the utilisation row) and ``rack_value`` (one more rack a year, through the shells row).
Outputs: servers built and in service, what a MW of servers costs a year.
"""
from __future__ import annotations

import math

import pandas as pd
from pyomo.core import Constraint

from .linear import linear_sum
from .registry import Build, Feature, Price
from .slices import split
from .stock import add_stock, stock_extract

BUILD = Build("servers_built_mw", "servers_in_service_mw", ("region",), "MW", table="capacity", column="server_mw_built")


def add(m, data) -> None:
    if not data.servers:
        return
    s = data.settings
    r = data.regions
    assets = pd.DataFrame({
        "life": r["server_life"],
        "capex": r["server_capex"] * 1000.0,   # per kW -> per MW
        "fom": r["server_fom"] * 1000.0,
        "limit": math.inf,
        "rate": math.inf,
        "buildable": True,
        "first_year": r["first_build_year"],
    }, index=r.index)
    add_stock(m, data, build=BUILD, balance="server_stock", assets=assets, existing=data.existing_servers,
              capex_component="server_capex", fom_component="server_fom", cost_name="servers")

    mw_per_rack = s.rack_kw / 1000.0
    servers, racks = dict(m.servers_in_service_mw.items()), dict(m.racks_in_service.items())

    def shells(m, j, p):
        # servers - rack_kw / 1000 x racks <= 0
        return linear_sum([(1.0, servers[j, p]), (-mw_per_rack, racks[j, p])]) <= 0.0

    m.server_shells = Constraint(m.REGIONS, m.PERIODS, rule=shells)

    it = dict(m.it_power_mw.items())

    def utilization(m, *key):
        (f, j, p), sl = split(m, key)
        return linear_sum([(1.0, it[key]), (-s.max_utilization, servers[j, p])]) <= 0.0

    m.server_utilization = Constraint(list(it), rule=utilization)

    m.registry.prices.append(Price("server_value", "server_utilization", ("future", "region", "period"),
                                   "{currency}/kW-year", factor=s.max_utilization, divide=1000.0, positive=True,
                                   sum_over=("slice",) if m.sliced else ()))
    m.registry.prices.append(Price("rack_value", "server_shells", ("region", "period"), "{currency}/rack-year",
                                   per_future=False, factor=mw_per_rack, positive=True))


def extract(m, data) -> dict[str, pd.Series]:
    if not data.servers:
        return {}
    return stock_extract(m, data, BUILD, "servers")


FEATURE = Feature("servers", add, extract, requires=("racks", "workloads"))
