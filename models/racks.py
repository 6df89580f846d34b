"""Racks: built per region and period, kept in service as a stock, limited by land and build rate.

Decisions: ``racks_built[r, p]`` and ``racks_in_service[r, p]`` (standard racks of ``rack_kw``).
Existing racks serve until ``existing_retire_year`` and pay fixed O&M but no capex.
Costs: ``rack_capex`` (annuities of new racks) and ``rack_fom`` (O&M of all racks in service).
Outputs: racks built and in service, and what a rack costs a year (``racks_unit_cost`` in
service, ``racks_new_unit_cost`` new).
"""
from __future__ import annotations

import pandas as pd

from .registry import Build, Feature
from .stock import add_stock, stock_extract

BUILD = Build("racks_built", "racks_in_service", ("region",), "racks", table="capacity", column="racks_built")


def add(m, data) -> None:
    r = data.regions
    assets = pd.DataFrame({
        "life": r["rack_life"],
        "capex": r["rack_capex"],
        "fom": r["rack_fom"],
        "limit": r["max_racks"],
        "rate": r["max_build_per_year"],
        "buildable": True,
        "first_year": r["first_build_year"],
    }, index=r.index)
    add_stock(m, data, build=BUILD, balance="rack_stock", assets=assets, existing=data.existing_racks,
              capex_component="rack_capex", fom_component="rack_fom", cost_name="racks")


def extract(m, data) -> dict[str, pd.Series]:
    return stock_extract(m, data, BUILD, "racks")


FEATURE = Feature("racks", add, extract)
