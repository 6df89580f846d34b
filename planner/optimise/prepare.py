"""From a validated case to the numbers each model period uses (SPEC 4.5, "Period values").

Each model period uses, for all its years, the inputs in force in its first year: demand
interpolated there, region_years and policies as last given at or before it. This module
computes those once, as pandas objects indexed the way the model indexes its components, so
that the model itself only looks values up.

Futures (SPEC 4.4) are a dimension from the start: a case without futures has one, ``base``,
with probability 1. The build plan is shared; everything a future may change (demand,
region_years, workload_years and the price/availability columns of regions) is indexed by future.

Version 2 (SPEC 7): servers are modelled only when a region gives them a cost or a share of
existing racks without them (``servers``); energy and traffic per token come per future,
workload and period (``workload_params``); a remote path's efficiency is per workload
(``routes``); the unserved penalty per user region and workload (``penalties``); policy zones
match zones and tags (``zones``). Time slices (SPEC 7.6): ``slices`` (hours, day, weight = hours /
8760), profiles per future, region and slice (``factors``), and each workload's demand factor per
future and slice (``demand_factors``, normalised to an hours-weighted mean of exactly 1). A case
without a timeslices sheet has one slice, ``year``, of 8760 hours: the version 1 model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planner import finance
from planner.case.validated import Case, Settings
from planner.case.schema import TIME_VARYING
from planner.case.validation import cite
from planner.case.scenario import Future

BASE_FUTURE = "base"
YEAR_SLICE = "year"          # the one slice of a case without time slices
HOURS_PER_YEAR = 8760.0


@dataclass
class ModelData:
    """Everything the Pyomo model reads, by model period (see docs/formulation.md for units)."""

    name: str
    settings: Settings
    periods: list[finance.Period]
    weights: dict[int, float]            # DW_p: present value of 1 currency/year over period p
    futures: dict[str, float]            # future -> probability
    regions: pd.DataFrame                # index region
    existing_racks: pd.Series            # (region, period) -> racks in service
    supply: pd.DataFrame                 # (future, region, period) -> TIME_VARYING columns in force
    workloads: pd.DataFrame              # index workload
    demand: pd.Series                    # (future, region, workload, period) -> ttok/day, > 0 only
    corridors: pd.DataFrame              # index (from, to)
    routes: pd.DataFrame                 # user, server, workload, efficiency (serving at home included)
    policies: pd.DataFrame               # policy, zone, period, value, row ("" zone = whole system)
    planned_builds: pd.DataFrame         # region, period, kind, racks, rows (where the rows are, for messages)
    zones: dict[str, list[str]] = field(default_factory=dict)  # zone or tag -> regions ("" = all)
    workload_params: pd.DataFrame | None = None   # (future, workload, period) -> mwh_per_ttok, gbps_per_ttok
    penalties: pd.Series | None = None   # (region, workload) -> currency per million tokens unserved
    servers: bool = False                # servers are a stock of their own (SPEC 7.1)
    existing_servers: pd.Series | None = None   # (region, period) -> MW of IT fitted in existing racks
    slices: pd.DataFrame | None = None   # index slice: hours, day, order, weight (hours / 8760)
    factors: pd.DataFrame | None = None  # (future, region, slice) -> green_factor, grid_price_factor, grid_max_factor
    demand_factors: pd.Series | None = None   # (future, workload, slice) -> demand in the slice / yearly average

    @property
    def sliced(self) -> bool:
        """Whether the year is resolved in slices (a timeslices sheet), not one average hour."""
        return self.slices is not None and list(self.slices.index) != [YEAR_SLICE]

    @property
    def period_starts(self) -> list[int]:
        return [p.start for p in self.periods]

    @property
    def period_years(self) -> dict[int, int]:
        return {p.start: p.years for p in self.periods}

    @property
    def stochastic(self) -> bool:
        return len(self.futures) > 1


def prepare(case: Case, futures: list[Future] | None = None) -> ModelData:
    futures = futures or [Future(BASE_FUTURE, 1.0, case)]
    s = case.settings
    periods = case.periods
    starts = [p.start for p in periods]
    weights = {p.start: finance.period_weight(s.discount_rate, s.start_year, p) for p in periods}
    regions = case.regions
    zones = {"": list(regions.index)}
    for zone, members in regions.groupby("zone", sort=True):
        if zone != "":
            zones[zone] = list(members.index)
    for zone in sorted(set(case.policies["zone"]) - set(zones)):
        zones[zone] = case.zone_members(zone)   # a tag
    return ModelData(
        name=case.name,
        settings=s,
        periods=periods,
        weights=weights,
        futures={f.name: f.probability for f in futures},
        regions=regions,
        existing_racks=existing_racks(case, starts),
        supply=pd.concat({f.name: supply_in_force(f.case, starts) for f in futures}, names=["future"]),
        workloads=case.workloads,
        demand=pd.concat({f.name: demand_at_periods(f.case, starts) for f in futures}, names=["future"]),
        corridors=case.corridors.set_index(["from", "to"], drop=False),
        routes=serving_routes(case),
        policies=policies_in_force(case, starts),
        planned_builds=planned_builds(case),
        zones=zones,
        workload_params=pd.concat({f.name: workload_params(f.case, starts) for f in futures}, names=["future"]),
        penalties=penalties(case),
        servers=servers_modelled(case),
        existing_servers=existing_servers(case, starts),
        slices=time_slices(case),
        factors=pd.concat({f.name: slice_factors(f.case) for f in futures}, names=["future"]),
        demand_factors=pd.concat({f.name: demand_factors(f.case) for f in futures}, names=["future"]),
    )


def time_slices(case: Case) -> pd.DataFrame:
    """The slices of a year: hours, day, order and weight (hours / 8760); one of 8760 hours without a sheet."""
    t = case.timeslices
    if t.empty:
        return pd.DataFrame({"hours": [HOURS_PER_YEAR], "day": [YEAR_SLICE], "order": [0.0], "weight": [1.0]},
                            index=pd.Index([YEAR_SLICE], name="slice"))
    out = t.set_index("slice")[["hours", "day", "order"]].astype({"hours": float, "order": float})
    out["weight"] = out["hours"] / HOURS_PER_YEAR
    out.index.name = "slice"
    return out


def slice_factors(case: Case) -> pd.DataFrame:
    """Profile multipliers per region and slice; 1 where no row is given (SPEC 7.8)."""
    slices = list(time_slices(case).index)
    cols = ["green_factor", "grid_price_factor", "grid_max_factor"]
    index = pd.MultiIndex.from_product([list(case.regions.index), slices], names=["region", "slice"])
    out = pd.DataFrame(1.0, index=index, columns=cols)
    given = case.profiles
    if len(given):
        g = given.set_index(["region", "slice"])[cols].astype(float)
        out.loc[g.index, cols] = g.to_numpy()
    return out


def demand_factors(case: Case) -> pd.Series:
    """Each workload's demand factor per slice, normalised so that its hours-weighted mean over
    the year is exactly 1 (SPEC 7.6; the sheet's mean is checked to be within 1 %)."""
    t = time_slices(case)
    index = pd.MultiIndex.from_product([list(case.workloads.index), list(t.index)], names=["workload", "slice"])
    out = pd.Series(1.0, index=index, name="demand_factor")
    given = case.workload_profiles
    if len(given):
        g = given.set_index(["workload", "slice"])["demand_factor"].astype(float)
        out.loc[g.index] = g.to_numpy()
        weights = t["weight"].reindex(out.index.get_level_values("slice")).to_numpy()
        mean = (out * weights).groupby(level="workload").sum()
        touched = set(given["workload"])
        scale = mean.where(mean.index.isin(touched) & (mean > 0), 1.0)
        out = out / scale.reindex(out.index.get_level_values("workload")).to_numpy()
    return out


def servers_modelled(case: Case) -> bool:
    """SPEC 7.1: servers are their own stock when any region gives them a cost, or fits only part
    of its existing racks with them; otherwise the model is version 1."""
    r = case.regions
    return bool((r["server_capex"] > 0).any() or (r["server_fom"] > 0).any() or (r["existing_server_share"] < 1).any())


def existing_servers(case: Case, starts: list[int]) -> pd.Series:
    """MW of IT in existing racks: racks x rack_kw / 1000 x existing_server_share at start_year,
    leaving service linearly over server_life (of mixed ages), none once the racks retire."""
    r, s = case.regions, case.settings
    values = {}
    for region, row in zip(r.index, r.itertuples()):
        start_mw = row.existing_racks * s.rack_kw / 1000.0 * row.existing_server_share
        for p in starts:
            left = max(0.0, 1.0 - (p - s.start_year) / row.server_life) if p < row.existing_retire_year else 0.0
            values[(region, p)] = start_mw * left
    return pd.Series(values, dtype=float).rename_axis(["region", "period"])


def workload_params(case: Case, starts: list[int]) -> pd.DataFrame:
    """Energy and traffic per token of each workload at each period start (SPEC 7.3): each column
    linear between its given years in workload_years (non-blank cells only), the first given
    value before and the last after; the workloads value where a column has none."""
    w = case.workloads
    cols = ["mwh_per_ttok", "gbps_per_ttok"]
    index = pd.MultiIndex.from_product([list(w.index), starts], names=["workload", "period"])
    out = pd.DataFrame({c: w[c].reindex(index.get_level_values("workload")).to_numpy() for c in cols}, index=index)
    wy = case.workload_years
    for col in cols:
        given = wy[wy[col].notna()] if len(wy) else wy
        for workload, rows in given.groupby("workload", sort=True) if len(given) else ():
            series = rows.groupby(rows["year"].astype(int))[col].last()
            years = sorted(set(series.index) | set(starts))
            at = series.reindex(years).astype(float).interpolate(method="index", limit_direction="both").loc[starts]
            out.loc[[(workload, p) for p in starts], col] = at.to_numpy()
    return out.astype(float)


def penalties(case: Case) -> pd.Series:
    """The unserved penalty of each user region and workload: the region's if given, else the
    workload's, else the setting (SPEC 7.5, 7.8)."""
    default = case.settings.unserved_penalty
    values = {}
    for region, by_region in case.regions["unserved_penalty"].items():
        for workload, by_workload in case.workloads["unserved_penalty"].items():
            value = by_region if pd.notna(by_region) else (by_workload if pd.notna(by_workload) else default)
            values[(region, workload)] = float(value)
    return pd.Series(values, dtype=float).rename_axis(["region", "workload"])


def existing_racks(case: Case, starts: list[int]) -> pd.Series:
    """Existing racks in service: all of them in periods starting before their retirement year."""
    r = case.regions
    values = {(region, p): (row.existing_racks if p < row.existing_retire_year else 0.0)
              for region, row in zip(r.index, r.itertuples()) for p in starts}
    return pd.Series(values, dtype=float).rename_axis(["region", "period"])


def demand_at_periods(case: Case, starts: list[int]) -> pd.Series:
    """Demand in ttok/day at each period start: linear between given years, flat outside.

    Only positive values are kept: the model has no serving decision where nothing is asked.
    """
    names = ["region", "workload", "period"]
    d = case.demand
    if d.empty:
        return pd.Series([], index=pd.MultiIndex.from_tuples([], names=names), dtype=float, name="ttok_per_day")
    given = d.pivot_table(index="year", columns=["region", "workload"], values="ttok_per_day", aggfunc="last")
    given.index = given.index.astype(int)
    years = sorted(set(given.index) | set(starts))
    # linear in the year between given years, flat before the first and after the last (np.interp)
    at = given.reindex(years).astype(float).interpolate(method="index", limit_direction="both").loc[starts]
    out = at.rename_axis("period").T.stack()
    out = out[out > 0].reorder_levels(["region", "workload", "period"]).sort_index()
    out.index.names = names
    return out.rename("ttok_per_day").astype(float)


def supply_in_force(case: Case, starts: list[int]) -> pd.DataFrame:
    """Prices and availability per region and period: the last value given at or before the
    period start in region_years, column by column, else the regions value."""
    cols = list(TIME_VARYING)
    base = case.regions[cols]
    ry = case.region_years
    years = sorted(set(starts) | set(ry["year"]))
    grid = pd.MultiIndex.from_product([base.index, years], names=["region", "period"])
    given = ry.set_index(["region", "year"])[cols].rename_axis(["region", "period"])
    # carry each given value forward to later years, column by column (blank cells stay blank)
    filled = given.reindex(grid).groupby(level="region").ffill()
    out = filled.loc[pd.MultiIndex.from_product([base.index, starts], names=["region", "period"])]
    fallback = base.reindex(out.index.get_level_values("region")).set_axis(out.index)
    return out.astype(float).fillna(fallback).sort_index()


def policies_in_force(case: Case, starts: list[int]) -> pd.DataFrame:
    """Each policy's value per period, with the spreadsheet row it comes from."""
    rows = []
    for (policy, zone), given in case.policies.groupby(["policy", "zone"], sort=True):
        given = given.sort_values("year")
        for p in starts:
            before = given[given["year"] <= p]
            if not before.empty:
                rows.append((policy, zone, p, float(before["value"].iloc[-1]), int(before["_row"].iloc[-1])))
    return pd.DataFrame(rows, columns=["policy", "zone", "period", "value", "row"])


def planned_builds(case: Case) -> pd.DataFrame:
    """Planned builds summed by region, period and kind (rows landing in one period add up)."""
    pb = case.planned_by_period()
    cols = ["region", "period", "kind", "racks", "rows"]
    if pb.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for (region, period, kind), rows in pb.groupby(["region", "period", "kind"], sort=True):
        out.append((region, period, kind, float(rows["racks"].sum()), cite("planned_builds", rows)))
    return pd.DataFrame(out, columns=cols)


def serving_routes(case: Case) -> pd.DataFrame:
    """Where each region's work may be served: at home always; in another region only over a
    corridor that allows optical and whose latency is within the workload's limit (inclusive).
    A remote path's efficiency for a workload is 1 - network_sensitivity x (1 - corridor
    efficiency) (SPEC 7.2): the corridor's own at sensitivity 1, 1 at sensitivity 0."""
    w = case.workloads
    home = pd.DataFrame([(r, r, wl, 1.0) for r in case.regions.index for wl in w.index],
                        columns=["user", "server", "workload", "efficiency"])
    c = case.corridors[case.corridors["optical_allowed"]]
    both = pd.concat([
        c.rename(columns={"from": "user", "to": "server"}),
        c.rename(columns={"to": "user", "from": "server"}),
    ])[["user", "server", "latency_ms", "efficiency"]]
    remote = both.merge(w[["workload", "max_latency_ms", "network_sensitivity"]].reset_index(drop=True), how="cross")
    remote = remote[remote["latency_ms"] <= remote["max_latency_ms"]]
    sens = remote["network_sensitivity"]
    # the corridor's efficiency itself at sensitivity 1 (1 - (1 - e) may differ from e in the last bit)
    remote = remote.assign(efficiency=remote["efficiency"].where(sens == 1.0, 1.0 - sens * (1.0 - remote["efficiency"])))
    remote = remote[["user", "server", "workload", "efficiency"]]
    routes = pd.concat([home, remote], ignore_index=True)
    return routes.sort_values(["user", "server", "workload"]).reset_index(drop=True)
