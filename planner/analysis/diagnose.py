"""Name what makes a plan infeasible: solve the elastic model and describe the rows that give.

Only policy and planned-build rows can make the LP infeasible; the elastic model (see
models/elastic.py) lets each of them give with a slack and minimises the total. Every positive
slack becomes a plain sentence naming the row (policy, zone, year, or planned build and its
spreadsheet rows) and how much could not be met.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from planner.models import build_model

from planner.optimise.prepare import ModelData
from planner.optimise.solver import SolverOptions, solve

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Shortfall:
    row: str          # policy name or "planned_build"
    where: str        # zone/region, year, future
    amount: float
    unit: str
    message: str


def diagnose(data: ModelData, options: SolverOptions | None = None) -> list[Shortfall]:
    """The rows that cannot be met, most violated first; empty if the elastic solve fails too."""
    opts = (options or SolverOptions()).quiet()
    m = build_model(data, elastic_rows=True)
    if not solve(m, opts).optimal:
        return []
    found = []
    for family in m.registry.slacks:
        for key, value in getattr(m, family.variable).extract_values().items():
            if value is not None and value > TOLERANCE:
                key = key if isinstance(key, tuple) else (key,)
                found.append(_describe(data, family, key, float(value)))
    return sorted(found, key=lambda s: -s.amount)


def _describe(data: ModelData, family, key: tuple, amount: float) -> Shortfall:
    if family.row == "planned_build":
        region, period, kind = key
        pb = data.planned_builds
        rows = pb[(pb["region"] == region) & (pb["period"] == period) & (pb["kind"] == kind)]["rows"]
        cited = rows.iloc[0] if len(rows) else "planned_builds"
        gave = "could not be built" if family.variable.endswith("shortfall_racks") else "beyond the limit had to be built"
        where = f"{region} {period}"
        text = f"planned build ({kind}) in {region}, period {period} ({cited}): {amount:,.0f} racks {gave}"
        return Shortfall("planned_build", where, amount, family.unit, text)
    future = key[0] if len(key) == 3 else None
    zone, period = key[-2], key[-1]
    pol = data.policies
    rows = pol[(pol["policy"] == family.row) & (pol["zone"] == zone) & (pol["period"] == period)]["row"]
    cited = f" (policies row {int(rows.iloc[0])})" if len(rows) else ""
    zone_text = f"zone {zone}" if zone else "whole system"
    future_text = f", future {future}" if future is not None and data.stochastic else ""
    verb = "over by" if family.row == "carbon_cap_mt" else "short by"
    text = f"{family.row}, {zone_text}, {period}{future_text}{cited}: {verb} {amount:,.3g} {family.unit}"
    return Shortfall(family.row, f"{zone_text} {period}", amount, family.unit, text)


def policies_forcing_unserved(data: ModelData, model, options: SolverOptions | None = None, live=None) -> list[str]:
    """Binding policies that are met only by leaving demand unserved (SPEC 4.5): the warnings.

    For each policy family (policy and zone) that binds in a period where demand goes unserved,
    solve once without that family; where more demand is then served, the policy is what left it
    unserved, and the warning says by how much. Unserved demand that a policy did not cause (a
    capacity limit, say) gives no warning. :class:`PolicyCheck` does the same in steps, so that
    its solves can run beside other work.
    """
    check = PolicyCheck(data, model, options, live)
    check.solve()
    return check.notes()


class PolicyCheck:
    """The policy counterfactuals of :func:`policies_forcing_unserved` in three steps.

    ``PolicyCheck(...)`` reads what it needs from the solved model (unserved demand, binding
    policies, their rows); ``solve()`` runs the counterfactuals; ``notes()`` turns them into
    warnings. With ``live`` (the main solve's :class:`~planner.optimise.solver.LiveLP`) each
    counterfactual drops the family's rows from HiGHS's copy of the LP and re-solves from the
    optimal basis, and ``solve()`` touches only HiGHS, so it may run in a thread while the
    tables are made (HiGHS holds no Python lock). Without it, the model is rebuilt without the
    family and solved from scratch. Both give the same LP.
    """

    def __init__(self, data: ModelData, model, options: SolverOptions | None = None, live=None):
        self.data, self.live = data, live
        self.options = (options or SolverOptions()).quiet()
        self.unserved = _unserved(model)
        self.names: dict[str, str] = {}
        self.binding: dict[tuple[str, str], set[int]] = {}
        self.rows: dict[tuple[str, str], list] = {}
        self.without: dict[tuple[str, str], object] = {}
        self.cancelled = False
        self.solved = 0   # re-solves finished; read from another thread for progress (an int is atomic)
        if self.unserved.sum() <= TOLERANCE:
            return
        for policy in model.registry.policies:
            con = getattr(model, policy.constraint)
            self.names[policy.constraint] = policy.input
            for key in con:
                if abs(model.dual.get(con[key], 0.0)) > 1e-9:
                    zone, period = key[-2], key[-1]
                    self.binding.setdefault((policy.constraint, zone), set()).add(period)
        if live is not None:
            self.keys = list(model.tokens_unserved)
            self.variables = [model.tokens_unserved[k] for k in self.keys]
            for family, zone in self.binding:
                self.rows[family, zone] = [c for key, c in getattr(model, family).items() if key[-2] == zone]

    @property
    def pending(self) -> bool:
        """Whether there is anything to solve."""
        return bool(self.binding)

    def status(self) -> str:
        """Where the check is, in a planner's words: a progress line for runs that wait on it."""
        order = sorted(self.binding)
        if self.solved >= len(order):
            return "policy check: done"
        family, zone = order[self.solved]
        where = f"zone {zone}" if zone else "whole system"
        return f"policy check {self.solved + 1} of {len(order)}: without {self.names[family]}, {where}"

    def solve(self, progress=lambda stage: None) -> None:
        """Run the re-solves, telling ``progress`` the :meth:`status` before each one."""
        for family, zone in sorted(self.binding):
            if self.cancelled:
                return
            progress(self.status())
            if self.live is not None:
                values = self.live.values_without(self.rows[family, zone], self.variables)
                self.without[family, zone] = None if values is None else (self.keys, values)
            else:
                pol = self.data.policies
                keep = ~((pol["policy"] == self.names[family]) & (pol["zone"] == zone))
                relaxed = build_model(dataclasses.replace(self.data, policies=pol[keep]))
                self.without[family, zone] = _unserved(relaxed) if solve(relaxed, self.options).optimal else None
            self.solved += 1

    def cancel(self) -> None:
        """Stop the counterfactuals (from another thread): HiGHS stops at its next check."""
        self.cancelled = True
        if self.live is not None:
            self.live.cancel()

    def notes(self) -> list[str]:
        notes = []
        unserved = self.unserved
        for (family, zone), periods in sorted(self.binding.items()):
            without = self.without.get((family, zone))
            if without is None:
                continue
            if isinstance(without, tuple):
                without = _unserved_series(*without)
            freed = unserved - without.reindex(unserved.index, fill_value=0.0)
            if "slice" in freed.index.names:   # tokens/day in a slice, for its share of the year
                freed = freed * self.data.slices["weight"].reindex(freed.index.get_level_values("slice")).to_numpy()
            freed = freed.groupby(level="period").sum()
            for period in sorted(periods):
                gained = float(freed.get(period, 0.0))
                if gained > 1e-6:
                    zone_text = f"zone {zone}" if zone else "the whole system"
                    notes.append(f"{self.names[family]} for {zone_text} in {period} is met only by leaving demand "
                                 f"unserved: without it, {gained:,.3g} trillion tokens/day more would be served")
        return notes


def _unserved(model):
    values = model.tokens_unserved.extract_values()
    return _unserved_series(list(values), list(values.values()))


def _unserved_series(keys: list, values: list):
    import pandas as pd

    if not keys:
        return pd.Series(dtype=float)
    names = ["future", "region", "workload", "period"] + (["slice"] if len(keys[0]) == 5 else [])
    index = pd.MultiIndex.from_tuples(keys, names=names)
    return pd.Series(values, index=index, dtype=float).fillna(0.0)
