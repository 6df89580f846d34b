"""The power balance of each region, closed once every feature has added its terms.

``power_balance[f, r, p, s]``, in every time slice: sum of the registered power terms = 0, i.e. power bought + power
received after losses - power sent = facility power (pue x IT MW). Features join it by
registering a :class:`~models.registry.PowerTerm`; nothing here names them. Price:
``power_price``, the marginal cost of one more MWh in the region.
"""
from __future__ import annotations

from pyomo.core import Constraint

from .linear import linear_sum
from .power import HOURS_PER_YEAR
from .registry import Feature, Price
from .slices import index, split


def add(m, data) -> None:
    parts = [term.terms for term in m.registry.power]

    def balance(m, *key):
        (f, r, p), sl = split(m, key)
        terms = []
        for part in parts:
            terms.extend(part(f, r, p, sl))
        return linear_sum(terms) == 0.0

    m.power_balance = Constraint(index(m, m.FUTURES, m.REGIONS, m.PERIODS), rule=balance)
    # the yearly price is the hours-weighted mean of the slices' prices (SPEC 7.8)
    m.registry.prices.append(Price("power_price", "power_balance", ("future", "region", "period"), "{currency}/MWh",
                                   divide=HOURS_PER_YEAR, sum_over=("slice",) if m.sliced else ()))


def extract(m, data) -> dict:
    """The marginal price of power in each slice, in currency per MWh of that slice, undiscounted
    (the dual over the period's weight, the future's probability and the slice's hours)."""
    if not m.sliced:
        return {}
    import pandas as pd

    hours, weights, probability = data.slices["hours"].to_dict(), data.weights, data.futures
    values = {k: m.dual.get(c, 0.0) / (weights[k[2]] * probability[k[0]]) / hours[k[3]] for k, c in m.power_balance.items()}
    index = pd.MultiIndex.from_tuples(list(values), names=["future", "region", "period", "slice"])
    return {"power_price_slice": pd.Series(list(values.values()), index=index, dtype=float)}


FEATURE = Feature("balance", add, extract, closes="power")
