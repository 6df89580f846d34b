"""Hand the Pyomo model to HiGHS in memory and bring values and duals back.

Route (measured fastest with Pyomo as the model's source of truth, ../shared/research/perf.md):
Pyomo's ``LinearStandardFormCompiler`` turns the model into a sparse matrix, which goes
straight into ``highspy.passModel``; primal values are written back into the Pyomo variables
and row duals into ``model.dual``, keyed by constraint.

Numerics: objective coefficients are money per unit (up to ~1e9 per trillion tokens/day), so
the objective is scaled by a power of ten before HiGHS sees it and unscaled afterwards; duals
are unscaled the same way. Duals follow the usual minimisation convention: the change of the
objective for one more unit of a constraint's right-hand side.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STATUS_WORDS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kUnbounded": "unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kMemoryLimit": "memory_limit",
    "kModelEmpty": "optimal",  # nothing to decide: the empty plan is optimal
}


@dataclass
class SolverOptions:
    """HiGHS options the planner exposes (see docs/formulation.md, "Solving")."""

    algorithm: str = "ipm"          # ipm (interior point), simplex, choose, pdlp
    crossover: bool = True          # clean vertex solution and basic duals after interior point
    presolve: bool = True
    threads: int | None = None      # None: HiGHS decides
    time_limit: float | None = None  # seconds
    log_file: Path | None = None    # HiGHS log written here
    log_to_console: bool = False


@dataclass
class Solution:
    status: str                      # optimal, infeasible, time_limit, ...
    message: str
    objective: float | None          # currency, total discounted cost
    timings: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    solver: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def solve(m, options: SolverOptions | None = None) -> Solution:
    import highspy
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    options = options or SolverOptions()
    t0 = time.perf_counter()
    form = LinearStandardFormCompiler().write(m, mixed_form=True)
    columns, rows = form.columns, form.rows
    n_col, n_row = len(columns), len(rows)
    A = form.A.tocsc()
    cost = np.asarray(form.c.toarray()).ravel() if n_col else np.zeros(0)
    offset = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    biggest = float(np.abs(cost).max()) if n_col else 0.0
    scale = 10.0 ** -math.floor(math.log10(biggest)) if biggest > 0 else 1.0

    inf = highspy.kHighsInf
    col_lower = np.array([-inf if v.lb is None else v.lb for v in columns], dtype=float)
    col_upper = np.array([inf if v.ub is None else v.ub for v in columns], dtype=float)
    rhs = np.asarray(form.rhs, dtype=float)
    sense = np.array([r.bound_type for r in rows], dtype=int)
    row_lower = np.where(sense == 1, -inf, rhs)
    row_upper = np.where(sense == -1, inf, rhs)

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(options.log_to_console or options.log_file))
    h.setOptionValue("log_to_console", bool(options.log_to_console))
    if options.log_file:
        h.setOptionValue("log_file", str(options.log_file))
    h.setOptionValue("solver", options.algorithm)
    h.setOptionValue("run_crossover", "on" if options.crossover else "off")
    h.setOptionValue("presolve", "on" if options.presolve else "off")
    if options.threads:
        h.setOptionValue("threads", int(options.threads))
    if options.time_limit:
        h.setOptionValue("time_limit", float(options.time_limit))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.offset_ = offset * scale
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost * scale, col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    h.passModel(lp)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()

    status_name = h.getModelStatus().name
    status = STATUS_WORDS.get(status_name, "error")
    message = h.modelStatusToString(h.getModelStatus())
    objective = None
    if status == "optimal":
        solution = h.getSolution()
        for v, x in zip(columns, solution.col_value):
            v.set_value(x, skip_validation=True)
        _settle_unused(m)
        duals = np.asarray(solution.row_dual, dtype=float) / scale
        m.dual.clear()
        for r, y in zip(rows, duals):
            m.dual[r.constraint] = m.dual.get(r.constraint, 0.0) + float(y)
        objective = h.getInfo().objective_function_value / scale
    t3 = time.perf_counter()
    return Solution(
        status=status,
        message=message,
        objective=objective,
        timings={"handoff": t1 - t0, "highs": t2 - t1, "load": t3 - t2},
        size={"columns": n_col, "rows": n_row, "nonzeros": int(A.nnz)},
        solver=f"HiGHS {h.version()}",
    )


def _settle_unused(m) -> None:
    """Variables in no constraint and not in the objective were left out of the matrix; at
    an optimum they sit at their lower bound (all are non-negative)."""
    from pyomo.environ import Var

    for v in m.component_data_objects(Var, active=True):
        if v.value is None:
            v.set_value(v.lb if v.lb is not None else 0.0, skip_validation=True)
