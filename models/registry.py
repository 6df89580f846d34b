"""What features tell the rest of the planner about themselves, declared once on the model.

A feature (one module: racks, workloads, optical, hvdc, power, policies, ...) adds its variables
and constraints and *registers* what other parts need to know, so that nothing outside the
feature keeps a list of model components:

* ``costs``: annual cost expressions by reported component (the objective and the cost table);
* ``power``: injections into and withdrawals from each region's power balance;
* ``builds``: the stocks the build plan decides (plan fixing, plans read back from a folder);
* ``policies``: rows a policy adds, with how their shadow price is reported and whether they
  only constrain the plan (set aside when a plan is fixed);
* ``prices``: every shadow price the prices table reports;
* ``slacks``: in elastic mode, the slack of each row that may give (the infeasibility diagnosis).

Each feature also names its outputs: ``extract(m, data)`` returns tidy ``pandas.Series`` of its
own quantities, which the results layer assembles into the contract's tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Feature:
    """One model feature: ``add(m, data)`` builds it, ``extract(m, data)`` names its outputs.

    ``requires`` lists the features whose components ``add`` uses; ``joins`` the shared balances
    it adds terms to (``"power"``); ``closes`` the balance it builds once every joining feature
    is in. The model is built in an order that respects all three (models/build.py)."""

    name: str
    add: Callable
    extract: Callable | None = None
    requires: tuple[str, ...] = ()
    joins: tuple[str, ...] = ()
    closes: str = ""


@dataclass(frozen=True)
class CostTerm:
    component: str      # reported component, e.g. rack_capex
    expression: str     # name of the Expression on the model (currency/year)
    per_future: bool    # indexed (future, period): an operating cost; else (period): the plan's


@dataclass(frozen=True)
class PowerTerm:
    """Terms of the power balance of region r: ``terms(f, r, p)`` gives (coefficient, variable)
    pairs, positive for power arriving (bought, received), negative for power used or sent."""

    name: str
    terms: Callable


@dataclass(frozen=True)
class Build:
    """A stock the build plan decides."""

    built: str                 # variable: units built per (asset..., period)
    in_service: str            # variable: units in service per (asset..., period)
    index: tuple[str, ...]     # names of the asset index, e.g. ("region",) or ("from", "to")
    unit: str                  # racks, Tbps, GW, MW, ...
    table: str = ""            # results table holding the builds (plans read back from a folder)
    column: str = ""           # its column there


@dataclass(frozen=True)
class Price:
    """A shadow price of the prices table: the dual of ``constraint``, in money of its own year
    (undiscounted, and conditional on the future when ``per_future``), divided by ``divide``,
    times ``factor``, made positive when ``positive``."""

    name: str                  # the price column value, e.g. power_price
    constraint: str
    index: tuple[str, ...]     # names of the price's index (the constraint's, less ``sum_over``)
    unit: str                  # with {currency}
    per_future: bool = True
    divide: float = 1.0
    factor: float = 1.0
    positive: bool = False     # report |dual| (a >= row's dual is negative by the convention)
    only_binding: bool = False # leave out rows whose price is zero (policies)
    undiscount: str = "period" # "period": a yearly flow, divide by DW_p; "year": a one-off, by the discount factor of p
    sum_over: tuple[str, ...] = ()   # index levels of the constraint summed away (the slices of a yearly price)
    rows: Callable | None = None     # rows(m) -> the combined duals by ``index``, when one constraint is not enough


@dataclass(frozen=True)
class Policy:
    """Rows one policy kind adds. ``input`` is its name in the policies sheet."""

    input: str
    constraint: str
    index: tuple[str, ...]
    per_future: bool
    plan_only: bool = False    # constrains only the build plan: set aside when a plan is fixed


@dataclass(frozen=True)
class Slack:
    variable: str   # name of the slack Var on the model
    row: str        # what kind of row it relaxes (policy name or "planned_build")
    unit: str       # unit of the slack


@dataclass
class Registry:
    costs: list[CostTerm] = field(default_factory=list)
    power: list[PowerTerm] = field(default_factory=list)
    builds: list[Build] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    slacks: list[Slack] = field(default_factory=list)
    plan_only: list[str] = field(default_factory=list)   # constraints a fixed plan sets aside

    @property
    def plan_costs(self) -> list[CostTerm]:
        return [t for t in self.costs if not t.per_future]

    @property
    def components(self) -> list[str]:
        """Reported cost components in the order features registered them."""
        return list(dict.fromkeys(t.component for t in self.costs))
