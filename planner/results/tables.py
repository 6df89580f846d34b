"""Results as tidy tables (SPEC section 5), shared by the exports, the command line, the report
and ``import planner``.

``Results(model, data, solution)`` assembles the contract's tables from what the model itself
names: each feature's ``extract`` (its quantities as tidy Series), the registered cost
expressions, and the registered prices. Nothing here re-derives a model quantity from the
inputs. Columns and units are declared in :mod:`planner.results.outputs`. Inside the program
every per-future table carries ``future``, also for a case without futures (``base``); the
files of such a run leave the column out (planner.results.export), and reading them back puts
it in again (planner.results.store).

Shadow prices follow SPEC 4.5: positive when more of the thing would cost more, in money of
their own year (the dual divided by the period's discount weight, and by the future's
probability), per unit.
"""
from __future__ import annotations

import functools
from functools import cached_property

import numpy as np
import pandas as pd

from planner.models import components, extract
from planner.models.values import duals

from planner import finance
from planner.optimise.prepare import ModelData
from planner.optimise.solver import Solution, expression_value
from planner.results.outputs import FUTURES_TABLE, PER_FUTURE, PLACES_TABLE, TABLES

_duals = duals

# outputs of a slice that are totals over its hours (summed over the slices for the year); every
# other per-slice output is a rate, averaged over the slices by their hours
SLICE_TOTALS = ("energy_cost", "emissions_t")


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

    # ---- what the model names ---------------------------------------------------------------

    @cached_property
    def xs(self) -> dict[str, pd.Series]:
        """Every feature's named outputs (models/*.py ``extract``), per time slice where they have one."""
        return extract(self.m, self.data)

    @cached_property
    def x(self) -> dict[str, pd.Series]:
        """The outputs as yearly figures: quantities of a slice (MW, tokens/day, Tbps) as their
        hours-weighted mean over the slices, costs and emissions of a slice's hours summed. With one
        slice (no time slices) the values themselves, so a version 1 case reads as it always has."""
        return {name: self._yearly(name, s) for name, s in self.xs.items()}

    def _yearly(self, name: str, s: pd.Series) -> pd.Series:
        if "slice" not in (s.index.names or []):
            return s
        others = [n for n in s.index.names if n != "slice"]
        if name in SLICE_TOTALS:
            return s.groupby(level=others, sort=False).sum()
        weight = self.data.slices["weight"].reindex(s.index.get_level_values("slice")).to_numpy()
        return (s * weight).groupby(level=others, sort=False).sum()

    def peak(self, name: str) -> pd.Series:
        """The largest value of a per-slice output over the slices (the hour a link or a site is sized for)."""
        s = self.xs[name]
        others = [n for n in s.index.names if n != "slice"]
        return s.groupby(level=others, sort=False).max() if len(s) else s.droplevel("slice")

    @cached_property
    def _racks(self) -> pd.DataFrame:
        return pd.DataFrame({"racks_built": self.x["racks_built"], "racks_in_service": self.x["racks_in_service"]}).fillna(0.0)

    @property
    def registry(self):
        return self.m.registry

    def _ordered(self, table: str, df: pd.DataFrame) -> pd.DataFrame:
        """The table's columns in contract order, ``future`` first where its rows are per future."""
        cols = [c.name for c in TABLES[table] if not c.optional or c.name in df.columns]
        if table in PER_FUTURE:
            cols = ["future"] + cols
        return df.reindex(columns=cols).reset_index(drop=True)

    # ---- tables ----------------------------------------------------------------------------

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {name: getattr(self, name)() for name in TABLES}
        out["places"] = self.places()
        if self.data.stochastic:
            out["futures"] = self.futures()
        if self.data.sliced:
            out["dispatch"] = self.dispatch()
        return out

    @_kept
    def dispatch(self) -> pd.DataFrame:
        """Per region, year and time slice (SPEC 7.6): IT MW of each workload, power bought and
        moved, and the marginal price of power in the slice."""
        xs, d = self.xs, self.data
        keys = ["future", "region", "period", "slice"]
        df = pd.DataFrame({"it_mw": xs["it_mw"], "grid_mw": xs["grid_mw"], "green_mw": xs["green_mw"]})
        df["imports_mw"] = xs["hvdc_received_mw"].reindex(df.index).fillna(0.0)
        df["exports_mw"] = xs["hvdc_sent_mw"].reindex(df.index).fillna(0.0)
        df["power_price"] = xs["power_price_slice"].reindex(df.index).fillna(0.0)
        by_workload = xs["it_mw_by_workload"].unstack("workload") if len(xs["it_mw_by_workload"]) else pd.DataFrame()
        for w in d.workloads.index:
            col = by_workload[w] if w in by_workload.columns else pd.Series(dtype=float)
            df[f"it_mw_{w}"] = col.reindex(df.index).fillna(0.0).to_numpy() if len(col) else 0.0
        df = _clean(df).reset_index()
        df["day"] = df["slice"].map(d.slices["day"])
        df["hours"] = df["slice"].map(d.slices["hours"])
        df["order"] = df["slice"].map(d.slices["order"])
        df = df.sort_values(["future", "region", "period", "day", "order", "slice"]).rename(columns={"period": "year"})
        workloads = [f"it_mw_{w}" for w in d.workloads.index]
        cols = ["future", "region", "year", "day", "slice", "hours", "it_mw", *workloads, "grid_mw", "green_mw",
                "imports_mw", "exports_mw", "power_price"]
        return df[cols].reset_index(drop=True)

    def places(self) -> pd.DataFrame:
        r = self.data.regions
        df = r[[c.name for c in PLACES_TABLE]].reset_index(drop=True).copy()
        df["max_racks"] = df["max_racks"].where(df["max_racks"] != float("inf"))
        return df

    @cached_property
    def _cost_values(self) -> dict[str, dict]:
        """Each registered cost expression's value (currency/year), keyed as the expression is."""
        return {term.expression: {k: expression_value(e) for k, e in getattr(self.m, term.expression).items()}
                for term in self.registry.costs}

    @cached_property
    def objective(self) -> float:
        """Total discounted cost: the objective, summed from the same cost terms it is built from."""
        by = self.cost_by_future()   # probabilities add up to one, so this is plan + expected operations
        return float((by["total_cost"] * by["probability"]).sum())

    def cost_by_future(self) -> pd.DataFrame:
        """Discounted first-stage (plan) and second-stage (operations) cost per future."""
        d = self.data
        first, second = 0.0, {f: 0.0 for f in d.futures}
        for term in self.registry.costs:
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
        cap = self.capacity()
        cap = cap.assign(idle_rack_years=cap["idle_racks"] * cap["year"].map(d.period_years))
        use = cap.groupby("future")[["busy_racks", "racks_in_service", "idle_rack_years"]].sum()
        use["demand"] = d.demand.groupby(level="future").sum()
        use["unserved"] = self.unserved().groupby("future")["ttok_per_day"].sum()
        return use.reindex(list(d.futures)).fillna(0.0)

    def cost_by_component(self) -> dict[str, float]:
        """Total discounted cost by component (the contract's, then any others registered); the
        values add up to the objective."""
        c = self.costs()
        totals = c.groupby("component")["discounted_cost"].sum()
        return {k: float(totals.get(k, 0.0)) for k in components(self.m)}

    def stage_costs(self) -> tuple[float, float]:
        """Discounted (first, second) stage cost: the build plan's costs (indexed by period only)
        and the operations' (indexed by future, expected). A component may have both, e.g. HVDC
        with a tariff on the power sent (SPEC 7.5c)."""
        costs = self.cost_by_component()
        kinds: dict[str, set[bool]] = {}
        for term in self.registry.costs:
            kinds.setdefault(term.component, set()).add(term.per_future)
        plan_only = {k for k, v in kinds.items() if v == {False}}
        mixed_plan = 0.0
        for term in self.registry.costs:
            if not term.per_future and kinds[term.component] == {False, True}:
                values = self._cost_values[term.expression]
                mixed_plan += sum(self.data.weights[p] * values[p] for p in self.data.period_starts)
        first = sum(costs[k] for k in costs if k in plan_only) + mixed_plan
        second = sum(v for k, v in costs.items() if k not in plan_only) - mixed_plan
        return first, second

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
        first, second = self.stage_costs()
        cur = self.currency
        expected = " (expected over the futures)" if d.stochastic else ""
        plan_net = net[net["future"] == next(iter(d.futures))] if len(net) else net   # builds are shared
        rows = [
            ("status", self.solution.status, ""),
            ("objective", self.objective, f"{cur} (discounted to {s.start_year}){expected}"),
            *[(f"cost_{k}", v, cur) for k, v in costs.items()],
            ("first_stage_cost", first, f"{cur}: the build plan"),
            ("second_stage_cost", second, f"{cur}: operations{expected}"),
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
        for term in self.registry.costs:
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
        order = {c: i for i, c in enumerate(components(m))}
        df = df.sort_values(["year", "component"], key=lambda s: s.map(order) if s.name == "component" else s)
        return self._ordered("costs", df)

    @_kept
    def capacity(self) -> pd.DataFrame:
        x = self.x
        it = pd.DataFrame({"it_mw": x["it_mw"], "busy_racks": x["busy_racks"], "facility_mw": x["facility_mw"]}).reset_index()
        df = it.merge(self._racks.reset_index(), on=["region", "period"], how="left")
        df["utilization"] = np.where(df["racks_in_service"] > 0, df["busy_racks"] / df["racks_in_service"].where(
            df["racks_in_service"] > 0, 1.0), 0.0)
        df["idle_racks"] = (df["racks_in_service"] - df["busy_racks"]).clip(lower=0.0)
        df["zone"] = df["region"].map(self.data.regions["zone"])
        num = ["racks_built", "racks_in_service", "busy_racks", "utilization", "idle_racks", "it_mw", "facility_mw"]
        if self.data.sliced:   # SPEC 7.6: the hour the site is sized for
            keys = pd.MultiIndex.from_arrays([df["future"], df["region"], df["period"]])
            df["peak_it_mw"] = self.peak("it_mw").reindex(keys).fillna(0.0).to_numpy()
            num.append("peak_it_mw")
        if self.data.servers:   # SPEC 7.1: servers inside the shells
            keys = pd.MultiIndex.from_arrays([df["region"], df["period"]])
            df["server_mw_built"] = x["servers_built_mw"].reindex(keys).fillna(0.0).to_numpy()
            df["server_mw_in_service"] = x["servers_in_service_mw"].reindex(keys).fillna(0.0).to_numpy()
            shell_mw = df["racks_in_service"] * self.settings.rack_kw / 1000.0
            df["occupancy"] = np.where(shell_mw > 1e-12, df["server_mw_in_service"] / shell_mw.where(shell_mw > 1e-12, 1.0), 0.0)
            servers = df["server_mw_in_service"]
            df["server_utilization"] = np.where(servers > 1e-12, df["it_mw"] / servers.where(servers > 1e-12, 1.0), 0.0)
            num += ["server_mw_built", "server_mw_in_service", "occupancy", "server_utilization"]
        df = df.rename(columns={"period": "year"})
        df[num] = _clean(df[num])
        return self._ordered("capacity", df.sort_values(["future", "region", "year"]))

    @_kept
    def serving(self) -> pd.DataFrame:
        s = _clean(self.x["tokens_served"].rename("ttok_per_day"))
        df = s[s > 0].reset_index().rename(columns={"period": "year"})
        return self._ordered("serving", df.sort_values(["future", "from_region", "to_region", "workload", "year"]))

    @_kept
    def network(self) -> pd.DataFrame:
        d = self.data
        corridors = d.corridors[d.corridors["optical_allowed"] | d.corridors["hvdc_allowed"]]
        if corridors.empty:
            return self._ordered("network", pd.DataFrame(columns=["future"]))
        idx = pd.MultiIndex.from_tuples([(f, a, b, p) for f in d.futures for a, b in corridors.index
                                         for p in d.period_starts], names=["future", "from", "to", "period"])
        df = pd.DataFrame(index=idx)
        x = self.x
        for col in ("optical_built_tbps", "optical_in_service_tbps", "hvdc_built_gw", "hvdc_in_service_gw"):
            s = x[col]
            df[col] = s.reindex(idx.droplevel("future")).to_numpy() if len(s) else 0.0
        traffic, flow = x["optical_traffic_tbps"], x["hvdc_flow_mw"]
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
        if self.data.sliced:   # the busiest slice in either direction over capacity (SPEC 7.6)
            for tech, name, scale in (("optical", "optical_traffic_tbps", 1.0), ("hvdc", "hvdc_flow_mw", 1000.0)):
                peak = self.peak(name)
                top = np.maximum(peak.reindex(fwd).fillna(0.0).to_numpy(), peak.reindex(back).fillna(0.0).to_numpy()) \
                    if len(peak) else 0.0
                service = df[f"{tech}_in_service_{'tbps' if tech == 'optical' else 'gw'}"]
                df[f"{tech}_peak_utilization"] = np.where(service > 1e-12, top / (scale * service.clip(lower=1e-12)), 0.0)
        df = _clean(df).reset_index().rename(columns={"period": "year"})
        return self._ordered("network", df)

    @_kept
    def energy(self) -> pd.DataFrame:
        x = self.x
        df = pd.DataFrame({"grid_mw": x["grid_mw"], "green_mw": x["green_mw"]})
        df["imports_mw"] = x["hvdc_received_mw"].reindex(df.index).fillna(0.0)
        df["exports_mw"] = x["hvdc_sent_mw"].reindex(df.index).fillna(0.0)
        df["facility_mw"] = x["facility_mw"].reindex(df.index).to_numpy()
        df["energy_cost"] = x["energy_cost"]
        df["emissions_t"] = x["emissions_t"]
        df = _clean(df).reset_index().rename(columns={"period": "year"})
        return self._ordered("energy", df)

    @_kept
    def unserved(self) -> pd.DataFrame:
        un = _clean(self.x["tokens_unserved"])
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

        def per_year(s: pd.Series, per_future: bool, undiscount: str = "period") -> pd.Series:
            """Undiscount a dual series: divide by the period weight (a yearly flow) or the discount
            factor of the period's first year (a one-off), and by the future's probability."""
            p = s.index.get_level_values("period")
            if undiscount == "year":
                r, start = self.settings.discount_rate, self.settings.start_year
                scale = np.array([finance.discount_factor(r, x - start) for x in p])
            else:
                scale = np.array([w[x] for x in p])
            if per_future:
                scale = scale * np.array([prob[f] for f in s.index.get_level_values("future")])
            return s / scale

        for price in self.registry.prices:
            names = list(price.index)
            if price.rows is not None:
                dual = price.rows(m)
            else:
                dual = _duals(m, getattr(m, price.constraint), names + list(price.sum_over))
                dual = dual.abs() if price.positive else dual
                if price.sum_over:
                    dual = dual.groupby(level=names).sum()
            dual = dual.abs() if price.positive and price.rows is not None else dual
            value = per_year(dual, price.per_future, price.undiscount)
            if price.factor != 1.0:
                value = value * price.factor
            if price.divide != 1.0:
                value = value / price.divide
            if price.only_binding:
                value = value[value > 1e-9]
            frames.append(value.rename("value").reset_index().assign(price=price.name, unit=price.unit.replace("{currency}", cur)))
        df = pd.concat(frames, ignore_index=True).rename(columns={"period": "year"})
        df["value"] = _clean(df["value"])
        for col in ("region", "workload", "zone"):
            df[col] = df[col].fillna("") if col in df else ""
        return self._ordered("prices", df)

    @_kept
    def risks(self) -> pd.DataFrame:
        """Overcapacity, most expensive first: idle racks (with servers: empty shells and idle
        servers), stranded builds, planned builds above the optimum, and idle network capacity.
        Each row says how much of the idle capacity the plan itself built (the rest stood before)."""
        shells = (self._empty_racks(), self._idle_servers()) if self.data.servers else (self._idle_racks(),)
        frames = [f for f in (*shells, self._stranded(), self._over_plan(), self._network_idle()) if len(f)]
        if frames:
            df = pd.concat(frames, ignore_index=True)
        else:
            df = pd.DataFrame(columns=["future"] + [c.name for c in TABLES["risks"]])
        df["idle_cost_from_plan"] = np.where(df["idle"] > 0, df["idle_cost"] * df["idle_from_plan"] /
                                             df["idle"].where(df["idle"] > 0, 1.0), 0.0) if len(df) else []
        df = df.sort_values(["idle_cost", "region", "year"], ascending=[False, True, True])
        return self._ordered("risks", df)

    def idle(self) -> pd.DataFrame:
        """Every region-year (and future) with its idle racks and their annual cost, flagged or not."""
        cap = self.capacity()
        cost = self._annual_cost_per_unit["racks"]
        return cap.assign(idle_cost=cap["idle_racks"] * [cost.get((r, y), 0.0) for r, y in zip(cap["region"], cap["year"])],
                          years=cap["year"].map(self.data.period_years))

    def _new_in_service(self, stock: str, key) -> pd.Series:
        """Units of a stock in service that the plan built (in service - what stood before), by key rows."""
        d = self.data
        in_service = self.x[{"racks": "racks_in_service", "servers": "servers_in_service_mw"}[stock]]
        existing = {"racks": d.existing_racks, "servers": d.existing_servers}[stock]
        new = (in_service - existing.reindex(in_service.index).fillna(0.0)).clip(lower=0.0)
        return new.reindex(key).fillna(0.0)

    def _idle_racks(self) -> pd.DataFrame:
        s = self.settings
        idle = self.idle()
        flagged = idle[(idle["racks_in_service"] > 1e-6) & (idle["utilization"] < s.min_utilization)].copy()
        new = self._new_in_service("racks", pd.MultiIndex.from_arrays([flagged["region"], flagged["year"]])).to_numpy()
        return flagged.assign(
            asset="racks", idle=flagged["idle_racks"], unit="racks", flag="idle",
            idle_from_plan=np.minimum(flagged["idle_racks"].to_numpy(), new),
            reason=[f"{u:.0%} of {n:,.0f} racks busy, below min_utilization {s.min_utilization:.0%}"
                    for u, n in zip(flagged["utilization"], flagged["racks_in_service"])])

    def _empty_racks(self) -> pd.DataFrame:
        """Shells with too few servers in them: occupancy below min_occupancy (SPEC 7.1)."""
        s = self.settings
        cap = self.capacity()
        flagged = cap[(cap["racks_in_service"] > 1e-6) & (cap["occupancy"] < s.min_occupancy)].copy()
        empty = (flagged["racks_in_service"] - flagged["server_mw_in_service"] * 1000.0 / s.rack_kw).clip(lower=0.0)
        cost = self._annual_cost_per_unit["racks"]
        new = self._new_in_service("racks", pd.MultiIndex.from_arrays([flagged["region"], flagged["year"]])).to_numpy()
        return flagged.assign(
            asset="racks", utilization=flagged["occupancy"], idle=empty, unit="racks", flag="empty_racks",
            idle_cost=empty * [cost.get((r, y), 0.0) for r, y in zip(flagged["region"], flagged["year"])],
            idle_from_plan=np.minimum(empty.to_numpy(), new),
            reason=[f"{o:.0%} of {n:,.0f} racks fitted with servers, below min_occupancy {s.min_occupancy:.0%}"
                    for o, n in zip(flagged["occupancy"], flagged["racks_in_service"])])

    def _idle_servers(self) -> pd.DataFrame:
        """Servers the work does not keep busy: server utilisation below min_utilization (SPEC 7.1)."""
        s = self.settings
        cap = self.capacity()
        flagged = cap[(cap["server_mw_in_service"] > 1e-9) & (cap["server_utilization"] < s.min_utilization)].copy()
        idle = (flagged["server_mw_in_service"] - flagged["it_mw"]).clip(lower=0.0)
        cost = self._annual_cost_per_unit["servers"]
        new = self._new_in_service("servers", pd.MultiIndex.from_arrays([flagged["region"], flagged["year"]])).to_numpy()
        return flagged.assign(
            asset="servers", utilization=flagged["server_utilization"], idle=idle, unit="MW", flag="idle_servers",
            idle_cost=idle * [cost.get((r, y), 0.0) for r, y in zip(flagged["region"], flagged["year"])],
            idle_from_plan=np.minimum(idle.to_numpy(), new),
            reason=[f"{u:.0%} of {n:,.3g} MW of servers busy, below min_utilization {s.min_utilization:.0%}"
                    for u, n in zip(flagged["server_utilization"], flagged["server_mw_in_service"])])

    def _stranded(self) -> pd.DataFrame:
        """New racks whose region stays below min_utilization (with servers: below min_occupancy)
        every year from their build to the end of the horizon: in every future, or in the future
        with the least demand."""
        d, s = self.data, self.settings
        cap = self.capacity().sort_values(["future", "region", "year"])
        totals = d.demand.groupby(level="future").sum().reindex(list(d.futures), fill_value=0.0)
        low = totals.idxmin()
        use_col, threshold, word = ("occupancy", s.min_occupancy, "min_occupancy") if d.servers else \
            ("utilization", s.min_utilization, "min_utilization")
        # below_to_end: below the threshold in this year and every later one
        below = (cap[use_col] < threshold).astype(int)
        reverse = below.iloc[::-1]
        to_end = reverse.groupby([cap["future"].iloc[::-1], cap["region"].iloc[::-1]]).cummin().iloc[::-1]
        stays = pd.Series(to_end.to_numpy() > 0, index=pd.MultiIndex.from_arrays(
            [cap["region"], cap["year"], cap["future"]])).unstack("future")
        use = dict(zip(zip(cap["future"], cap["region"], cap["year"]), cap[use_col]))
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
                                 idle_cost=racks * annual[region], flag="stranded", idle_from_plan=racks,
                                 reason=f"{racks:,.0f} racks built in {q} stay below {word} "
                                        f"{threshold:.0%} every year to {d.period_starts[-1]} {where}".rstrip()))
        return pd.DataFrame(rows)

    def _over_plan(self) -> pd.DataFrame:
        """Planned builds above what the optimum without planned builds would build there."""
        planned = self.data.planned_builds
        if self.free_plan is None or planned.empty:
            return pd.DataFrame()
        free = self.free_plan.builds.get("racks_built", {})
        built = self._racks["racks_built"]
        annual = self._annual_new_rack_cost
        cap = self.capacity()
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
                                 idle_cost=excess * annual[region], flag="over_plan", idle_from_plan=excess,
                                 reason=f"planned builds ({cited}) put {have:,.0f} racks here in "
                                        f"{period}; the optimum without them builds {optimum:,.0f}: {excess:,.0f} more"))
        return pd.DataFrame(rows)

    def _network_idle(self) -> pd.DataFrame:
        """Optical or HVDC capacity in service whose busier direction uses less than min_utilization."""
        s = self.settings
        net = self.network()
        if not len(net):
            return pd.DataFrame()
        rows = []
        for tech, unit in (("optical", "Tbps"), ("hvdc", "GW")):
            cost = self._annual_cost_per_unit[tech]
            service = f"{tech}_in_service_{unit.lower()}"
            existing = self.data.corridors[f"{tech}_existing_{unit.lower()}"].to_dict()
            chosen = net[(net[service] > 1e-9) & (net[f"{tech}_utilization"] < s.min_utilization)]
            for a, b, y, f, total, use in zip(chosen["from"], chosen["to"], chosen["year"], chosen["future"],
                                              chosen[service], chosen[f"{tech}_utilization"]):
                idle = total * (1 - use)
                rows.append(dict(future=f, asset=tech, region=f"{a}-{b}", year=y, utilization=use, idle=idle, unit=unit,
                                 idle_cost=idle * cost.get((a, b, y), 0.0), flag="network_idle",
                                 idle_from_plan=min(idle, max(0.0, total - existing.get((a, b), 0.0))),
                                 reason=f"{use:.0%} of {total:,.3g} {unit} used, below min_utilization "
                                        f"{s.min_utilization:.0%}"))
        return pd.DataFrame(rows)

    @cached_property
    def _annual_new_rack_cost(self) -> dict[str, float]:
        """Annuity plus fixed O&M of one new rack a year, per region (models/stock.py)."""
        return {key[0] if isinstance(key, tuple) else key: v for key, v in self.x["racks_new_unit_cost"].items()}

    @cached_property
    def _annual_cost_per_unit(self) -> dict[str, dict[tuple, float]]:
        """Per stock (racks, optical, hvdc), the annual cost of one unit in service per asset and
        period (models/stock.py)."""
        stocks = ("racks", "optical", "hvdc") + (("servers",) if self.data.servers else ())
        return {name: dict(self.x[f"{name}_unit_cost"].items()) for name in stocks}

    def top_risks(self, n: int = 5) -> pd.DataFrame:
        """The risks a planner should look at first: what the plan itself built, then by cost."""
        from planner.results.store import ranked_risks

        return ranked_risks(self.risks()).head(n)

    def builds_by_zone(self) -> pd.DataFrame:
        """Racks built per zone and period (the plan, for the printed summary)."""
        racks = self._racks.reset_index()
        racks["zone"] = racks["region"].map(self.data.regions["zone"]).replace("", "(no zone)")
        table = racks.pivot_table(index="zone", columns="period", values="racks_built", aggfunc="sum", fill_value=0.0)
        return table
