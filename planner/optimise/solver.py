"""Hand the Pyomo model to HiGHS in memory and bring values and duals back.

Route (measured fastest with Pyomo as the model's source of truth, docs/performance.md): the
model's linear expressions are read into a column-wise sparse matrix (``planner.optimise.matrix``,
the same matrix Pyomo's ``LinearStandardFormCompiler`` gives, which takes any model that reader
leaves to it), which goes straight into ``highspy.passModel``; primal values are written back into the Pyomo variables
and row duals into ``model.dual``, keyed by constraint.

Numerics: objective coefficients are money per unit, from about 1 (a cheap rack-year) to 1e9
(a trillion tokens/day left unserved for a year). They go to HiGHS unscaled: HiGHS scales the
problem itself, and dividing every cost by the largest one pushed the small ones below HiGHS's
dual feasibility tolerance (1e-7), so it stopped at plans that were not optimal. Duals follow
the usual minimisation convention: the change of the objective for one more unit of a
constraint's right-hand side.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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

    # Interior point + crossover. HiGHS's dual simplex ("choose" or "simplex") reached the same
    # optimum 1.4-3.4x faster on every benchmark size, but where several placements cost the same
    # it ends on an extreme one (on the national case it sends more real-time work west than
    # training); interior point ends near the middle of the tied set, and crossover then gives
    # a vertex, basic duals and a basis for warm what-ifs (docs/performance.md, "HiGHS options").
    algorithm: str = "ipm"          # ipm, choose (HiGHS decides: dual simplex for an LP), simplex, pdlp
    crossover: bool = True          # after interior point: a vertex and basic duals
    presolve: bool = True
    threads: int | None = None      # None: HiGHS decides
    time_limit: float | None = None  # seconds
    log_file: Path | None = None    # HiGHS log written here
    log_to_console: bool = False
    # Not for HiGHS: whether a run solves the policy counterfactuals (SPEC 4.5's warning that a
    # policy is met by leaving demand unserved). On, as the contract says; they are re-solves of
    # the LP without each binding policy and, with many time slices, can take longer than the
    # main solve (docs/performance.md), so a planner iterating on a large case may turn them off.
    policy_check: bool = True

    def quiet(self, **changes) -> "SolverOptions":
        """The same options without a log: for the extra solves of an analysis."""
        return replace(self, log_file=None, log_to_console=False, **changes)


@dataclass
class Solution:
    status: str                      # optimal, infeasible, time_limit, ...
    message: str
    objective: float | None          # currency, total discounted cost
    timings: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    solver: str = ""
    live: "LiveLP | None" = field(default=None, repr=False, compare=False)   # with solve(keep_live=True)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


class LiveLP:
    """The solved LP as HiGHS still holds it, for what-ifs on the same model.

    A what-if changes bounds (rows set aside, variables fixed) and re-solves, without building
    and handing over the model again: warm, with the simplex from the optimal basis (the policy
    counterfactuals of a run: dropping rows keeps that basis primal feasible), or cold, with the
    run's own algorithm (a plan lived in the futures it was not made for). Everything is put
    back afterwards; the Pyomo model keeps the main solution.
    """

    def __init__(self, highs, columns: list, rows: list, row_lower: np.ndarray, row_upper: np.ndarray,
                 col_lower: np.ndarray, col_upper: np.ndarray):
        self.highs = highs
        self.column_of = {id(v): j for j, v in enumerate(columns)}
        self.rows_of: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            self.rows_of.setdefault(id(r.constraint), []).append(i)
        self.row_lower, self.row_upper = row_lower, row_upper
        self.col_lower, self.col_upper = col_lower, col_upper
        # each what-if starts from the optimum's basis, not from where the last one ended: that
        # basis is infeasible once the last one's rows are back (measured on the national case:
        # the second counterfactual 4.6 s from there, 0.3 s from the optimum's)
        self.basis = highs.getBasis()

    def values_without(self, constraints, variables) -> list[float] | None:
        """Values of ``variables`` at the optimum without ``constraints`` (Pyomo constraint data
        objects), or None when that LP has no optimum."""
        with self._what_if(set_aside=constraints) as h:
            if h is None:
                return None
            x = h.getSolution().col_value
            # a variable in no row and not in the objective sits at its lower bound (0)
            return [x[self.column_of[id(v)]] if id(v) in self.column_of else 0.0 for v in variables]

    def objective_with(self, bounds, set_aside=(), warm: bool = True) -> float | None:
        """The optimal objective (currency) with the variables of ``bounds`` ((variable, lower,
        upper) triples, None for no bound) held to them and the constraints of ``set_aside``
        (constraint data) dropped, or None when that LP has no optimum; ``warm=False`` solves it
        with the run's own algorithm instead of the simplex from the optimal basis."""
        with self._what_if(bounds, set_aside, warm) as h:
            return None if h is None else h.getInfo().objective_function_value

    @contextmanager
    def _what_if(self, bounds=(), set_aside=(), warm: bool = True):
        """HiGHS re-solved with the changes made (``warm``: simplex from the optimal basis; else
        the run's options from scratch); yields it when optimal, else None; puts every bound and
        option back."""
        import highspy

        inf = highspy.kHighsInf
        h = self.highs
        rows = np.array(sorted(i for c in set_aside for i in self.rows_of.get(id(c), ())), dtype=np.int32)
        changed = [(self.column_of[id(v)], lo, hi) for v, lo, hi in bounds if id(v) in self.column_of]
        cols = np.array([j for j, _, _ in changed], dtype=np.int32)
        if len(rows):
            h.changeRowsBounds(len(rows), rows, np.full(len(rows), -inf), np.full(len(rows), inf))
        if len(cols):
            h.changeColsBounds(len(cols), cols, np.array([-inf if lo is None else lo for _, lo, _ in changed], dtype=float),
                               np.array([inf if hi is None else hi for _, _, hi in changed], dtype=float))
        algorithm = h.getOptionValue("solver")
        algorithm = algorithm[1] if isinstance(algorithm, tuple) else algorithm   # highspy gives (status, value)
        if warm:
            h.setOptionValue("solver", "simplex")
            h.setBasis(self.basis)
        else:
            h.clearSolver()   # no basis or solution carried over: the run's algorithm starts afresh
        try:
            run_highs(h)
            yield h if h.getModelStatus() == highspy.HighsModelStatus.kOptimal else None
        finally:
            if len(rows):
                h.changeRowsBounds(len(rows), rows, self.row_lower[rows], self.row_upper[rows])
            if len(cols):
                h.changeColsBounds(len(cols), cols, self.col_lower[cols], self.col_upper[cols])
            h.setOptionValue("solver", algorithm)

    def cancel(self) -> None:
        """Stop a re-solve running in another thread at HiGHS's next check."""
        _cancel(self.highs)


def highs_lp(m):
    """The model as a ``highspy.HighsLp``, with the variables (columns) and constraint rows
    (in matrix order, each with its ``constraint``) to map the solution back."""
    import highspy

    from planner.optimise.matrix import read

    form = read(m) or _pyomo_standard_form(m)
    n_col, n_row = len(form.columns), len(form.rows)
    inf = highspy.kHighsInf
    sense = np.fromiter((r.bound_type for r in form.rows), dtype=np.int8, count=n_row)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.offset_ = form.offset
    lp.col_cost_ = form.cost
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in form.columns], dtype=float)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in form.columns], dtype=float)
    lp.row_lower_ = np.where(sense == 1, -inf, form.rhs)
    lp.row_upper_ = np.where(sense == -1, inf, form.rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
    lp.a_matrix_.start_ = form.start.astype(np.int32)
    lp.a_matrix_.index_ = form.index.astype(np.int32)
    lp.a_matrix_.value_ = form.value.astype(float)
    return lp, form.columns, form.rows


def _pyomo_standard_form(m):
    """Pyomo's own compiler, for a model the direct reader leaves to it (planner.optimise.matrix)."""
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    from planner.optimise.matrix import StandardForm

    form = LinearStandardFormCompiler().write(m, mixed_form=True)
    A = form.A.tocsc()
    return StandardForm(columns=form.columns, rows=form.rows,
                        cost=np.asarray(form.c.toarray()).ravel() if form.columns else np.zeros(0),
                        offset=float(form.c_offset[0]) if len(form.c_offset) else 0.0,
                        rhs=np.asarray(form.rhs, dtype=float), start=A.indptr, index=A.indices, value=A.data)


ALGORITHMS = ("ipm", "choose", "simplex", "pdlp")


class SolverOptionError(ValueError):
    """HiGHS refused an option value (the command line reports it as bad input)."""


def new_highs():
    """A ``highspy.Highs`` that has printed nothing: HiGHS writes its banner to the process's
    standard output when the first one is made, whatever the options say, so that one is made
    with standard output pointed at /dev/null."""
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    with _stdout_silenced():
        h = highspy.Highs()
    _BANNER_SHOWN = True
    return h


_BANNER_SHOWN = False


@contextmanager
def _stdout_silenced():
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):   # no real stdout (a notebook, a captured stream)
        fd = 1
    sys.stdout.flush()
    try:
        saved = os.dup(fd)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _set(h, name: str, value) -> None:
    import highspy

    if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise SolverOptionError(f"HiGHS does not accept {name} = {value!r}")


def highs_with(options: SolverOptions):
    """A ``highspy.Highs`` set up with the planner's options; ``SolverOptionError`` names one it refuses."""
    return set_options(new_highs(), options)


def set_options(h, options: SolverOptions):
    """The planner's options set on the ``highspy.Highs`` ``h`` (which is returned);
    ``SolverOptionError`` names one HiGHS refuses."""
    if options.algorithm not in ALGORITHMS:
        raise SolverOptionError(f"unknown algorithm {options.algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if options.time_limit is not None and not options.time_limit > 0:
        raise SolverOptionError(f"the time limit must be more than 0 seconds, not {options.time_limit:g}")
    _set(h, "output_flag", bool(options.log_to_console or options.log_file))
    _set(h, "log_to_console", bool(options.log_to_console))
    if options.log_file:
        _set(h, "log_file", str(options.log_file))
    _set(h, "solver", options.algorithm)
    _set(h, "run_crossover", "on" if options.crossover else "off")
    _set(h, "presolve", "on" if options.presolve else "off")
    if options.threads:
        _set(h, "threads", int(options.threads))
    if options.time_limit:
        _set(h, "time_limit", float(options.time_limit))
    return h


def run_highs(h) -> None:
    """``h.run()`` in a helper thread, so that the main thread stays free to receive Ctrl-C and
    SIGTERM (planner.interrupt): HiGHS holds no Python lock while it solves, and a signal stops
    the run at once instead of when HiGHS finishes."""
    done = threading.Event()
    failure: list[BaseException] = []

    def work():
        try:
            h.run()
        except BaseException as err:   # handed to the caller's thread
            failure.append(err)
        finally:
            done.set()

    worker = threading.Thread(target=work, name="highs", daemon=True)
    worker.start()
    try:
        while not done.wait(0.05):
            pass
    except BaseException:
        _cancel(h)
        raise
    if failure:
        raise failure[0]


def _cancel(h) -> None:
    """Ask a running HiGHS to stop at its next check (it will also end with the process)."""
    try:
        h.cancelSolve()
    except Exception:   # an older highspy without it: the daemon thread ends with the process
        pass


def solve(m, options: SolverOptions | None = None, keep_live: bool = False) -> Solution:
    """Solve the model, load values into its variables and duals into ``m.dual``. With
    ``keep_live`` an optimal solution keeps HiGHS's copy of the LP (``Solution.live``) for
    quick what-ifs; drop it when done, it holds the solver's memory."""
    from pyomo.common.gc_manager import PauseGC

    options = options or SolverOptions()
    t0 = time.perf_counter()
    lp, columns, rows = highs_lp(m)
    bounds = ((np.asarray(lp.row_lower_), np.asarray(lp.row_upper_), np.asarray(lp.col_lower_), np.asarray(lp.col_upper_))
              if keep_live else None)
    h = highs_with(options)
    h.passModel(lp)
    del lp   # HiGHS holds its own copy; do not keep a second one through the solve
    size = {"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    t1 = time.perf_counter()
    run_highs(h)
    t2 = time.perf_counter()

    status_name = h.getModelStatus().name
    status = STATUS_WORDS.get(status_name, "error")
    message = h.modelStatusToString(h.getModelStatus())
    objective = None
    if status == "optimal":
        solution = h.getSolution()
        with PauseGC():   # nothing becomes garbage here; do not rescan the model's objects
            for v, x in zip(columns, solution.col_value):
                v.set_value(x, skip_validation=True)
            _settle_unused(m)
            duals = np.asarray(solution.row_dual, dtype=float)
            m.dual.clear()
            for r, y in zip(rows, duals.tolist()):
                m.dual[r.constraint] = m.dual.get(r.constraint, 0.0) + y
        objective = h.getInfo().objective_function_value
    t3 = time.perf_counter()
    return Solution(
        status=status,
        message=message,
        objective=objective,
        timings={"handoff": t1 - t0, "highs": t2 - t1, "load": t3 - t2},
        size=size,
        solver=f"HiGHS {h.version()}",
        live=LiveLP(h, columns, rows, *bounds) if keep_live and status == "optimal" else None,
    )


def _settle_unused(m) -> None:
    """Variables in no constraint and not in the objective were left out of the matrix; at
    an optimum they sit at their lower bound (all are non-negative)."""
    from pyomo.core import Var

    for v in m.component_data_objects(Var, active=True):
        if v.value is None:
            v.set_value(v.lb if v.lb is not None else 0.0, skip_validation=True)


def expression_value(e) -> float:
    """Value of a model expression at the loaded solution: what ``pyomo.environ.value`` gives.

    Pyomo's evaluator visits every node through a generic tree walker; the model's costs and
    objective are sums of coefficient x variable, which this reads directly, about ten times
    faster. Anything else is left to Pyomo.
    """
    if not _READERS:
        _READERS.update(_readers())
    kind = type(e)
    if kind in _NUMBERS:
        return e
    read = _READERS.get(kind)
    if read is not None:
        return read(e)
    if e.is_named_expression_type():
        return expression_value(e.expr)
    if e.is_variable_type() and e.value is not None:
        return e.value
    from pyomo.core import value

    return value(e)


def objective_value(m) -> float:
    """Total discounted cost of the loaded solution (currency)."""
    return float(expression_value(m.total_cost.expr))


def _readers() -> dict:
    from pyomo.common.numeric_types import native_numeric_types
    from pyomo.core.expr import numeric_expr as ne

    global _NUMBERS
    _NUMBERS = native_numeric_types   # Pyomo's live set: it learns numpy's number types as it meets them

    def add(e):
        return sum(expression_value(a) for a in e.args)

    def times(e):
        a, b = e.args
        return expression_value(a) * expression_value(b)

    return {ne.LinearExpression: add, ne.SumExpression: add, ne.MonomialTermExpression: times,
            ne.ProductExpression: times, ne.NegationExpression: lambda e: -expression_value(e.args[0])}


_NUMBERS: set = {float, int}   # replaced by Pyomo's set of number types on first use
_READERS: dict = {}   # filled on first use, so that importing this module does not import Pyomo
