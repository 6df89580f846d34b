"""Views a reviewer expects beside the tidy tables, for the workbook: pivots of the plan.

* ``racks_by_region``: racks in service, region x year, regions grouped by zone with a subtotal
  row per zone and a total;
* ``occupancy_by_region``: server MW / shell MW, region x year (runs that model servers);
* ``hvdc_by_corridor`` and ``optical_by_corridor``: capacity in service, corridor x year, only
  corridors that carry something in some year.

They are made from the result tables (the plan: the first future's rows), never from the model.
"""
from __future__ import annotations

import pandas as pd

TOTAL = "all regions"


def _plan(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["future"] == df["future"].iloc[0]] if len(df) and "future" in df.columns else df


def racks_by_region(capacity: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    cap = _plan(capacity)
    if not len(cap):
        return pd.DataFrame(columns=["zone", "region"])
    wide = cap.pivot_table(index=["zone", "region"], columns="year", values="racks_in_service", aggfunc="sum",
                           fill_value=0.0)
    rows = []
    for zone, part in wide.groupby(level="zone", sort=True):
        for (_, region), values in part.iterrows():
            rows.append({"zone": zone, "region": names.get(region, region), **values.to_dict()})
        rows.append({"zone": zone, "region": f"{zone or 'no zone'} (subtotal)", **part.sum().to_dict()})
    rows.append({"zone": "", "region": TOTAL, **wide.sum().to_dict()})
    out = pd.DataFrame(rows)
    out.columns = [str(c) for c in out.columns]
    return out


def occupancy_by_region(capacity: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame | None:
    cap = _plan(capacity)
    if "occupancy" not in cap.columns or not len(cap):
        return None
    wide = cap.pivot_table(index=["zone", "region"], columns="year", values="occupancy", aggfunc="first").reset_index()
    wide["region"] = wide["region"].map(lambda r: names.get(r, r))
    wide.columns = [str(c) for c in wide.columns]
    return wide


def corridors_by_year(network: pd.DataFrame, tech: str, names: dict[str, str]) -> pd.DataFrame | None:
    net = _plan(network)
    if not len(net):
        return None
    unit = "tbps" if tech == "optical" else "gw"
    carried = (net[f"{tech}_forward_{'tbps' if tech == 'optical' else 'mw'}"] +
               net[f"{tech}_reverse_{'tbps' if tech == 'optical' else 'mw'}"]) > 1e-9
    used = net[carried].groupby(["from", "to"]).size().index
    net = net.set_index(["from", "to"]).loc[lambda d: d.index.isin(used)].reset_index()
    if not len(net):
        return None
    wide = net.pivot_table(index=["from", "to"], columns="year", values=f"{tech}_in_service_{unit}", aggfunc="first")
    wide = wide.reset_index()
    wide.insert(0, "corridor", [f"{names.get(a, a)} – {names.get(b, b)}" for a, b in zip(wide["from"], wide["to"])])
    wide.columns = [str(c) for c in wide.columns]
    return wide


def views(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every view the tables allow, by sheet name."""
    places = tables.get("places", pd.DataFrame(columns=["region", "name"]))
    names = dict(zip(places.get("region", []), places.get("name", [])))
    out = {"racks_by_region": racks_by_region(tables["capacity"], names)}
    for name, view in (("occupancy_by_region", occupancy_by_region(tables["capacity"], names)),
                       ("hvdc_by_corridor", corridors_by_year(tables.get("network", pd.DataFrame()), "hvdc", names)),
                       ("optical_by_corridor", corridors_by_year(tables.get("network", pd.DataFrame()), "optical", names))):
        if view is not None and len(view):
            out[name] = view
    return out
