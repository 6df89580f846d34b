"""Numbers as planners read them, shared by the terminal summary and the HTML report."""
from __future__ import annotations

import math


def money(x: float | None, currency: str) -> str:
    """Money at a readable scale; blank (None or NaN) shows as a dash.

    >>> money(1234567890, "USD"), money(-52_300, "CNY"), money(12.5, "USD"), money(float("nan"), "USD")
    ('1.23 bn USD', '-52.3 k CNY', '12.50 USD', '-')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            scaled = x / size
            return f"{scaled:,.{2 if abs(scaled) < 10 else 1}f} {word} {currency}"
    return f"{x:,.2f} {currency}"


NBSP = "\u00a0"


def money_nb(x: float | None, currency: str) -> str:
    """``money`` held together by non-breaking spaces: a wrapped line never splits a number from
    its unit.

    >>> money_nb(1234567890, "USD") == "1.23\\u00a0bn\\u00a0USD"
    True
    """
    return money(x, currency).replace(" ", NBSP)


def money_scale(values, currency: str) -> tuple[float, str]:
    """One divisor and unit for a column of money, from its largest value (for a header).

    >>> money_scale([3.1e9, 2e11], "USD"), money_scale([12.0], "CNY")
    ((1000000000.0, 'bn USD'), (1.0, 'CNY'))
    """
    top = max((abs(float(v)) for v in values if v == v), default=0.0)
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if top >= size:
            return size, f"{word} {currency}"
    return 1.0, currency


def scaled(x: float, divisor: float) -> str:
    """A number in a column of ``money_scale``: one decimal (two below 1, none from 1000).

    >>> scaled(56.62e9, 1e9), scaled(0.3056e9, 1e9), scaled(160.04e9, 1e9), scaled(0.0, 1e9), scaled(2345e9, 1e9)
    ('56.6', '0.31', '160.0', '0', '2,345')
    """
    v = x / divisor
    if abs(v) < 0.005:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.1f}" if abs(v) >= 1 else f"{v:.2f}"
