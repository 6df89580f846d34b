"""One run, end to end: input files -> validated case -> model -> solution -> results folder.

Each stage is timed and its peak memory recorded (``StageClock``; run.json ``timings`` and
``memory_mb``). Nothing is written unless the solve is optimal; a failure at any point leaves
earlier results untouched.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import sys
import threading
import time

import pandas as pd
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Callable

from planner.models import build_model

from planner.results import export

from planner.results import places
from planner.case.validated import Case
from planner.analysis.diagnose import PolicyCheck, Shortfall, diagnose
from planner.optimise.prepare import prepare
from planner.case.problems import InputError, Problem
from planner.report.html import regret_next_to, write_report
from planner.results.tables import Results
from planner.results.views import views
from planner.results.store import StoredRun
from planner.analysis.plans import plan_of, without_planned_builds
from planner.case.scenario import is_scenario, load_input, load_scenario, low_demand_of
from planner.analysis.stochastic import solve_plan, value_of_information
from planner.optimise.solver import SolverOptions, objective_value, solve

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@dataclass
class RunOutcome:
    name: str
    source: Path
    status: str                      # optimal, infeasible, time_limit, input_error, ...
    exit_code: int
    message: str = ""
    folder: Path | None = None
    results: Results | None = None
    case: Case | None = None
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    shortfalls: list[Shortfall] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # warnings about the solution (policies met by unserved demand)
    figures: dict = field(default_factory=dict)      # cost, served, idle cost (all / the plan's), currency
    low_demand: dict | None = None                   # the plan lived in the low-demand variant


def figures_of(results: Results) -> dict:
    """The headline figures of a solved run, for summaries (from the run's own tables)."""
    from planner.results.store import idle_cost_by_future

    summary = results.summary().set_index("item")["value"]
    risks, years = results.risks(), results.data.period_years
    probability = pd.Series(results.data.futures, dtype=float)
    return {"cost": float(summary["objective"]), "served": float(summary["demand_served_share"]),
            "idle_cost": float((idle_cost_by_future(risks, years) * probability).sum()),
            "idle_cost_from_plan": float((idle_cost_by_future(risks, years, "idle_cost_from_plan") * probability).sum()),
            "currency": results.currency}


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("planner", "pyomo", "highspy", "pandas", "numpy", "scipy", "xlsxwriter", "python-calamine"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


class StageClock:
    """Wall time and peak memory of each stage of a run (run.json ``timings`` and ``memory_mb``).

    Stages, in order: read (files), check (validation, defaults, scenario changes), build (period
    data and the Pyomo model), handoff (model to HiGHS), highs (HiGHS itself), analysis (extra
    solves: without planned builds, value of information, policy counterfactuals), extract
    (values back into Pyomo and the result tables), export (files and report). ``solve`` is the
    contract's sum of handoff, highs and loading values back.

    Memory is the process's peak resident set size when the stage ended: it only grows, so a
    stage that raises it shows as a step.
    """

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, stage: str, seconds: float | None = None) -> None:
        """End ``stage`` now (or record ``seconds`` measured elsewhere) and start the next."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + (now - self._t if seconds is None else seconds)
        self.peak_mb[stage] = peak_memory_mb()
        self._t = now

    def wait(self, stage: str, seconds: float) -> None:
        """Add to ``stage`` time spent waiting for work it left running beside later stages; its
        peak memory stays the one at its own end (what ran beside shows in the later stages')."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
        self._t = time.perf_counter()

    def restart(self) -> None:
        self._t = time.perf_counter()

    def running(self) -> float:
        """Seconds since the last lap."""
        return time.perf_counter() - self._t


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, MB (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:   # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@dataclass
class LoadedInput:
    """A case or scenario read and checked, with where its results will go; nothing solved yet."""

    path: Path
    name: str                        # scenario name
    folder: str                      # results folder name inside OUT (places.folder_name)
    case: Case
    futures: list | None
    inputs: list[Path]               # every file or folder the run reads (a scenario and its case)
    seconds: dict[str, float]        # read, check
    low_demand: tuple | None = None  # (name, case, futures) of the scenario's low-demand variant


def load_for_run(path: str | Path, name: str | None = None) -> LoadedInput | RunOutcome:
    """Read and check one case for a run; a RunOutcome (exit 2) when the input has errors."""
    path = Path(path)
    started = time.perf_counter()
    low = None
    try:
        if is_scenario(path):
            scenario = load_scenario(path)
            case, futures = scenario.case, scenario.futures
            other = low_demand_of(scenario.spec, path) if not futures else None
            if other is not None:
                variant = load_scenario(other)
                low = (variant.name, variant.case, variant.futures)
        else:
            case, futures = load_input(path)
    except InputError as err:
        return RunOutcome(name or path.name, path, "input_error", EXIT_BAD_INPUT,
                          f"{len([p for p in err.problems if p.is_error])} input error(s); nothing was solved or written",
                          problems=err.problems)
    loaded = time.perf_counter() - started
    name = name or case.name
    inputs = {path, Path(case.path)} | ({Path(low[1].path)} if low else set())
    return LoadedInput(path, name, places.folder_name(name), case, futures, sorted(inputs),
                       {"read": case.read_seconds, "check": loaded - case.read_seconds}, low)


def run_case(path: str | Path, out_dir: str | Path = "outputs", options: SolverOptions | None = None,
             progress: Callable[[str], None] = lambda stage: None, name: str | None = None) -> RunOutcome:
    """Read, check, solve and publish one case: ``OUT/<scenario name>/``."""
    progress("reading and checking inputs")
    loaded = load_for_run(path, name)
    if isinstance(loaded, RunOutcome):
        return loaded
    return solve_and_publish(loaded, out_dir, options, progress)


def refused(loaded: LoadedInput, message: str) -> RunOutcome:
    return RunOutcome(loaded.name, loaded.path, "refused", EXIT_BAD_INPUT, message, case=loaded.case,
                      problems=loaded.case.warnings)


def solve_and_publish(loaded: LoadedInput, out_dir: str | Path, options: SolverOptions | None = None,
                      progress: Callable[[str], None] = lambda stage: None, parquet: bool = False) -> RunOutcome:
    """Solve a loaded case and publish its results folder. A place the planner may not write to is
    refused before anything is solved (exit 2); a folder that cannot be written is exit 1."""
    out_dir = Path(out_dir)
    target = out_dir / loaded.folder
    try:
        places.check_target(target, loaded.inputs)
    except places.OutputRefused as err:
        return refused(loaded, str(err))
    try:
        staging = places.staging_folder(out_dir, loaded.folder)
    except OSError as err:
        return _cannot_write(loaded, out_dir, err)
    try:
        return _solve(loaded, out_dir, staging, options or SolverOptions(), progress, parquet)
    except places.OutputRefused as err:
        return refused(loaded, str(err))
    except OSError as err:
        return _cannot_write(loaded, out_dir, err)
    finally:
        places.discard(staging)   # gone already when published


def _cannot_write(loaded: LoadedInput, out_dir: Path, err: OSError) -> RunOutcome:
    reason = err.strerror or str(err)
    name = str(getattr(err, "filename", None) or "")
    # the planner's own staging folder means nothing to the user: the folder they gave is named
    where = f" ({name})" if name and not name.startswith(str(out_dir)) else ""
    return RunOutcome(loaded.name, loaded.path, "write_error", EXIT_FAILED,
                      f"cannot write the results in {out_dir}: {reason}{where}. Earlier results are untouched; "
                      f"choose another --out or free the folder.", case=loaded.case, problems=loaded.case.warnings)


@dataclass
class Run:
    """One case through the pipeline's stages, each filling its part: ``build`` (period data and
    the Pyomo model), ``optimise`` (HiGHS), ``analyse`` (the extra solves: the optimum without
    planned builds, VSS/EVPI, policies met by unserved demand), ``tabulate`` (the result tables)
    and ``publish`` (the results folder). ``import planner`` runs all but the last."""

    loaded: LoadedInput
    options: SolverOptions
    clock: StageClock = field(default_factory=StageClock)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    data: object = None
    model: object = None
    solution: object = None
    free_plan: object = None
    free_cost: float | None = None
    information: dict | None = None
    low_demand: dict | None = None   # the plan lived in the low-demand variant (stress test)
    notes: list[str] = field(default_factory=list)
    policy_check: object = None      # a Beside still solving (analyse(beside_tables=True))
    results: Results | None = None
    parquet: bool = False            # also write every table as Parquet (pyarrow)

    def __post_init__(self):
        self.clock.lap("read", self.loaded.seconds["read"])
        self.clock.lap("check", self.loaded.seconds["check"])

    @property
    def timings(self) -> dict[str, float]:
        return self.clock.seconds


def build(run: Run, progress: Callable[[str], None] = lambda stage: None) -> Run:
    progress("building the model")
    run.data = prepare(run.loaded.case, run.loaded.futures)
    run.model = build_model(run.data)
    run.clock.lap("build")
    return run


def optimise(run: Run, log_file: Path | None = None, progress: Callable[[str], None] = lambda stage: None) -> bool:
    """Solve with HiGHS; values and duals go back into the model. True when optimal."""
    progress("solving with HiGHS")
    run.options = replace(run.options, log_file=run.options.log_file or log_file)
    run.clock.restart()
    run.solution = solve(run.model, run.options, keep_live=True)
    run.clock.lap("handoff", run.solution.timings["handoff"])
    run.clock.lap("highs", run.solution.timings["highs"])
    run.clock.lap("extract", run.solution.timings["load"])
    run.timings["solve"] = sum(run.solution.timings.values())   # the contract's figure: hand-off + HiGHS + values back
    return run.solution.optimal


POLICY_CHECK_OFF = ("policy check off (--no-policy-check): whether a binding policy is met by leaving demand "
                    "unserved was not solved; each policy's shadow price is in prices")


def analyse(run: Run, progress: Callable[[str], None] = lambda stage: None, beside_tables: bool = False) -> Run:
    data, quiet = run.data, run.options.quiet()
    run.clock.restart()
    if not data.planned_builds.empty:
        progress("solving without planned builds, to price them")
        run.free_plan, run.free_cost = solve_plan(without_planned_builds(data), "without planned builds", quiet)
    if data.stochastic:
        run.information = value_of_information(data, objective_value(run.model), quiet, progress,
                                               live=run.solution.live, model=run.model).as_dict()
    if run.loaded.low_demand is not None and not data.stochastic:
        name = run.loaded.low_demand[0]
        progress(f"living the plan in {name} (demand comes in low)")
        run.low_demand = low_demand_test(plan_of(run.model, run.loaded.name), run.loaded.low_demand, quiet)
    if not run.options.policy_check:
        run.notes.append(POLICY_CHECK_OFF)
        run.solution.live = None
        run.clock.lap("analysis")
        return run
    progress("checking whether policies leave demand unserved")
    check = PolicyCheck(data, run.model, quiet, live=run.solution.live)
    if beside_tables and check.pending and check.live is not None:
        # HiGHS's re-solves need no Python lock: they run while the main thread makes the
        # tables and the files; settle() collects the warnings. Nothing else solves meanwhile:
        # two HiGHS instances running at once in one process share HiGHS's global thread
        # scheduler, which is not safe (ERGO-Code/HiGHS#3141), so every other solve comes first
        run.policy_check = Beside(check)
    else:
        check.solve(progress)
        run.notes = check.notes()
        run.solution.live = None   # release HiGHS's copy of the LP before the tables are made
    run.clock.lap("analysis")
    return run


class Beside:
    """A :class:`PolicyCheck` solving in a helper thread while the run goes on."""

    def __init__(self, check: PolicyCheck):
        self.check, self.failure = check, None
        self.started = time.perf_counter()
        self.seconds = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._work, name="policy-check", daemon=True)
        self.thread.start()

    def _work(self):
        try:
            self.check.solve()
        except BaseException as err:   # handed to the main thread in wait()
            self.failure = err
        finally:
            self.seconds = time.perf_counter() - self.started
            self.done.set()

    def wait(self, progress: Callable[[str], None] = lambda stage: None) -> list[str]:
        """The warnings, once the solves are done, saying in ``progress`` which re-solve is running
        (the main thread owns the console). A signal while waiting stops them."""
        shown = None
        try:
            while not self.done.wait(0.05):
                if self.check.solved != shown:
                    shown = self.check.solved
                    progress(self.check.status())
        except BaseException:
            self.check.cancel()
            self.done.wait(1.0)
            raise
        if self.failure is not None:
            raise self.failure
        return self.check.notes()

    def stop(self) -> None:
        """Give up on the solves (the run failed or was interrupted elsewhere)."""
        if not self.done.is_set():
            self.check.cancel()
            self.done.wait(1.0)


def settle(run: Run, progress: Callable[[str], None] = lambda stage: None) -> None:
    """Wait for what :func:`analyse` left running beside the tables; its waiting time counts to
    ``analysis`` and the time it ran beside other stages to ``analysis_beside``."""
    pending = run.policy_check
    if pending is None:
        return
    run.clock.lap("export")   # the files written so far
    run.notes = pending.wait(progress)
    run.policy_check = None
    run.solution.live = None
    waited = run.clock.running()
    run.clock.wait("analysis", waited)
    run.timings["analysis_beside"] = round(max(0.0, pending.seconds - waited), 6)


def tabulate(run: Run, progress: Callable[[str], None] = lambda stage: None) -> Results:
    progress("making the result tables")
    run.results = Results(run.model, run.data, run.solution, free_plan=run.free_plan, free_cost=run.free_cost,
                          value_of_information=run.information)
    run.results.tables()
    run.clock.lap("extract")
    return run.results


def run_meta(run: Run) -> dict:
    """What run.json says (planner/results/outputs.py ``RUN_JSON``)."""
    case, results, solution, data = run.loaded.case, run.results, run.solution, run.data
    info = run.information
    return {
        "scenario": run.loaded.name,
        "status": solution.status,
        "objective": results.objective,
        "currency": case.settings.currency,
        "costs": results.cost_by_component(),
        "stages": _stages(results),
        **({"futures": {f: p for f, p in data.futures.items()}, "value_of_information": info} if info else {}),
        **({"low_demand": run.low_demand} if run.low_demand else {}),
        "inputs": shown_path(run.loaded.path),
        "inputs_sha256": case.sha256,
        "settings": {k: case.settings[k] for k in ("start_year", "end_year", "year_step", "discount_rate",
                                                  "rack_kw", "max_utilization", "min_utilization", "currency")
                     + (("min_occupancy",) if data.servers else ())},
        "timings": run.timings,
        "memory_mb": run.clock.peak_mb,
        "versions": versions(),
        "solver": {"name": solution.solver, "message": solution.message,
                   "objective_reported_by_solver": solution.objective,
                   "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in run.options.__dict__.items()
                               if k != "log_file"}},
        "model": solution.size,
        "warnings": [f"{p.sheet} {p.cell} {p.column or ''}: {p.message}".strip() for p in case.warnings] + run.notes,
        "started": run.started.isoformat(timespec="seconds"),
    }


def write_folder(run: Run, folder: Path, out_dir: Path, progress: Callable[[str], None] = lambda stage: None) -> dict:
    """Write the run's files into ``folder`` (a staging folder): tables, workbook, report, run.json."""
    progress("writing results")
    tables = run.results.tables()
    export.write_tables(export.for_files(tables, {"future": len(run.data.futures)}), folder,
                        run.loaded.case.settings.currency, views=views(tables), parquet=run.parquet)
    progress("drawing the report")
    # the report names the folder the run is published to, not the staging folder it is drawn in
    published = out_dir / run.loaded.folder
    write_report(StoredRun(published, run_meta(run), tables), folder / "report.html",
                 regret=regret_next_to(out_dir, run.loaded.name))
    settle(run, progress)   # the report shows no warnings; run.json lists them
    run.clock.lap("export")
    meta = run_meta(run)
    export.write_run_json(meta, folder)
    return meta


def _solve(loaded: LoadedInput, out_dir: Path, staging: Path, options: SolverOptions,
           progress: Callable[[str], None], parquet: bool = False) -> RunOutcome:
    run = Run(loaded, options, parquet=parquet)
    case, name, path = loaded.case, loaded.name, loaded.path
    build(run, progress)
    # The model is millions of long-lived objects; left to the cycle collector, every full
    # collection in the stages below would scan all of them again (docs/performance.md).
    with _kept_out_of_gc():
        if not optimise(run, staging / "solver.log", progress):
            solution, shortfalls = run.solution, []
            if solution.status in ("infeasible", "infeasible_or_unbounded"):
                progress("finding what cannot be met")
                shortfalls = diagnose(run.data, options)
            return RunOutcome(name, path, solution.status, EXIT_FAILED, _failure_message(solution, shortfalls),
                              case=case, problems=case.warnings, timings=run.timings, shortfalls=shortfalls)
        analyse(run, progress, beside_tables=True)
        try:
            tabulate(run, progress)
            write_folder(run, staging, out_dir, progress)
        finally:
            if run.policy_check is not None:
                run.policy_check.stop()
        _pause_for_tests()
        target = out_dir / loaded.folder
        places.publish(staging, target)
        return RunOutcome(name, path, run.solution.status, EXIT_OK, run.solution.message, folder=target,
                          results=run.results, case=case, problems=case.warnings, timings=run.timings, notes=run.notes,
                          figures=figures_of(run.results), low_demand=run.low_demand)


@contextmanager
def _kept_out_of_gc():
    """Objects alive now (the model) are left out of cycle collections until the block ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def shown_path(path: Path) -> str:
    """A path as a report may show it: relative to the working folder (never a machine's
    absolute path); a path elsewhere keeps only the steps up from the working folder or, on
    another drive, its name."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path.cwd())).as_posix()
    except ValueError:   # another drive (Windows)
        return Path(path).name


def low_demand_test(plan, variant: tuple, options: SolverOptions) -> dict:
    """The plan lived in the low-demand variant: its cost, what it serves and leaves idle."""
    from planner.analysis.robustness import stress

    table = stress(plan, [variant], options)
    row = table.iloc[0].to_dict()
    if row["status"] != "optimal":
        return {"scenario": variant[0], "status": row["status"], "reason": row.get("reason", "")}
    keys = ("total_cost", "demand_served_share", "mean_utilization", "idle_rack_years", "idle_cost_sum")
    return {"scenario": variant[0], "status": "optimal", **{k: float(row[k]) for k in keys}}


def _stages(results: Results) -> dict[str, float]:
    summary = results.summary().set_index("item")["value"]
    return {"first": float(summary["first_stage_cost"]), "second": float(summary["second_stage_cost"])}


def _pause_for_tests() -> None:
    """Tests that kill a run while its results are written aside set PLANNER_PAUSE_BEFORE_PUBLISH
    (seconds) to hold the run at that point; nothing else uses it."""
    pause = os.environ.get("PLANNER_PAUSE_BEFORE_PUBLISH")
    if pause:
        time.sleep(float(pause))


def _failure_message(solution, shortfalls) -> str:
    if solution.status in ("infeasible", "infeasible_or_unbounded"):
        if shortfalls:
            lines = "\n".join(f"  - {s.message}" for s in shortfalls)
            return f"no plan meets every policy and planned build; these rows cannot be met:\n{lines}"
        return f"no plan meets every constraint (HiGHS: {solution.message})"
    if solution.status == "time_limit":
        return f"HiGHS stopped at the time limit before reaching the optimum ({solution.message}); raise --time-limit"
    return f"HiGHS did not reach an optimum: {solution.message}"


def _loaded_from(what) -> LoadedInput:
    """A case, a scenario or a path, as the pipeline's loaded input (raises InputError)."""
    from planner.case.scenario import Scenario

    if isinstance(what, (str, Path)):
        loaded = load_for_run(what)
        if isinstance(loaded, RunOutcome):
            raise InputError(loaded.problems, str(what))
        return loaded
    if isinstance(what, Scenario):
        case, futures, name = what.case, what.futures, what.name
    elif isinstance(what, Case):
        case, futures, name = what, None, what.name
    else:
        raise TypeError(f"solve takes a case, a scenario or a path, not {type(what).__name__}")
    return LoadedInput(Path(case.path), name, places.folder_name(name), case, futures, [Path(case.path)],
                       {"read": case.read_seconds, "check": 0.0})


def solve_in_memory(what, options: SolverOptions):
    """Every stage but publishing: the tables stay in memory (``import planner``'s ``solve``)."""
    from planner import Result

    run = Run(_loaded_from(what), options)
    build(run)
    if optimise(run, None):
        analyse(run)
        tabulate(run)
    return Result(run.loaded.name, run.solution.status, run.solution.objective, run)


def write_result(run: Run, out_dir: Path) -> Path:
    """Publish a solved in-memory run as ``out_dir/<name>/``, by the command line's rules."""
    target = out_dir / run.loaded.folder
    places.check_target(target, run.loaded.inputs)
    staging = places.staging_folder(out_dir, run.loaded.folder)
    try:
        write_folder(run, staging, out_dir)
        places.publish(staging, target)
    finally:
        places.discard(staging)
    return target


def run_in_worker(path: Path, out_dir: Path, options: SolverOptions, parquet: bool, width: int) -> tuple[RunOutcome, str]:
    """One case of `planner run --workers N`, in a worker process: read, check, solve, publish.
    Returns the outcome without its model (which stays here) and its console summary rendered at
    ``width`` columns, for the parent to print as the case finishes."""
    import io
    import tempfile
    import traceback

    from rich.console import Console

    from planner.console import print_outcome

    try:
        loaded = load_for_run(path)
        outcome = loaded if isinstance(loaded, RunOutcome) else solve_and_publish(loaded, out_dir, options,
                                                                                  parquet=parquet)
    except Exception as err:   # a defect: this case fails, the others go on
        with tempfile.NamedTemporaryFile("w", prefix="planner-error-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        outcome = RunOutcome(Path(path).name, Path(path), "error", EXIT_FAILED,
                             f"stopped on an internal error ({type(err).__name__}: {str(err)[:300]}); details are in "
                             f"{fh.name}; please report them")
    text = io.StringIO()
    print_outcome(Console(file=text, width=width, soft_wrap=True, force_terminal=False, color_system=None), outcome)
    return replace(outcome, results=None, case=None), text.getvalue()
