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
