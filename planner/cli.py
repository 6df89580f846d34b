"""The `planner` command (SPEC section 6). Heavy imports wait inside commands so --help is quick."""
from __future__ import annotations

import math
import os
import signal
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape as esc

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
DEFAULT_CASE = INPUTS / "scenarios" / "base.yaml"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan AI compute infrastructure: where to build racks, how much HVDC and optical backbone, "
         "and where each workload runs, at least total discounted cost.",
)


def _version(value: bool) -> None:
    if value:
        from planner import __version__

        print(f"planner {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the planner's version and exit.")) -> None:
    """Plan AI compute infrastructure: where to build racks, how much HVDC and optical backbone,
    and where each workload runs, at least total discounted cost."""


def _consoles():
    """Standard output and standard error. Lines of text are not wrapped by the planner (a path or
    a message copied from a log stays whole); tables still fit the terminal."""
    from rich.console import Console

    return Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)


class Algorithm(str, Enum):
    ipm = "ipm"
    choose = "choose"
    simplex = "simplex"
    pdlp = "pdlp"


def _positive_seconds(value: Optional[float]) -> Optional[float]:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise typer.BadParameter(f"must be a number of seconds above 0, not {value:g}")
    return value


ALGORITHM = typer.Option(Algorithm.ipm, help="HiGHS algorithm: ipm (interior point), choose (HiGHS decides: dual "
                                             "simplex, faster, same cost, other ties), simplex or pdlp.")
THREADS = typer.Option(None, min=1, help="HiGHS threads (default: HiGHS decides).")
TIME_LIMIT = typer.Option(None, callback=_positive_seconds, help="Seconds per solve before HiGHS stops (above 0).")
OUT = typer.Option(Path("outputs"), "--out", help="Results go to a folder in OUT.")


def _solver_options(algorithm: Algorithm, threads=None, time_limit=None, **more):
    """The options, checked against HiGHS itself before anything is read: exit 2 naming one it refuses."""
    from planner.optimise.solver import SolverOptionError, SolverOptions, highs_with

    options = SolverOptions(algorithm=Algorithm(algorithm).value, threads=threads, time_limit=time_limit, **more)
    try:
        highs_with(replace(options, log_file=None, log_to_console=False))
    except SolverOptionError as err:
        _consoles()[1].print(f"solver option refused: {err}", style="red", markup=False)
        raise typer.Exit(2)
    return options


@contextmanager
def _writing(out: Path):
    """Publishing results: a place the planner may not replace is exit 2, a folder that cannot be
    written exit 1, each with one plain line."""
    from planner.results.places import OutputRefused

    err_console = _consoles()[1]
    try:
        yield
    except OutputRefused as err:
        err_console.print(f"{err}", style="red", markup=False)
        raise typer.Exit(2)
    except OSError as err:
        err_console.print(f"cannot write the results in {out}: {err.strerror or err}"
                          f"{f' ({err.filename})' if getattr(err, 'filename', None) else ''}; "
                          "earlier results are untouched", style="red", markup=False)
        raise typer.Exit(1)


def _refuse_target(target: Path, inputs, option: str = "--out") -> None:
    """Exit 2 before anything is solved when the results would land on an input or on a user's files."""
    from planner.results.places import OutputRefused, check_target

    try:
        check_target(target, inputs, option)
    except OutputRefused as err:
        _consoles()[1].print(f"{err}", style="red", markup=False)
        raise typer.Exit(2)


@app.command()
def run(
    cases: Optional[List[Path]] = typer.Argument(None, help="Scenario files (.yaml), workbooks (.xlsx) or CSV folders; "
                                                             "none runs the bundled base scenario."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Results go to OUT/<scenario name>/."),
    algorithm: Algorithm = ALGORITHM,
    crossover: bool = typer.Option(True, help="After interior point, find a vertex (clean duals)."),
    presolve: bool = typer.Option(True, help="HiGHS presolve (interior point measured up to 1.7x faster with it)."),
    threads: Optional[int] = THREADS,
    time_limit: Optional[float] = TIME_LIMIT,
    solver_log: bool = typer.Option(False, "--solver-log", help="Stream the HiGHS log to the terminal."),
    parquet: bool = typer.Option(False, "--parquet", help="Also write every table as Parquet (needs pyarrow: "
                                                          "pip install -e '.\\[parquet]')."),
    workers: int = typer.Option(1, "--workers", min=1, help="Cases solved at once, each in its own process "
                                                            "(HiGHS threads are shared out among them)."),
    policy_check: bool = typer.Option(True, help="Re-solve without each binding policy to warn when one is met by "
                                                 "leaving demand unserved (with many time slices this can take "
                                                 "longer than the main solve)."),
) -> None:
    """Solve each case and write results.xlsx, one CSV per table, run.json and report.html."""
    from planner.console import print_outcome, print_run_summary
    from planner.results.places import same_folder
    from planner.run import EXIT_BAD_INPUT, RunOutcome, load_for_run, solve_and_publish

    out_console, err_console = _consoles()
    options = _solver_options(algorithm, threads, time_limit, crossover=crossover, presolve=presolve,
                              log_to_console=solver_log, policy_check=policy_check)
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            err_console.print("--parquet needs pyarrow: pip install -e '.[parquet]'", style="red", markup=False)
            raise typer.Exit(2)
    paths = list(cases or [DEFAULT_CASE])

    def stages(label):
        if solver_log:
            return nullcontext(lambda stage: err_console.print(f"{label}: {stage}"))
        return _status(err_console, label)

    # every case is read and checked first, so that two that would write one folder stop the
    # command before anything is solved
    loaded = []
    for path in paths:
        with stages(path.name) as progress:
            progress("reading and checking inputs")
            loaded.append(_guarded(path, lambda: load_for_run(path)))
    folders: dict[str, object] = {}
    clashes = []
    for item in loaded:
        if isinstance(item, RunOutcome):
            continue
        key = next((k for k in folders if same_folder(k, item.folder)), None)
        if key is not None:
            clashes.append((folders[key], item))
        else:
            folders[item.folder] = item
    if clashes:
        for first, second in clashes:
            err_console.print(f"{first.path} and {second.path} would both write {out / first.folder} "
                              f"(scenario names '{first.name}' and '{second.name}'); give them different names "
                              f"or run them with different --out. Nothing was solved.", style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)

    outcomes = []
    to_solve = [(p, item) for p, item in zip(paths, loaded) if not isinstance(item, RunOutcome)]
    if workers > 1 and len(to_solve) > 1:
        solved = _run_in_parallel(to_solve, out, options, parquet, workers, out_console, err_console)
    else:
        solved = {}
    for path, item in zip(paths, loaded):
        if id(item) in solved:
            item = solved[id(item)]
        elif not isinstance(item, RunOutcome):
            with stages(item.name) as progress:
                item = _guarded(path, lambda: solve_and_publish(item, out, options, progress, parquet=parquet))
            print_outcome(out_console, item)
        else:
            print_outcome(out_console, item)
        outcomes.append(item)
    if len(outcomes) > 1:
        print_run_summary(out_console, outcomes)
    codes = [o.exit_code for o in outcomes]
    # bad input outranks solver failure: scripts should fix inputs first
    raise typer.Exit(EXIT_BAD_INPUT if EXIT_BAD_INPUT in codes else max(codes))


def _run_in_parallel(to_solve, out: Path, options, parquet: bool, workers: int, out_console, err_console) -> dict:
    """Solve cases in worker processes; print each summary as its case finishes. Returns the
    outcomes by the id of the loaded input they replace."""
    from concurrent.futures import as_completed

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from planner.analysis.sweep import local_executor, stop_workers
    from planner.run import run_in_worker

    workers = min(workers, len(to_solve))
    if options.threads is None:   # share the cores out: HiGHS threads in every worker would compete
        options = replace(options, threads=max(1, (os.cpu_count() or 1) // workers))
    executor = local_executor(workers)
    done = {}
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task(f"{len(to_solve)} cases on {workers} workers", total=len(to_solve))
            jobs = {executor.submit(run_in_worker, path, out, options, parquet, out_console.width): (path, item)
                    for path, item in to_solve}
            for job in as_completed(jobs):
                path, item = jobs[job]
                try:
                    outcome, text = job.result()
                except Exception as err:   # the worker itself died (killed, out of memory)
                    from planner.run import EXIT_FAILED, RunOutcome

                    outcome = RunOutcome(item.name, path, "error", EXIT_FAILED, f"the worker stopped: "
                                         f"{type(err).__name__}: {_short(err)}")
                    text = f"{item.name}: error: {outcome.message}\n"
                out_console.print(text, end="", soft_wrap=True, markup=False, highlight=False)
                done[id(item)] = outcome
                bar.advance(task)
    except BaseException:
        stop_workers(executor)
        raise
    executor.shutdown(wait=True)
    return done


@contextmanager
def _status(console, label: str):
    """A spinner with the stage and the seconds since the case started, refreshed while HiGHS
    works (so a long solve shows it is alive); gone when the case is done."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not console.is_terminal:   # a pipe or a CI log: one line per stage, with the time so far
        import time

        started = time.perf_counter()
        yield lambda stage: console.print(f"{label}: {stage} ({time.perf_counter() - started:.0f} s)",
                                          markup=False, highlight=False, soft_wrap=True)
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task(f"{esc(label)}: starting", total=None)
        yield lambda stage: bar.update(task, description=f"{esc(label)}: {esc(stage)}…")


def _guarded(path: Path, work):
    """One case's work; a defect in it ends that case with status ``error`` (and the details in a
    file) instead of stopping the cases after it."""
    from planner.run import EXIT_FAILED, RunOutcome

    try:
        return work()
    except Exception as err:   # a defect: this case fails, the others go on
        details = _save_traceback()
        return RunOutcome(path.name, path, "error", EXIT_FAILED,
                          f"stopped on an internal error ({type(err).__name__}: {_short(err)}); details are in "
                          f"{details}; please report them")


def _short(err: BaseException, n: int = 300) -> str:
    text = str(err)
    return text if len(text) <= n else text[: n - 1] + "…"


def _save_traceback() -> str:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="planner-error-", suffix=".txt", delete=False) as fh:
        traceback.print_exc(file=fh)
    return fh.name


@app.command()
def validate(case: Path = typer.Argument(..., help="A scenario (.yaml), workbook (.xlsx) or CSV folder.")) -> None:
    """Check a case or scenario and print every problem; exit 2 when there are errors."""
    from planner.console import print_problems

    out_console, _ = _consoles()
    loaded, futures = _load_or_exit(case, out_console)
    print_problems(out_console, loaded.warnings, f"{case}: warnings")
    out_console.print(f"[green]{case}: no errors[/]" + (f", {len(loaded.warnings)} warning(s)" if loaded.warnings else "")
                      + f"; {len(loaded.regions)} regions, {len(loaded.workloads)} workloads, "
                      f"{len(loaded.periods)} model periods {loaded.settings.start_year}-{loaded.settings.end_year}"
                      + (f", {len(futures)} futures." if futures else "."))
    raise typer.Exit(0)


@app.command()
def template(
    file: Path = typer.Argument(..., help="The .xlsx workbook to write."),
    from_case: Optional[Path] = typer.Option(None, "--from", help="Fill the template with this case's data."),
    force: bool = typer.Option(False, "--force", help="Replace FILE even if the planner did not write it."),
) -> None:
    """Write an empty, annotated input workbook (or a case in the template layout)."""
    from planner.case.validated import load_case
    from planner.console import print_problems
    from planner.results.places import OutputRefused, check_target
    from planner.case.problems import InputError
    from planner.case.template import write_template

    out_console, err_console = _consoles()
    if file.suffix.lower() != ".xlsx":
        err_console.print(f"the template must be an .xlsx file, not {file.name}", style="red", markup=False)
        raise typer.Exit(2)
    inputs = [from_case] if from_case is not None else []
    try:
        check_target(file, inputs, "FILE")
    except OutputRefused as err:
        if not (force and file.is_file() and not any(_same_path(file, i) for i in inputs)):
            err_console.print(f"{err}" + ("" if force else " (--force replaces it)"), style="red", markup=False)
            raise typer.Exit(2)
    case = None
    if from_case is not None:
        try:
            case = load_case(from_case)
        except InputError as err:
            print_problems(out_console, err.problems, f"{from_case}: input problems")
            raise typer.Exit(2)
    with _writing(file.parent):
        written = write_template(file, case)
    what = f"{from_case} in the template layout" if case is not None else "an empty template"
    out_console.print(f"Wrote {what} to [bold]{written}[/]. Check it with `planner validate {written}`.")


def _same_path(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _load_or_exit(path: Path, console):
    """A case or scenario, or exit 2 with every problem printed."""
    from planner.console import print_problems
    from planner.case.problems import InputError
    from planner.case.scenario import load_input

    try:
        return load_input(path)
    except InputError as err:
        print_problems(console, err.problems, f"{path}: input problems")
        n = len([p for p in err.problems if p.is_error])
        console.print(f"[red]{n} error(s)[/]; fix them and run again.")
        raise typer.Exit(2)


def _inputs_of(path: Path, case) -> list[Path]:
    return [path, Path(case.path)]


@app.command()
def stress(
    plan_dir: Path = typer.Argument(..., help="Results folder of a finished run: its build plan is fixed."),
    scenarios: List[Path] = typer.Argument(..., help="Scenarios (or cases) to live that plan in."),
    out: Path = OUT, algorithm: Algorithm = ALGORITHM, threads: Optional[int] = THREADS,
    time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Fix a run's build plan and re-optimise operations under other scenarios: cost, unserved, idle racks."""
    from planner.console import print_stress
    from planner.results.export import publish_tables
    from planner.results.places import folder_name
    from planner.analysis.plans import plan_from_folder
    from planner.analysis.robustness import stress as stress_test

    out_console, err_console = _consoles()
    options = _solver_options(algorithm, threads, time_limit)
    try:
        plan = plan_from_folder(plan_dir)
    except (FileNotFoundError, KeyError, ValueError) as err:
        err_console.print(f"{plan_dir} is not a results folder with a build plan ({err})", style="red", markup=False)
        raise typer.Exit(2)
    loaded, inputs = [], [plan_dir]
    for path in scenarios:
        case, futures = _load_or_exit(path, out_console)
        loaded.append((case.name, case, futures))
        inputs += _inputs_of(path, case)
    name = folder_name(plan.name, "stress")
    _refuse_target(out / name, inputs)
    with err_console.status("stress test") as status:
        table = stress_test(plan, loaded, options,
                            progress=lambda name: status.update(f"living plan {plan.name} in {name}…"))
    from planner.report.html import write_stress_report
    from planner.run import shown_path

    currency = loaded[0][1].settings.currency
    meta = {"plan": plan.name, "plan_folder": shown_path(plan_dir), "scenarios": [shown_path(p) for p in scenarios]}
    with _writing(out):
        folder = publish_tables(out, name, {"stress": table}, currency, meta, workbook="stress.xlsx",
                                page=lambda f: write_stress_report(table, meta, currency, f / "report.html"))
    print_stress(out_console, plan.name, table, currency, folder)
    raise typer.Exit(0 if (table["status"] == "optimal").all() else 1)


@app.command()
def regret(
    scenario: Path = typer.Argument(..., help="A scenario with futures."),
    out: Path = OUT, algorithm: Algorithm = ALGORITHM, threads: Optional[int] = THREADS,
    time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Plan for each future and for all of them, live each plan in every future, name the minimax-regret plan."""
    from planner.console import print_regret
    from planner.results.export import publish_tables
    from planner.results.places import folder_name
    from planner.optimise.prepare import prepare
    from planner.analysis.robustness import regret as regret_table

    out_console, err_console = _consoles()
    options = _solver_options(algorithm, threads, time_limit)
    case, futures = _load_or_exit(scenario, out_console)
    if not futures or len(futures) < 2:
        err_console.print(f"{scenario} has no futures: a regret table needs at least two", style="red", markup=False)
        raise typer.Exit(2)
    name = folder_name(case.name, "regret")
    _refuse_target(out / name, _inputs_of(scenario, case))
    data = prepare(case, futures)
    with err_console.status("regret") as status:
        table = regret_table(data, options, progress=lambda stage: status.update(f"{case.name}: {stage}…"))
    from planner.report.html import write_regret_report

    meta = {"scenario": case.name, "minimax_regret_plan": table.minimax, "best_cost_per_future": table.best}
    currency = case.settings.currency
    with _writing(out):
        folder = publish_tables(out, name, {"regret": table.cells, "plans": table.plans}, currency, meta,
                                workbook="regret.xlsx",
                                page=lambda f: write_regret_report(table.cells, table.plans, meta, currency,
                                                                   f / "report.html"))
    print_regret(out_console, case.name, table, case.settings.currency, folder)


@app.command()
def compare(
    dirs: List[Path] = typer.Argument(..., help="Results folders to put side by side."),
    out: Path = typer.Option(Path("outputs") / "compare.xlsx", "--out", help="Workbook to write."),
) -> None:
    """Scenarios side by side: cost by component, racks by zone, HVDC and optical, unserved, top risks."""
    from planner.analysis.compare import compare as compare_runs
    from planner.console import print_comparison
    from planner.results.export import write_workbook
    from planner.files import write_file_atomically

    out_console, err_console = _consoles()
    if out.suffix.lower() != ".xlsx":
        err_console.print(f"--out must name an .xlsx workbook, not {out}", style="red", markup=False)
        raise typer.Exit(2)
    _refuse_target(out, dirs)
    try:
        table, currency = compare_runs(dirs)
    except (FileNotFoundError, ValueError) as err:
        err_console.print(f"{err}", style="red", markup=False)
        raise typer.Exit(2)
    with _writing(out.parent):
        write_file_atomically(out, lambda tmp: write_workbook({"comparison": table}, tmp, currency))
    print_comparison(out_console, table, currency, out)


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="A scenario file."),
    vary: List[str] = typer.Option([], "--vary", help="sheet.column=value1,value2,... (settings.key=... for a setting); "
                                                    "repeat to combine."),
    workers: Optional[int] = typer.Option(None, min=1, help="Local processes (default: one per core)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Address of a Dask scheduler to run the variants on."),
    out: Path = OUT, algorithm: Algorithm = ALGORITHM, time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Solve many variants of a scenario in parallel; their headline figures land in one table."""
    from rich.progress import Progress

    from planner.console import print_problems, print_sweep
    from planner.results.export import publish_tables
    from planner.results.places import folder_name
    from planner.case.problems import InputError
    from planner.analysis.sweep import local_executor, parse_vary, run_sweep, scenario_inputs, variants

    out_console, err_console = _consoles()
    options = _solver_options(algorithm, None, time_limit)
    try:
        name, items = variants(scenario, parse_vary(vary), prepared=False)
    except InputError as err:
        print_problems(out_console, err.problems, f"{scenario}: input problems")
        raise typer.Exit(2)
    target = folder_name(name, "sweep")
    _refuse_target(out / target, scenario_inputs(scenario))
    if dask:
        try:
            from dask.distributed import Client
        except ImportError:
            err_console.print("--dask needs Dask: pip install -e '.[dask]'", style="red", markup=False)
            raise typer.Exit(2)
        try:
            client = Client(dask, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            err_console.print(f"cannot reach the Dask scheduler at {dask}: {err}", style="red", markup=False)
            raise typer.Exit(1)
        executor = client.get_executor()
    else:
        client, executor = None, local_executor(workers)
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(f"{name}: {len(items)} variants", total=len(items))
            table = run_sweep(items, executor, options, progress=lambda done, total: bar.update(task, completed=done))
    finally:
        if client is not None:   # Dask's executor knows no cancel_futures; closing the client ends its tasks
            executor.shutdown(wait=True)
            client.close()
        else:
            executor.shutdown(wait=True, cancel_futures=True)
    currency = items[0].data.settings.currency
    with _writing(out):
        folder = publish_tables(out, target, {"sweep": table}, currency,
                                {"scenario": name, "variants": len(items), "executor": "dask" if dask else "local"},
                                workbook="sweep.xlsx")
    print_sweep(out_console, name, table, currency, folder)
    raise typer.Exit(0 if (table["status"] == "optimal").all() else 1)


@app.command()
def report(
    dirs: List[Path] = typer.Argument(..., help="Results folders: one for its report, several for a comparison."),
    out: Optional[Path] = typer.Option(None, "--out", help="The HTML file (default: DIR/report.html for one run, "
                                                           "outputs/comparison.html for several)."),
) -> None:
    """Draw the HTML report of a finished run, or compare several runs in one page."""
    from planner.report.html import regret_next_to, write_comparison, write_report
    from planner.results.store import load_run

    out_console, err_console = _consoles()
    target = out or (dirs[0] / "report.html" if len(dirs) == 1 else Path("outputs") / "comparison.html")
    if target.suffix.lower() not in (".html", ".htm"):
        err_console.print(f"--out must name an .html file, not {target}", style="red", markup=False)
        raise typer.Exit(2)
    _refuse_target(target, dirs)
    try:
        runs = [load_run(d) for d in dirs]
    except FileNotFoundError as err:
        err_console.print(f"{err}", style="red", markup=False)
        raise typer.Exit(2)
    with _writing(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
        if len(runs) == 1:
            write_report(runs[0], target, regret=regret_next_to(dirs[0].parent, runs[0].name))
        else:
            write_comparison(runs, target)
    out_console.print(f"Report written to [bold]{target}[/] ({target.stat().st_size / 1e6:.1f} MB, opens offline)")


@app.command()
def timeslices(
    hourly: Path = typer.Argument(..., help="CSV of 8760 hourly rows, columns <region>.green_factor, "
                                            "<region>.grid_price_factor, <region>.grid_max_factor, <workload>.demand_factor."),
    days: int = typer.Option(..., "--days", min=1, max=365, help="Representative days to keep (24 slices each)."),
    out: Path = typer.Option(..., "--out", help="An .xlsx workbook, or a new folder for three CSV files."),
) -> None:
    """Reduce hourly profiles to representative days (tsam): the timeslices, profiles and
    workload_profiles sheets of a case, with how well they reproduce the year."""
    from planner.case.timeslices import read_hourly, representative_days, summary_lines, write_sheets_to

    out_console, err_console = _consoles()
    if out.suffix.lower() != ".xlsx" and out.exists():
        err_console.print(f"{out} exists: give an .xlsx file or a new folder for the CSV files", style="red", markup=False)
        raise typer.Exit(2)
    if out.suffix.lower() == ".xlsx":
        _refuse_target(out, [hourly])
    hourly_data = _load_hourly_or_exit(hourly, out_console)
    try:
        import tsam  # noqa: F401
    except ImportError:
        err_console.print("planner timeslices needs tsam: pip install -e '.[timeslices]'", style="red", markup=False)
        raise typer.Exit(2)
    with err_console.status(f"choosing {days} representative days with tsam"):
        sheets, accuracy = representative_days(hourly_data, days)
    with _writing(out.parent if out.suffix else out):
        written = write_sheets_to(sheets, out)
    out_console.print(f"{days} representative days, {len(sheets['timeslices'])} slices, written to [bold]{written}[/]: "
                      f"paste the sheets into a case (they name the regions and workloads of the file's columns).")
    for line in summary_lines(accuracy):
        out_console.print(f"  {line}")


def _load_hourly_or_exit(path: Path, console):
    from planner.case.timeslices import read_hourly
    from planner.console import print_problems
    from planner.case.problems import InputError

    try:
        return read_hourly(path)
    except InputError as err:
        print_problems(console, err.problems, f"{path}: input problems")
        raise typer.Exit(2)


def main() -> None:
    from planner import interrupt

    interrupt.install()
    try:
        # an exit code when the command ended with typer.Exit; Typer turns a KeyboardInterrupt
        # (Ctrl-C, or SIGTERM through planner.interrupt) into 130
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        code = interrupt.EXIT_INTERRUPTED
    except typer.Exit as done:
        code = done.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        code = 1
    except Exception as err:  # a defect: say so in one line, keep the details for the report
        if hasattr(err, "show") and hasattr(err, "exit_code"):  # a usage error: wrong option or argument
            err.show()
            _leave(err.exit_code)
        details = _save_traceback()
        print(f"planner stopped on an internal error ({type(err).__name__}: {_short(err)}); earlier results are "
              f"untouched. Details are in {details}; please report them.", file=sys.stderr)
        code = 1
    signum = interrupt.received()
    if signum is not None:
        why = "stopped by SIGTERM" if signum == signal.SIGTERM else "interrupted"
        print(f"planner: {why}; nothing more was written and earlier results are untouched", file=sys.stderr)
        code = interrupt.EXIT_INTERRUPTED
    _leave(code if isinstance(code, int) else 0)


def _leave(code: int) -> None:
    """End a finished command without tearing the interpreter down.

    By now every file is written and published, and executors are shut down. What is left is
    freeing the model object by object, which took 1.5 s after a 62-region, 25-year run
    (docs/performance.md), so flush the terminal and exit straight away.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
