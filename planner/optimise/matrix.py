"""The model's standard-form matrix, read straight from its linear expressions.

Every constraint and cost the model features register is a sum of coefficient x variable
(``models/linear.py`` builds them as Pyomo ``LinearExpression`` objects). Pyomo's general
``LinearStandardFormCompiler`` walks each of them through its expression visitor and assembles
scipy sparse matrices; this reader visits the same objects with a loop that knows only those few
node types, and assembles the column-wise matrix with numpy. It gives the same LP: the same
columns in the same order (a variable component's entries all at once, in its index order, the
first time the objective or a row names one of them), the same rows (each constraint's
``to_bounded_expression``, the constant moved to the bound, a ranged row as two), the same
coefficients summed the same way, zero entries and unused columns dropped
(``tests/test_solver.py`` compares the two on the bundled cases). It saves most of the hand-over
time, and a run never imports scipy, whose import through Pyomo also loads scipy.stats.

Fixed variables are constants where their component has no columns yet, otherwise columns moved
to the bounds, as in Pyomo. Where the model holds anything else (a nonlinear node, a Param,
several objectives), ``read`` returns None and the caller uses Pyomo's compiler: the Pyomo model stays the one source of truth.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Row:
    """One matrix row: the constraint it comes from and its sense (0 ``=``, 1 ``<=``, -1 ``>=``),
    as Pyomo's compiler names them."""
    constraint: object
    bound_type: int


@dataclass
class StandardForm:
    columns: list            # Pyomo variable data, in column order
    rows: list[Row]
    cost: np.ndarray         # objective coefficient of each column
    offset: float            # objective constant
    rhs: np.ndarray          # each row's bound, the row's constant moved to it
    start: np.ndarray        # column-wise matrix: column j's entries are start[j]:start[j+1]
    index: np.ndarray        # their rows
    value: np.ndarray        # their coefficients


class _Unreadable(Exception):
    """A node this reader does not know: Pyomo's compiler takes the model instead."""


def read(m) -> StandardForm | None:
    """The LP of model ``m`` (one minimising objective), or None where only Pyomo's compiler can
    read it."""
    try:
        return _Reader(m).standard_form()
    except _Unreadable:
        return None


class _Reader:
    def __init__(self, m):
        from pyomo.core.base.constraint import Constraint
        from pyomo.core.base.objective import Objective, minimize
        from pyomo.core.expr import numeric_expr as ne
        from pyomo.common.numeric_types import native_numeric_types, native_types
        from pyomo.core.expr.numvalue import value

        self.m = m
        self.Constraint, self.Objective, self.minimize = Constraint, Objective, minimize
        self.numbers, self.native, self.value = native_numeric_types, native_types, value
        self.Monomial, self.Linear = ne.MonomialTermExpression, ne.LinearExpression
        self.Sum, self.Negation, self.Product = ne.SumExpression, ne.NegationExpression, ne.ProductExpression
        self.column_of: dict[int, int] = {}     # id(var data) -> column, before unused ones go
        self.columns: list = []
        self.components_seen: set[int] = set()

    # --- columns ---------------------------------------------------------------------------
    def _column(self, var) -> int | None:
        """The column of ``var``; None for a fixed variable whose component has no columns yet,
        which is a constant (Pyomo's rule, which also fixes where the component's columns go)."""
        j = self.column_of.get(id(var))
        if j is not None:
            return j
        if not var.is_variable_type():
            raise _Unreadable
        if var.fixed:
            if var.value is None:
                raise _Unreadable   # Pyomo's compiler names the variable
            return None
        component = var.parent_component()
        if id(component) in self.components_seen:
            raise _Unreadable   # a variable of a seen component not among its entries
        self.components_seen.add(id(component))
        for data in component.values():
            self.column_of[id(data)] = len(self.columns)
            self.columns.append(data)
        return self.column_of[id(var)]

    # --- one linear expression -------------------------------------------------------------
    def _terms(self, expr, linear: dict, scale: float = 1.0) -> float:
        """Add ``scale * expr`` to ``linear`` (column -> coefficient, in first-seen order) and
        return its constant."""
        kind = expr.__class__
        if kind in self.numbers:
            return scale * expr
        if kind is self.Linear:
            # the hot loop (nearly every term of the model): _add's work written out, with
            # the column lookup first, so a known column costs one dict lookup
            numbers, Monomial, column_of = self.numbers, self.Monomial, self.column_of
            constant, nested = 0, 0.0
            for arg in expr.args:
                if arg.__class__ is Monomial:
                    coef, var = arg._args_
                    if coef.__class__ not in numbers:
                        raise _Unreadable
                    j = column_of.get(id(var))
                    if j is None:
                        j = self._column(var)
                        if j is None:
                            nested += coef * var.value * scale
                            continue
                    if scale != 1.0:
                        coef = coef * scale
                    if j in linear:
                        linear[j] += coef
                    elif coef:
                        linear[j] = coef
                elif arg.__class__ in numbers:
                    constant += arg
                else:
                    nested += self._terms(arg, linear, scale)
            return constant * scale + nested
        if kind is self.Monomial:
            coef, var = expr._args_
            if coef.__class__ not in self.numbers:
                raise _Unreadable
            return self._add(linear, var, coef * scale)
        if kind is self.Sum:
            return sum(self._terms(arg, linear, scale) for arg in expr.args)
        if kind is self.Negation:
            return self._terms(expr.args[0], linear, -scale)
        if kind is self.Product:
            a, b = expr.args
            if a.__class__ in self.numbers:
                return self._terms(b, linear, scale * a)
            if b.__class__ in self.numbers:
                return self._terms(a, linear, scale * b)
            raise _Unreadable
        if getattr(expr, "is_named_expression_type", lambda: False)():
            return self._terms(expr.expr, linear, scale)
        if getattr(expr, "is_variable_type", lambda: False)():
            return self._add(linear, expr, scale)
        raise _Unreadable

    def _add(self, linear: dict, var, coef: float) -> float:
        """Add ``coef * var``; return the constant it makes (a fixed variable's value)."""
        j = self._column(var)
        if j is None:
            return coef * var.value
        if j in linear:
            linear[j] += coef
        elif coef:
            linear[j] = coef
        return 0.0

    # --- the whole LP ----------------------------------------------------------------------
    def standard_form(self) -> StandardForm:
        m = self.m
        objectives = list(m.component_data_objects(self.Objective, active=True))
        if len(objectives) != 1 or objectives[0].sense != self.minimize:
            raise _Unreadable
        cost_terms: dict[int, float] = {}
        offset = self._terms(objectives[0].expr, cost_terms)

        rows, rhs, lengths = [], [], []
        row_cols: list = []
        row_vals: list = []
        for con in m.component_data_objects(self.Constraint, active=True):
            lb, body, ub = self._bounded(con)
            if lb is None and ub is None:
                continue
            linear: dict[int, float] = {}
            constant = self._terms(body, linear)
            if not linear:
                if (lb is None or lb <= constant) and (ub is None or ub >= constant):
                    continue
                raise _Unreadable   # a trivially infeasible row: Pyomo's compiler says so
            senses = (0,) if lb == ub else tuple(s for s, b in ((1, ub), (-1, lb)) if b is not None)
            for sense in senses:
                rows.append(Row(con, sense))
                rhs.append((ub if sense >= 0 else lb) - constant)
                row_cols.append(linear.keys())
                row_vals.append(linear.values())
                lengths.append(len(linear))
        return self._assemble(cost_terms, offset, rows, rhs, row_cols, row_vals, lengths)

    def _bounded(self, con):
        """(lower, body, upper) with numeric bounds, as Pyomo's compiler takes them; a bound that
        does not evaluate is left to that compiler to report."""
        try:
            lb, body, ub = con.to_bounded_expression()
            if lb.__class__ not in self.native:
                lb = self.value(lb)
            if ub.__class__ not in self.native:
                ub = self.value(ub)
        except Exception:   # noqa: BLE001 - Pyomo's compiler raises its own error for it
            raise _Unreadable
        return lb, body, ub

    def _assemble(self, cost_terms, offset, rows, rhs, row_cols, row_vals, lengths) -> StandardForm:
        from itertools import chain

        n_col, nnz = len(self.columns), int(sum(lengths))
        cols = np.fromiter(chain.from_iterable(row_cols), dtype=np.int64, count=nnz)
        vals = np.fromiter(chain.from_iterable(row_vals), dtype=np.float64, count=nnz)
        row_of = np.repeat(np.arange(len(rows), dtype=np.int64), np.asarray(lengths, dtype=np.int64))
        keep = vals != 0.0            # a column's coefficients that summed to zero
        cols, vals, row_of = cols[keep], vals[keep], row_of[keep]
        cost = np.zeros(n_col)
        if cost_terms:
            cost[np.fromiter(cost_terms.keys(), dtype=np.int64)] = np.fromiter(cost_terms.values(), dtype=np.float64)
        # column-wise, rows ascending within a column (a stable sort of the row-wise entries)
        order = np.argsort(cols, kind="stable")
        cols, vals, row_of = cols[order], vals[order], row_of[order]
        counts = np.bincount(cols, minlength=n_col)
        used = (counts > 0) | (cost != 0.0)
        rhs = np.asarray(rhs, dtype=float)
        fixed = np.fromiter((v.fixed for v in self.columns), dtype=bool, count=n_col) & used
        if fixed.any():
            # fixed columns leave the matrix: their value times their entries moves to the bounds
            x = np.array([v.value if f else 0.0 for v, f in zip(self.columns, fixed.tolist())], dtype=float)
            if np.isnan(x).any():
                raise _Unreadable
            moved = fixed[cols]
            rhs = rhs - np.bincount(row_of[moved], weights=vals[moved] * x[cols[moved]], minlength=len(rows))
            offset = offset + float(cost[fixed] @ x[fixed])
            cols, vals, row_of = cols[~moved], vals[~moved], row_of[~moved]
            counts[fixed] = 0
            used &= ~fixed
        start = np.zeros(int(used.sum()) + 1, dtype=np.int64)
        np.cumsum(counts[used], out=start[1:])
        columns = [v for v, u in zip(self.columns, used.tolist()) if u]
        return StandardForm(columns=columns, rows=rows, cost=cost[used], offset=float(offset),
                            rhs=rhs, start=start,
                            index=row_of.astype(np.int32), value=vals)
