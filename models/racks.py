"""Racks: built per region and period, kept in service as a stock, limited by land and build rate.

Decisions: ``racks_built[r, p]`` and ``racks_in_service[r, p]`` (standard racks of ``rack_kw``).
Existing racks serve until ``existing_retire_year`` and pay fixed O&M but no capex.
Costs: ``rack_capex`` (annuities of new racks) and ``rack_fom`` (O&M of all racks in service).
"""
from __future__ import annotations

import pandas as pd

from .stock import add_stock


def add(m, data) -> None:
    r = data.regions
    assets = pd.DataFrame({
        "life": r["rack_life"],
        "capex": r["rack_capex"],
        "fom": r["rack_fom"],
        "limit": r["max_racks"],
        "rate": r["max_build_per_year"],
        "buildable": True,
    }, index=r.index)
    add_stock(m, data, built="racks_built", in_service="racks_in_service", balance="rack_stock",
              assets=assets, existing=data.existing_racks, capex_component="rack_capex",
              fom_component="rack_fom", cost_name="racks")
