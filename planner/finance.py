"""Money over time: model periods, discounting and annuities (SPEC 4.1, 4.5).

Every other module asks this one; none does its own discounting.

Conventions
-----------
* Costs of calendar year ``y`` are discounted to ``start_year`` by ``(1 + r)^-(y - start_year)``.
* A model period starting in year ``p`` stands for ``w_p = min(step, end - p + 1)`` years, all
  with the inputs of year ``p``; its weight is the sum of those years' discount factors.
* Capital is paid as an annuity-due: ``capex * CRF(r, life)`` in every year from the build year
  on while the asset is in service, and never after ``end_year``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """One model period: its first year and the number of calendar years it stands for."""

    start: int
    years: int

    @property
    def calendar_years(self) -> range:
        return range(self.start, self.start + self.years)


def model_periods(start_year: int, end_year: int, year_step: int = 1) -> list[Period]:
    """Model periods from ``start_year`` to ``end_year`` (inclusive) every ``year_step`` years.

    The last period is shortened so that no period reaches past ``end_year``.

    >>> [(p.start, p.years) for p in model_periods(2026, 2030, 2)]
    [(2026, 2), (2028, 2), (2030, 1)]
    >>> [(p.start, p.years) for p in model_periods(2026, 2026)]
    [(2026, 1)]
    """
    return [Period(p, min(year_step, end_year - p + 1)) for p in range(start_year, end_year + 1, year_step)]


def discount_factor(rate: float, years_after_start: float) -> float:
    """Present value at the start year of one unit paid ``years_after_start`` years later.

    >>> round(discount_factor(0.07, 1), 6)
    0.934579
    >>> discount_factor(0.0, 30)
    1.0
    """
    return (1.0 + rate) ** -years_after_start


def period_weight(rate: float, start_year: int, period: Period) -> float:
    """``DW_p``: present value of one unit of cost in every calendar year of ``period``.

    >>> period_weight(0.0, 2026, Period(2028, 2))
    2.0
    >>> round(period_weight(0.1, 2026, Period(2026, 2)), 6)  # 1 + 1/1.1
    1.909091
    """
    return sum(discount_factor(rate, y - start_year) for y in period.calendar_years)


def capital_recovery_factor(rate: float, life: float) -> float:
    """Share of an investment paid each year over ``life`` years at ``rate`` (ordinary annuity).

    >>> round(capital_recovery_factor(0.07, 15), 6)
    0.109795
    >>> capital_recovery_factor(0.0, 20)
    0.05
    """
    if life <= 0:
        raise ValueError(f"asset life must be positive, got {life}")
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def annuity(capex: float, rate: float, life: float) -> float:
    """Yearly payment for ``capex``: ``capex * CRF(rate, life)``.

    Paid from the build year on (annuity-due), a whole life of payments is worth
    ``capex * (1 + rate)`` at the build year:

    >>> payment = annuity(1000.0, 0.07, 15)
    >>> round(sum(payment * discount_factor(0.07, t) for t in range(15)), 6)
    1070.0
    """
    return capex * capital_recovery_factor(rate, life)


def in_service(build_start: int, life: float, period_start: int) -> bool:
    """Whether an asset built in the period starting ``build_start`` serves the period
    starting ``period_start``: its first year lies in ``[build_start, build_start + life)``.

    >>> [in_service(2026, 3, p) for p in (2026, 2028, 2029, 2030)]
    [True, True, False, False]
    """
    return build_start <= period_start < build_start + life


def retiring_builds(periods: list[Period], life: float) -> dict[int, list[int]]:
    """For each period, the build periods whose assets leave service at its start.

    Used to write capacity in service as a state: ``in_service[p] = in_service[p-1] +
    built[p] - sum(built[q] for q in retiring[p])``.

    >>> ps = model_periods(2026, 2034, 2)
    >>> retiring_builds(ps, 3)
    {2026: [], 2028: [], 2030: [2026], 2032: [2028], 2034: [2030]}
    >>> retiring_builds(ps, 1)  # shorter than a period: serves only its own period
    {2026: [], 2028: [2026], 2030: [2028], 2032: [2030], 2034: [2032]}
    """
    starts = [p.start for p in periods]
    out: dict[int, list[int]] = {p: [] for p in starts}
    for k, p in enumerate(starts):
        previous = starts[k - 1] if k else None
        for q in starts[: k + 1]:
            was = previous is not None and in_service(q, life, previous)
            if was and not in_service(q, life, p):
                out[p].append(q)
    return out


def annuity_weight(periods: list[Period], weights: dict[int, float], build_start: int, life: float) -> float:
    """Sum of ``DW_p`` over the periods in which a build of ``build_start`` pays its annuity.

    Payments stop at the end of the horizon, so there is no end-of-horizon distortion.

    >>> ps = model_periods(2026, 2028)
    >>> annuity_weight(ps, {2026: 1.0, 2027: 1.0, 2028: 1.0}, 2027, 15)
    2.0
    """
    return sum(weights[p.start] for p in periods if in_service(build_start, life, p.start))
