"""Results as tidy tables (SPEC section 5), shared by the exports, the command line and the report.

``Results(model, data, solution)`` reads the solved Pyomo model once; each table is a method
returning a DataFrame whose columns are declared, with units, in :data:`TABLES`. With several
futures, operational tables carry a ``future`` column; with one, they do not.

Shadow prices follow SPEC 4.5: positive when more of the thing would cost more, in money of
their own year (the dual divided by the period's discount weight, and by the future's
probability), per unit.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from planner.models import COMPONENTS
from planner.models.power import HOURS_PER_YEAR
from planner.models.workloads import MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY

from planner import finance
from planner.optimise.prepare import ModelData
from planner.optimise.solver import Solution, expression_value

CUR = "{currency}"  # replaced by the case's currency in headers and docs


@dataclass(frozen=True)
class Col:
    name: str
    unit: str
    doc: str


TABLES: dict[str, tuple[Col, ...]] = {
    "summary": (
        Col("item", "", "what is reported"),
        Col("value", "", "the figure"),
        Col("unit", "", "its unit"),
    ),
    "costs": (
        Col("year", "year", "calendar year"),
        Col("period", "year", "model period the year belongs to"),
        Col("component", "", "rack_capex, rack_fom, optical, hvdc, energy or unserved"),
        Col("cost", f"{CUR}/year", "cost in that year, money of that year"),
        Col("discounted_cost", CUR, "cost discounted to start_year; these add up to the objective"),
    ),
    "capacity": (
        Col("region", "id", "region"),
        Col("zone", "", "zone of the region"),
        Col("year", "year", "model period (first year)"),
        Col("racks_built", "racks", "racks built in the period"),
        Col("racks_in_service", "racks", "existing and new racks in service"),
        Col("busy_racks", "racks", "racks needed for the IT load: IT MW x 1000 / rack_kw"),
        Col("utilization", "fraction", "busy / in service"),
        Col("idle_racks", "racks", "in service - busy (includes the max_utilization headroom)"),
        Col("it_mw", "MW", "average IT power of the work served here"),
        Col("facility_mw", "MW", "IT power x pue"),
    ),
    "serving": (
        Col("from_region", "id", "where the users are"),
        Col("to_region", "id", "where the work is served"),
        Col("workload", "id", "workload class"),
        Col("year", "year", "model period (first year)"),
        Col("ttok_per_day", "trillion tokens/day", "useful tokens served"),
    ),
    "network": (
        Col("from", "id", "one end of the corridor"),
        Col("to", "id", "other end"),
        Col("year", "year", "model period (first year)"),
        Col("optical_built_tbps", "Tbps", "optical capacity built in the period"),
        Col("optical_in_service_tbps", "Tbps", "optical capacity in service"),
        Col("optical_forward_tbps", "Tbps", "traffic of users in `from` served in `to`"),
        Col("optical_reverse_tbps", "Tbps", "traffic of users in `to` served in `from`"),
        Col("optical_utilization", "fraction", "busier direction / capacity in service"),
        Col("hvdc_built_gw", "GW", "HVDC capacity built in the period"),
        Col("hvdc_in_service_gw", "GW", "HVDC capacity in service"),
        Col("hvdc_forward_mw", "MW", "power sent from `from` to `to` (at the sending end)"),
        Col("hvdc_reverse_mw", "MW", "power sent from `to` to `from` (at the sending end)"),
        Col("hvdc_utilization", "fraction", "busier direction / capacity in service"),
    ),
    "energy": (
        Col("region", "id", "region"),
        Col("year", "year", "model period (first year)"),
        Col("grid_mw", "MW", "average grid power bought"),
        Col("green_mw", "MW", "average green power bought"),
        Col("imports_mw", "MW", "HVDC power received, after losses"),
        Col("exports_mw", "MW", "HVDC power sent"),
        Col("facility_mw", "MW", "power used by data centres: IT MW x pue"),
        Col("energy_cost", f"{CUR}/year", "grid and green power bought"),
        Col("emissions_t", "t CO2/year", "grid power x grid_co2"),
    ),
    "unserved": (
        Col("region", "id", "where the users are"),
        Col("workload", "id", "workload class"),
        Col("year", "year", "model period (first year)"),
        Col("ttok_per_day", "trillion tokens/day", "demand no region of the network serves"),
        Col("share", "fraction", "unserved / demand"),
    ),
    "prices": (
        Col("price", "", "rack_value, token_cost, power_price, or a policy's name"),
        Col("region", "id", "region (blank for system-wide prices)"),
        Col("workload", "id", "workload (token_cost only)"),
        Col("zone", "", "zone of a policy (blank = whole system)"),
        Col("year", "year", "model period (first year)"),
        Col("value", "", "shadow price, money of its own year"),
        Col("unit", "", "unit of the value"),
    ),
    "risks": (
        Col("asset", "", "racks, optical or hvdc"),
        Col("region", "id", "region, or corridor from-to"),
        Col("year", "year", "model period (first year); for stranded and over_plan, the build year"),
        Col("utilization", "fraction", "busy / in service"),
        Col("idle", "", "idle capacity, in `unit`"),
        Col("unit", "", "racks, Tbps or GW"),
        Col("idle_cost", f"{CUR}/year", "annual cost (annuities + fixed O&M) of the idle or excess capacity"),
        Col("flag", "", "idle, stranded, over_plan or network_idle"),
        Col("reason", "", "why it is flagged"),
    ),
}
# Where the regions are (for maps and reports read back from a results folder).
PLACES_TABLE = (
    Col("region", "id", "region"),
    Col("name", "", "display name"),
    Col("zone", "", "zone"),
    Col("lat", "degrees", "latitude of the region's data centres"),
    Col("lon", "degrees", "longitude"),
    Col("existing_racks", "racks", "racks in service at start_year"),
    Col("max_racks", "racks", "most racks the region can host (blank: no limit)"),
)
# Only with several futures (SPEC 4.4): per-future results.
FUTURES_TABLE = (
    Col("future", "", "demand future"),
    Col("probability", "fraction", "probability of the future"),
    Col("first_stage_cost", CUR, "the shared build plan: rack, optical and HVDC capex and fixed O&M (discounted)"),
    Col("second_stage_cost", CUR, "energy and unserved demand if this future happens (discounted)"),
    Col("total_cost", CUR, "first + second stage if this future happens"),
    Col("demand_served_share", "fraction", "share of this future's demand served"),
    Col("mean_utilization", "fraction", "busy racks / racks in service over the horizon"),
    Col("idle_rack_years", "racks", "idle racks (in service minus busy) summed over the years of the horizon"),
)
PLAN_COMPONENTS = ("rack_capex", "rack_fom", "optical", "hvdc")  # first stage: decided before the future is known
# The columns of every table a results folder may hold (exports format from this).
TABLE_COLUMNS: dict[str, tuple[Col, ...]] = {**TABLES, "places": PLACES_TABLE, "futures": FUTURES_TABLE}

FUTURE = Col("future", "", "demand future")


def _series(var, names: list[str]) -> pd.Series:
    values = var.extract_values()
    if not values:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=names))
    index = pd.MultiIndex.from_tuples(list(values), names=names)
    return pd.Series(list(values.values()), index=index, dtype=float).fillna(0.0)


def _duals(m, con, names: list[str]) -> pd.Series:
    values = {k: m.dual.get(con[k], 0.0) for k in con}
    if not values:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=names))
    keys = [k if isinstance(k, tuple) else (k,) for k in values]
    return pd.Series(list(values.values()), index=pd.MultiIndex.from_tuples(keys, names=names), dtype=float)


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
    assets = list(service.index)        # region ids, or (from, to) corridors
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
    return {(a if isinstance(a, tuple) else (a,)) + (starts[j],): float(per_unit[i, j])
            for i, j, a in zip(rows, cols, (assets[i] for i in rows))}


def _kept(method):
    """Compute a table once per Results; callers get their own copy to change."""
    @functools.wraps(method)
    def table(self):
        if method.__name__ not in self._kept:
            self._kept[method.__name__] = method(self)
        return self._kept[method.__name__].copy()
    return table


def _clean(x: pd.Series | pd.DataFrame, tol: float = 1e-9):
    """Solver noise below tol becomes exact zero, so tables show 0 where nothing happens."""
    return x.mask(x.abs() < tol, 0.0)


class Results:
    """Tidy tables of one solved model."""

    def __init__(self, model, data: ModelData, solution: Solution, free_plan=None, free_cost: float | None = None,
                 value_of_information: dict | None = None):
        """``free_plan``/``free_cost``: the optimum without planned builds (for over_plan risks);
        ``value_of_information``: VSS and EVPI when the case has futures."""
        self.m = model
        self.data = data
        self.solution = solution
        self.settings = data.settings
        self.currency = data.settings.currency
        self.free_plan = free_plan
        self.free_cost = free_cost
        self.value_of_information = value_of_information or {}
        self._kept: dict[str, pd.DataFrame] = {}

    # ---- shared extracts -------------------------------------------------------------------

    @cached_property
    def _racks(self) -> pd.DataFrame:
        built = _series(self.m.racks_built, ["region", "period"])
        in_service = _series(self.m.racks_in_service, ["region", "period"])
        return pd.DataFrame({"racks_built": built, "racks_in_service": in_service}).fillna(0.0)

    @cached_property
    def _it_mw(self) -> pd.Series:
        return _series(self.m.it_power_mw, ["future", "region", "period"])

    @cached_property
    def _served(self) -> pd.Series:
        return _series(self.m.tokens_served, ["future", "from_region", "to_region", "workload", "period"]).rename("ttok_per_day")

    def _ordered(self, table: str, df: pd.DataFrame) -> pd.DataFrame:
        """The table's columns in contract order; ``future`` first, and only with several futures."""
        cols = [c.name for c in TABLES[table]]
        if self.data.stochastic and "future" in df.columns:
            cols = ["future"] + cols
        return df.reindex(columns=cols).reset_index(drop=True)

    # ---- tables ----------------------------------------------------------------------------

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {name: getattr(self, name)() for name in TABLES}
        out["places"] = self.places()
        if self.data.stochastic:
            out["futures"] = self.futures()
        return out

    def places(self) -> pd.DataFrame:
        r = self.data.regions
        df = r[[c.name for c in PLACES_TABLE]].reset_index(drop=True).copy()
        df["max_racks"] = df["max_racks"].where(df["max_racks"] != float("inf"))
        return df

    @cached_property
    def _cost_values(self) -> dict[str, dict]:
        """Each registered cost expression's value (currency/year), keyed as the expression is."""
        return {term.expression: {k: expression_value(e) for k, e in getattr(self.m, term.expression).items()}
                for term in self.m.cost_terms}

    @cached_property
    def objective(self) -> float:
        """Total discounted cost: the objective, summed from the same cost terms it is built from."""
        by = self.cost_by_future()   # probabilities add up to one, so this is plan + expected operations
        return float((by["total_cost"] * by["probability"]).sum())

    def cost_by_future(self) -> pd.DataFrame:
        """Discounted first-stage (plan) and second-stage (operations) cost per future."""
        d = self.data
        first, second = 0.0, {f: 0.0 for f in d.futures}
        for term in self.m.cost_terms:
            values = self._cost_values[term.expression]
            for p in d.period_starts:
                if term.per_future:
                    for f in d.futures:
                        second[f] += d.weights[p] * values[f, p]
                else:
                    first += d.weights[p] * values[p]
        rows = [(f, prob, first, second[f], first + second[f]) for f, prob in d.futures.items()]
        return pd.DataFrame(rows, columns=["future", "probability", "first_stage_cost", "second_stage_cost", "total_cost"])

    def futures(self) -> pd.DataFrame:
        df = self.cost_by_future()
        use = self._use_by_future.reindex(df["future"])
        # nothing asked is nothing missing; no racks is no use
        df["demand_served_share"] = np.where(use["demand"] > 0, 1 - use["unserved"] / use["demand"].where(use["demand"] > 0, 1.0), 1.0)
        df["mean_utilization"] = np.where(use["racks_in_service"] > 0, use["busy_racks"] / use["racks_in_service"].where(
            use["racks_in_service"] > 0, 1.0), 0.0)
        df["idle_rack_years"] = use["idle_rack_years"].to_numpy()
        return df[[c.name for c in FUTURES_TABLE]]

    @cached_property
    def _use_by_future(self) -> pd.DataFrame:
        """Per future: demand and unserved (ttok/day summed over regions, workloads and periods),
        busy racks and racks in service (summed over regions and periods) and idle rack-years.
        The futures table shows them per future; the summary takes their expectation."""
        d = self.data
        cap = self._with_future(self.capacity())
        cap = cap.assign(idle_rack_years=cap["idle_racks"] * cap["year"].map(d.period_years))
        use = cap.groupby("future")[["busy_racks", "racks_in_service", "idle_rack_years"]].sum()
        use["demand"] = d.demand.groupby(level="future").sum()
        use["unserved"] = self._with_future(self.unserved()).groupby("future")["ttok_per_day"].sum()
        return use.reindex(list(d.futures)).fillna(0.0)

    def _with_future(self, df: pd.DataFrame) -> pd.DataFrame:
        """A table with its ``future`` column, which tables of a case without futures leave out."""
        return df if self.data.stochastic else df.assign(future=next(iter(self.data.futures)))

    def cost_by_component(self) -> dict[str, float]:
        """Total discounted cost by component; the values add up to the objective."""
        c = self.costs()
        totals = c.groupby("component")["discounted_cost"].sum()
        return {k: float(totals.get(k, 0.0)) for k in COMPONENTS}

    @_kept
    def summary(self) -> pd.DataFrame:
        s, d = self.settings, self.data
        last_period = d.period_starts[-1]
        net = self.network()
        prob = pd.Series(d.futures)
        use = self._use_by_future
        demand, lost = float((use["demand"] * prob).sum()), float((use["unserved"] * prob).sum())
        util = float(((use["busy_racks"] / use["racks_in_service"]).fillna(0.0) * prob).sum())
        costs = self.cost_by_component()
        cur = self.currency
        expected = " (expected over the futures)" if d.stochastic else ""
        plan_net = net[net["future"] == next(iter(d.futures))] if d.stochastic and len(net) else net   # shared builds
        rows = [
            ("status", self.solution.status, ""),
            ("objective", self.objective, f"{cur} (discounted to {s.start_year}){expected}"),
            *[(f"cost_{k}", v, cur) for k, v in costs.items()],
            ("first_stage_cost", sum(costs[k] for k in PLAN_COMPONENTS), f"{cur}: the build plan"),
            ("second_stage_cost", sum(v for k, v in costs.items() if k not in PLAN_COMPONENTS), f"{cur}: operations{expected}"),
            ("racks_built", float(self._racks["racks_built"].sum()), "racks"),
            (f"racks_in_service_{last_period}",
             float(self._racks.xs(last_period, level="period")["racks_in_service"].sum()), "racks"),
            ("mean_utilization", util, "fraction"),
            ("optical_built_tbps", float(plan_net["optical_built_tbps"].sum()) if len(plan_net) else 0.0, "Tbps"),
            ("hvdc_built_gw", float(plan_net["hvdc_built_gw"].sum()) if len(plan_net) else 0.0, "GW"),
            ("demand_served_share", 1 - lost / demand if demand > 0 else 1.0, "fraction"),
        ]
        if self.free_cost is not None:
            rows.append(("cost_of_planned_builds", self.objective - self.free_cost,
                         f"{cur}: this plan minus the optimum without planned builds"))
        if d.stochastic:
            rows += [(f"cost_if_{f}", float(c), cur) for f, c in zip(*self.cost_by_future()[["future", "total_cost"]].T.values)]
        for key, v in self.value_of_information.items():
            rows.append((key, float(v), cur))
        return pd.DataFrame(rows, columns=["item", "value", "unit"])

    @_kept
    def costs(self) -> pd.DataFrame:
        m, d = self.m, self.data
        r, start = self.settings.discount_rate, self.settings.start_year
        rows = []
        for term in m.cost_terms:
            values = self._cost_values[term.expression]
            for period in d.periods:
                p = period.start
                if term.per_future:
                    annual = sum(d.futures[f] * values[f, p] for f in m.FUTURES)
                else:
                    annual = values[p]
                for y in period.calendar_years:
                    rows.append((y, p, term.component, annual, annual * finance.discount_factor(r, y - start)))
        df = pd.DataFrame(rows, columns=["year", "period", "component", "cost", "discounted_cost"])
        df = df.groupby(["year", "period", "component"], sort=False, as_index=False).sum()
        order = {c: i for i, c in enumerate(COMPONENTS)}
        df = df.sort_values(["year", "component"], key=lambda s: s.map(order) if s.name == "component" else s)
        return self._ordered("costs", df)

    @_kept
    def capacity(self) -> pd.DataFrame:
        racks = self._racks
        it = self._it_mw.rename("it_mw").reset_index()
        df = it.merge(racks.reset_index(), on=["region", "period"], how="left")
        pue = self.data.regions["pue"]
        df["busy_racks"] = df["it_mw"] * 1000.0 / self.settings.rack_kw
        df["utilization"] = np.where(df["racks_in_service"] > 0, df["busy_racks"] / df["racks_in_service"].where(
            df["racks_in_service"] > 0, 1.0), 0.0)
        df["idle_racks"] = (df["racks_in_service"] - df["busy_racks"]).clip(lower=0.0)
        df["facility_mw"] = df["it_mw"] * df["region"].map(pue)
        df["zone"] = df["region"].map(self.data.regions["zone"])
        df = df.rename(columns={"period": "year"})
        num = ["racks_built", "racks_in_service", "busy_racks", "utilization", "idle_racks", "it_mw", "facility_mw"]
        df[num] = _clean(df[num])
        return self._ordered("capacity", df.sort_values(["future", "region", "year"]))

    @_kept
    def serving(self) -> pd.DataFrame:
        s = _clean(self._served)
        df = s[s > 0].reset_index().rename(columns={"period": "year"})
        return self._ordered("serving", df.sort_values(["future", "from_region", "to_region", "workload", "year"]))

    @_kept
    def network(self) -> pd.DataFrame:
        m, d = self.m, self.data
        corridors = d.corridors[d.corridors["optical_allowed"] | d.corridors["hvdc_allowed"]]
        if corridors.empty:
            return self._ordered("network", pd.DataFrame(columns=["future"]))
        idx = pd.MultiIndex.from_tuples([(f, a, b, p) for f in d.futures for a, b in corridors.index
                                         for p in d.period_starts], names=["future", "from", "to", "period"])
        df = pd.DataFrame(index=idx)
        for var, col in ((m.optical_built_tbps, "optical_built_tbps"), (m.optical_in_service_tbps, "optical_in_service_tbps"),
                         (m.hvdc_built_gw, "hvdc_built_gw"), (m.hvdc_in_service_gw, "hvdc_in_service_gw")):
            s = _series(var, ["from", "to", "period"])
            df[col] = s.reindex(idx.droplevel("future")).to_numpy() if len(s) else 0.0
        tbps = d.workloads["gbps_per_ttok"] / 1000.0
        served = self._served.reset_index()
        remote = served[served["from_region"] != served["to_region"]].copy()
        remote["tbps"] = remote["workload"].map(tbps) * remote["ttok_per_day"]
        traffic = remote.groupby(["future", "from_region", "to_region", "period"])["tbps"].sum()
        flow = _series(m.hvdc_flow_mw, ["future", "sender", "receiver", "period"])
        fwd = pd.MultiIndex.from_arrays([idx.get_level_values(k) for k in ("future", "from", "to", "period")])
        back = pd.MultiIndex.from_arrays([idx.get_level_values(k) for k in ("future", "to", "from", "period")])
        df["optical_forward_tbps"] = traffic.reindex(fwd).fillna(0.0).to_numpy()
        df["optical_reverse_tbps"] = traffic.reindex(back).fillna(0.0).to_numpy()
        df["hvdc_forward_mw"] = flow.reindex(fwd).fillna(0.0).to_numpy() if len(flow) else 0.0
        df["hvdc_reverse_mw"] = flow.reindex(back).fillna(0.0).to_numpy() if len(flow) else 0.0
        df = df.fillna(0.0)
        busier = df[["optical_forward_tbps", "optical_reverse_tbps"]].max(axis=1)
        df["optical_utilization"] = np.where(df["optical_in_service_tbps"] > 1e-12,
                                             busier / df["optical_in_service_tbps"].clip(lower=1e-12), 0.0)
        busier = df[["hvdc_forward_mw", "hvdc_reverse_mw"]].max(axis=1)
        df["hvdc_utilization"] = np.where(df["hvdc_in_service_gw"] > 1e-12,
                                          busier / (1000.0 * df["hvdc_in_service_gw"].clip(lower=1e-12)), 0.0)
        df = _clean(df).reset_index().rename(columns={"period": "year"})
        return self._ordered("network", df)

    @_kept
    def energy(self) -> pd.DataFrame:
        m, d = self.m, self.data
        grid = _series(m.grid_power_mw, ["future", "region", "period"])
        green = _series(m.green_power_mw, ["future", "region", "period"]).reindex(grid.index).fillna(0.0)
        flow = _series(m.hvdc_flow_mw, ["future", "sender", "receiver", "period"]).reset_index()
        df = pd.DataFrame({"grid_mw": grid, "green_mw": green})
        if len(flow):
            flow.columns = ["future", "sender", "receiver", "period", "mw"]
            flow["delivered"] = flow["mw"] * [m.hvdc_delivered_share[(x, y)] for x, y in zip(flow["sender"], flow["receiver"])]
            sent = flow.groupby(["future", "sender", "period"])["mw"].sum().rename_axis(["future", "region", "period"])
            got = flow.groupby(["future", "receiver", "period"])["delivered"].sum().rename_axis(["future", "region", "period"])
            df["imports_mw"] = got.reindex(df.index).fillna(0.0)
            df["exports_mw"] = sent.reindex(df.index).fillna(0.0)
        else:
            df["imports_mw"] = 0.0
            df["exports_mw"] = 0.0
        sup = d.supply.reindex(df.index)
        df["facility_mw"] = self._it_mw.reindex(df.index).to_numpy() * df.index.get_level_values("region").map(d.regions["pue"]).to_numpy()
        df["energy_cost"] = HOURS_PER_YEAR * (df["grid_mw"] * sup["grid_price"] + df["green_mw"] * sup["green_price"].fillna(0.0))
        df["emissions_t"] = HOURS_PER_YEAR * df["grid_mw"] * sup["grid_co2"]
        df = _clean(df).reset_index().rename(columns={"period": "year"})
        return self._ordered("energy", df)

    @_kept
    def unserved(self) -> pd.DataFrame:
        un = _clean(_series(self.m.tokens_unserved, ["future", "region", "workload", "period"]))
        df = pd.DataFrame({"ttok_per_day": un, "demand": self.data.demand.reindex(un.index)})
        df = df[df["ttok_per_day"] > 0]
        df["share"] = df["ttok_per_day"] / df["demand"]
        df = df.reset_index().rename(columns={"period": "year"})
        return self._ordered("unserved", df)

    @_kept
    def prices(self) -> pd.DataFrame:
        m, d = self.m, self.data
        w, prob = d.weights, d.futures
        cur = self.currency
        frames = []

        def per_year(s: pd.Series, per_future: bool) -> pd.Series:
            """Undiscount a dual series: divide by the period weight (and the future's probability)."""
            p = s.index.get_level_values("period")
            scale = np.array([w[x] for x in p])
            if per_future:
                scale = scale * np.array([prob[f] for f in s.index.get_level_values("future")])
            return s / scale

        rack = per_year(_duals(m, m.rack_utilization, ["future", "region", "period"]).abs(), True)
        rack = rack * self.settings.max_utilization
        frames.append(rack.rename("value").reset_index().assign(price="rack_value", unit=f"{cur}/rack-year"))
        token = per_year(_duals(m, m.demand_balance, ["future", "region", "workload", "period"]), True)
        token = token / MILLION_TOKENS_PER_YEAR_PER_TTOK_PER_DAY
        frames.append(token.rename("value").reset_index().assign(price="token_cost", unit=f"{cur}/million tokens"))
        power = per_year(_duals(m, m.power_balance, ["future", "region", "period"]), True) / HOURS_PER_YEAR
        frames.append(power.rename("value").reset_index().assign(price="power_price", unit=f"{cur}/MWh"))
        for con, unit, per_future, divide in (
            (m.min_green_share, f"{cur}/MWh of green", True, HOURS_PER_YEAR),
            (m.carbon_cap, f"{cur}/t CO2", True, 1e6),
            (m.min_zone_capacity_share, f"{cur}/rack-year", False, 1.0),
        ):
            names = ["future", "zone", "period"] if per_future else ["zone", "period"]
            dual = per_year(_duals(m, con, names).abs(), per_future) / divide
            dual = dual[dual > 1e-9]
            frames.append(dual.rename("value").reset_index().assign(price=con.local_name, unit=unit))
        df = pd.concat(frames, ignore_index=True).rename(columns={"period": "year"})
        df["value"] = _clean(df["value"])
        for col in ("region", "workload", "zone"):
            df[col] = df[col].fillna("") if col in df else ""
        return self._ordered("prices", df)

    @_kept
    def risks(self) -> pd.DataFrame:
        """Overcapacity, most expensive first: idle racks, stranded builds, planned builds above the
        optimum, and idle network capacity."""
        frames = [f for f in (self._idle_racks(), self._stranded(), self._over_plan(), self._network_idle()) if len(f)]
        if frames:
            df = pd.concat(frames, ignore_index=True)
        else:
            df = pd.DataFrame(columns=["future"] + [c.name for c in TABLES["risks"]])
        df = df.sort_values(["idle_cost", "region", "year"], ascending=[False, True, True])
        return self._ordered("risks", df)

    def idle(self) -> pd.DataFrame:
        """Every region-year (and future) with its idle racks and their annual cost, flagged or not."""
        cap = self._with_future(self.capacity())
        cost = self._annual_cost_per_unit["racks"]
        return cap.assign(idle_cost=cap["idle_racks"] * [cost.get((r, y), 0.0) for r, y in zip(cap["region"], cap["year"])],
                          years=cap["year"].map(self.data.period_years))

    def _idle_racks(self) -> pd.DataFrame:
        s = self.settings
        idle = self.idle()
        flagged = idle[(idle["racks_in_service"] > 1e-6) & (idle["utilization"] < s.min_utilization)].copy()
        return flagged.assign(
            asset="racks", idle=flagged["idle_racks"], unit="racks", flag="idle",
            reason=[f"{u:.0%} of {n:,.0f} racks busy, below min_utilization {s.min_utilization:.0%}"
                    for u, n in zip(flagged["utilization"], flagged["racks_in_service"])])

    def _stranded(self) -> pd.DataFrame:
        """New racks whose region stays below min_utilization every year from their build to the
        end of the horizon: in every future, or in the future with the least demand."""
        d, s = self.data, self.settings
        cap = self._with_future(self.capacity()).sort_values(["future", "region", "year"])
        totals = d.demand.groupby(level="future").sum().reindex(list(d.futures), fill_value=0.0)
        low = totals.idxmin()
        # below_to_end: utilisation below min_utilization in this year and every later one
        below = (cap["utilization"] < s.min_utilization).astype(int)
        reverse = below.iloc[::-1]
        to_end = reverse.groupby([cap["future"].iloc[::-1], cap["region"].iloc[::-1]]).cummin().iloc[::-1]
        stays = pd.Series(to_end.to_numpy() > 0, index=pd.MultiIndex.from_arrays(
            [cap["region"], cap["year"], cap["future"]])).unstack("future")
        use = dict(zip(zip(cap["future"], cap["region"], cap["year"]), cap["utilization"]))
        built = self._racks["racks_built"]
        annual = self._annual_new_rack_cost
        rows = []
        for (region, q), racks in built[built > 0.5].items():
            always = stays.loc[(region, q)]
            if always.all():
                futures, where = list(d.futures), "in every future" if d.stochastic else ""
            elif d.stochastic and always.get(low, False):
                futures, where = [low], f"in the {low} future"
            else:
                continue
            for f in futures:
                rows.append(dict(future=f, asset="racks", region=region, year=q,
                                 utilization=float(use.get((f, region, q), 0.0)), idle=racks, unit="racks",
                                 idle_cost=racks * annual[region], flag="stranded",
                                 reason=f"{racks:,.0f} racks built in {q} stay below min_utilization "
                                        f"{s.min_utilization:.0%} every year to {d.period_starts[-1]} {where}".rstrip()))
        return pd.DataFrame(rows)

    def _over_plan(self) -> pd.DataFrame:
        """Planned builds above what the optimum without planned builds would build there."""
        planned = self.data.planned_builds
        if self.free_plan is None or planned.empty:
            return pd.DataFrame()
        free = self.free_plan.builds.get("racks_built", {})
        built = self._racks["racks_built"]
        annual = self._annual_new_rack_cost
        cap = self._with_future(self.capacity())
        rows = []
        for (region, period), group in planned[planned["kind"].isin(["fixed", "min"])].groupby(["region", "period"]):
            have, optimum = float(built.get((region, period), 0.0)), free.get((region, period), 0.0)
            excess = have - optimum
            if excess <= 0.5:
                continue
            cited = "; ".join(group["rows"])
            for f in self.data.futures:
                u = cap[(cap["future"] == f) & (cap["region"] == region) & (cap["year"] == period)]["utilization"]
                rows.append(dict(future=f, asset="racks", region=region, year=period,
                                 utilization=float(u.iloc[0]) if len(u) else 0.0, idle=excess, unit="racks",
                                 idle_cost=excess * annual[region], flag="over_plan",
                                 reason=f"planned builds ({cited}) put {have:,.0f} racks here in "
                                        f"{period}; the optimum without them builds {optimum:,.0f}: {excess:,.0f} more"))
        return pd.DataFrame(rows)

    def _network_idle(self) -> pd.DataFrame:
        """Optical or HVDC capacity in service whose busier direction uses less than min_utilization."""
        s = self.settings
        net = self.network()
        if not len(net):
            return pd.DataFrame()
        net = self._with_future(net)
        rows = []
        for tech, unit in (("optical", "Tbps"), ("hvdc", "GW")):
            cost = self._annual_cost_per_unit[tech]
            service = f"{tech}_in_service_{unit.lower()}"
            chosen = net[(net[service] > 1e-9) & (net[f"{tech}_utilization"] < s.min_utilization)]
            for a, b, y, f, total, use in zip(chosen["from"], chosen["to"], chosen["year"], chosen["future"],
                                              chosen[service], chosen[f"{tech}_utilization"]):
                idle = total * (1 - use)
                rows.append(dict(future=f, asset=tech, region=f"{a}-{b}", year=y, utilization=use, idle=idle, unit=unit,
                                 idle_cost=idle * cost.get((a, b, y), 0.0), flag="network_idle",
                                 reason=f"{use:.0%} of {total:,.3g} {unit} used, below min_utilization "
                                        f"{s.min_utilization:.0%}"))
        return pd.DataFrame(rows)

    @cached_property
    def _annual_new_rack_cost(self) -> dict[str, float]:
        """Annuity plus fixed O&M of one new rack a year, per region."""
        r = self.settings.discount_rate
        return {region: finance.annuity(reg["rack_capex"], r, reg["rack_life"]) + reg["rack_fom"]
                for region, reg in self.data.regions.iterrows()}

    @cached_property
    def _annual_cost_per_unit(self) -> dict[str, dict[tuple, float]]:
        """Per asset class (racks, optical, hvdc), the annual cost of one unit in service per asset
        and period: annuities of builds still in service plus fixed O&M, averaged over everything
        in service (existing capacity has no capex)."""
        d, s = self.data, self.settings
        reg, c = d.regions, d.corridors
        out = {"racks": _unit_costs(self._racks["racks_built"], self._racks["racks_in_service"], d,
                                    capex=reg["rack_capex"].to_dict(), life=reg["rack_life"].to_dict(),
                                    fom=reg["rack_fom"].to_dict(), rate=s.discount_rate)}
        for tech, unit, life, fom in (("optical", "tbps", s.optical_life, s.optical_fom),
                                      ("hvdc", "gw", s.hvdc_life, s.hvdc_fom)):
            built = _series(getattr(self.m, f"{tech}_built_{unit}"), ["from", "to", "period"])
            service = _series(getattr(self.m, f"{tech}_in_service_{unit}"), ["from", "to", "period"])
            capex = c[f"{tech}_capex"].to_dict()
            out[tech] = _unit_costs(built, service, d, capex=capex, life={k: life for k in capex},
                                    fom={k: fom for k in capex}, rate=s.discount_rate)
        return out

    def top_risks(self, n: int = 5) -> pd.DataFrame:
        return self.risks().head(n)

    def builds_by_zone(self) -> pd.DataFrame:
        """Racks built per zone and period (the plan, for the printed summary)."""
        racks = self._racks.reset_index()
        racks["zone"] = racks["region"].map(self.data.regions["zone"]).replace("", "(no zone)")
        table = racks.pivot_table(index="zone", columns="period", values="racks_built", aggfunc="sum", fill_value=0.0)
        return table
