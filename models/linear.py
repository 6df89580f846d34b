"""Linear sums built directly as Pyomo ``LinearExpression`` objects.

``sum(c * x for ...)`` reaches the same expression through operator overloading, creating and
appending one temporary at a time; handing the terms to ``LinearExpression`` at once skips the
temporaries and leaves the standard-form compiler nothing to expand (docs/performance.md, "What
made it faster"). The expression is the same Pyomo object, read by the compiler, ``value()``
and the results as before.
"""
from __future__ import annotations

from typing import Iterable

from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression


def linear_sum(terms: Iterable[tuple[float, object]], constant: float = 0.0) -> LinearExpression:
    """``sum(coef * var for coef, var in terms) + constant``.

    >>> from pyomo.environ import ConcreteModel, Var, value
    >>> m = ConcreteModel(); m.x = Var([1, 2], initialize={1: 2.0, 2: 3.0})
    >>> e = linear_sum([(10.0, m.x[1]), (1.0, m.x[2])], constant=0.5)
    >>> str(e), value(e)
    ('10.0*x[1] + x[2] + 0.5', 23.5)
    """
    args = [MonomialTermExpression((c, v)) for c, v in terms]
    if constant:
        args.append(constant)
    return LinearExpression(args)
