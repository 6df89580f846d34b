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
