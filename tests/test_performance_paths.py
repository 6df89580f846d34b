"""The fast paths of the pipeline give what the plain Pyomo route gives.

Speed itself is measured by bench/run.py, never here; these tests only pin that the shortcuts
(reading expressions directly, building rows as LinearExpression) change no number.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyomo.environ import value

from planner.models import build_model
from planner.models.linear import linear_sum
from planner.optimise.prepare import prepare
from planner.run import load_input
from planner.optimise.solver import expression_value, objective_value, solve

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "example"


@pytest.fixture(scope="module")
def solved():
    case, futures = load_input(EXAMPLE)
    m = build_model(prepare(case, futures))
    assert solve(m).optimal
    return m


def test_expression_values_match_pyomo(solved):
    m = solved
    checked = 0
    for term in m.registry.costs:
        for key, e in getattr(m, term.expression).items():
            assert expression_value(e) == pytest.approx(value(e), rel=1e-12, abs=1e-9)
            checked += 1
    assert checked > 10
    assert objective_value(m) == pytest.approx(value(m.total_cost), rel=1e-12)


def test_expression_value_handles_numpy_numbers_and_other_expressions(solved):
    m = solved
    x = next(iter(m.racks_in_service.values()))
    assert expression_value(np.float64(2.5) * x) == pytest.approx(2.5 * x.value)
    assert expression_value(-x + 3) == pytest.approx(3 - x.value)
    assert expression_value(x ** 2) == pytest.approx(x.value ** 2)   # left to Pyomo


def test_linear_sum_is_the_sum_it_stands_for(solved):
    m = solved
    xs = list(m.racks_in_service.values())[:4]
    terms = [(1.5 * (k + 1), x) for k, x in enumerate(xs)]
    direct = linear_sum(terms, constant=-7.0)
    assert value(direct) == pytest.approx(value(sum(c * x for c, x in terms) - 7.0))


# --- the direct matrix reader (planner.optimise.matrix) against Pyomo's compiler ---------------

ROOT = Path(__file__).resolve().parents[1]


def _same_lp(direct, pyomo) -> None:
    assert [id(v) for v in direct.columns] == [id(v) for v in pyomo.columns]
    assert [(id(r.constraint), r.bound_type) for r in direct.rows] == \
           [(id(r.constraint), r.bound_type) for r in pyomo.rows]
    for name in ("start", "index", "value", "cost", "rhs"):
        assert np.array_equal(np.asarray(getattr(direct, name)), np.asarray(getattr(pyomo, name))), name
    assert direct.offset == pyomo.offset


@pytest.mark.parametrize("case", ["inputs/example", "inputs/scenarios/base.yaml",
                                  "inputs/scenarios/uncertain_demand.yaml"])
def test_direct_matrix_is_the_one_pyomo_compiles(case):
    """Same columns in the same order, same rows, every coefficient and bound equal to the bit:
    the example, the national case with servers and slices, and three futures in one LP."""
    from planner.optimise import matrix
    from planner.optimise.solver import _pyomo_standard_form

    path = ROOT / case
    m = build_model(prepare(*(_scenario(path) if path.suffix == ".yaml" else load_input(path))))
    direct = matrix.read(m)
    assert direct is not None and len(direct.value) > 500
    _same_lp(direct, _pyomo_standard_form(m))


def test_direct_matrix_with_a_plan_fixed_is_pyomos(solved):
    """A plan's test run fixes every build: fixed columns leave the matrix and their amounts move
    to the bounds, exactly as Pyomo's compiler moves them."""
    from planner.analysis.plans import fix_plan, plan_of
    from planner.optimise import matrix
    from planner.optimise.solver import _pyomo_standard_form

    case, futures = load_input(EXAMPLE)
    fixed = build_model(prepare(case, futures))
    fix_plan(fixed, plan_of(solved, "solved"))
    direct = matrix.read(fixed)
    assert direct is not None and len(direct.columns) < len(matrix.read(solved).columns)
    assert any(v.fixed and v.value > 0 for v in fixed.racks_built.values())
    _same_lp(direct, _pyomo_standard_form(fixed))


def _scenario(path):
    from planner.case.scenario import load_scenario

    scenario = load_scenario(path)
    return scenario.case, scenario.futures


def test_a_model_the_reader_does_not_know_goes_to_pyomos_compiler():
    """min p*x + 2y (p a mutable Param, 1)  s.t.  x + y >= 3, 0 <= x <= 2: a Param coefficient
    leaves the reader out, Pyomo's compiler hands the LP over, and HiGHS finds x = 2, y = 1,
    cost 4."""
    from pyomo.environ import ConcreteModel, Constraint, NonNegativeReals, Objective, Param, Suffix, Var

    from planner.optimise import matrix

    m = ConcreteModel()
    m.p = Param(initialize=1.0, mutable=True)
    m.x = Var(bounds=(0, 2))
    m.y = Var(within=NonNegativeReals)
    m.need = Constraint(expr=m.x + m.y >= 3)
    m.cost = Objective(expr=m.p * m.x + 2 * m.y)
    m.dual = Suffix(direction=Suffix.IMPORT)
    assert matrix.read(m) is None
    sol = solve(m)
    assert sol.optimal
    assert (m.x.value, m.y.value, sol.objective) == pytest.approx((2.0, 1.0, 4.0))
    assert m.dual[m.need] == pytest.approx(2.0)   # one more unit of need costs one more y


def test_the_reader_handles_negations_products_named_expressions_and_fixed_variables():
    """min 3a + (b - c) + 2*(e) with e = a + c (a named Expression), b fixed at 5, and
    rows a - c >= -1, -(a + b) <= -6 (so a >= 1), c <= 4: at the optimum a = 1, c = 0,
    cost 3 + 5 + 2 = 10; b, fixed, is no column and its 5 sits in the offset and the bounds."""
    from pyomo.environ import ConcreteModel, Constraint, Expression, NonNegativeReals, Objective, Suffix, Var

    from planner.optimise import matrix
    from planner.optimise.solver import _pyomo_standard_form

    m = ConcreteModel()
    m.a = Var(within=NonNegativeReals)
    m.b = Var(within=NonNegativeReals)
    m.c = Var(bounds=(0, 4))
    m.b.fix(5.0)
    m.e = Expression(expr=m.a + m.c)
    m.cost = Objective(expr=3 * m.a + (m.b - m.c) + 2 * m.e)
    m.gap = Constraint(expr=m.a - m.c >= -1)
    m.floor = Constraint(expr=-(m.a + m.b) <= -6)
    m.dual = Suffix(direction=Suffix.IMPORT)
    direct = matrix.read(m)
    assert direct is not None and len(direct.columns) == 2   # a and c
    _same_lp(direct, _pyomo_standard_form(m))
    sol = solve(m)
    assert (m.a.value, m.c.value, sol.objective) == pytest.approx((1.0, 0.0, 10.0))


def test_a_run_never_imports_scipy(tmp_path):
    """Pyomo loads scipy.stats with any scipy import (0.6 s of a small run); the direct reader
    needs none of it."""
    import subprocess
    import sys

    code = ("import sys; from planner.run import run_case; "
            f"o = run_case({str(EXAMPLE)!r}, {str(tmp_path)!r}); "
            "print(o.status, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-2:] == ["optimal", "False"]
