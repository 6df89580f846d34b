"""The `planner` command (SPEC section 6). Heavy imports wait inside commands so --help is quick."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
DEFAULT_CASE = INPUTS / "scenarios" / "base.yaml"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan AI compute infrastructure: where to build racks, how much HVDC and optical backbone, "
         "and where each workload runs, at least total discounted cost.",
)


def _consoles():
    from rich.console import Console

    return Console(), Console(stderr=True)


@app.command()
def run(
    cases: Optional[List[Path]] = typer.Argument(None, help="Scenario files (.yaml), workbooks (.xlsx) or CSV folders; "
                                                             "none runs the bundled base scenario."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Results go to OUT/<scenario name>/."),
    algorithm: str = typer.Option("ipm", help="HiGHS algorithm: ipm (interior point), choose (HiGHS decides: dual "
                                              "simplex, faster, same cost, other ties), simplex or pdlp."),
    crossover: bool = typer.Option(True, help="After interior point, find a vertex (clean duals)."),
    presolve: bool = typer.Option(True, help="HiGHS presolve (interior point measured up to 1.7x faster with it)."),
    threads: Optional[int] = typer.Option(None, min=1, help="HiGHS threads (default: HiGHS decides)."),
    time_limit: Optional[float] = typer.Option(None, min=0, help="Seconds before HiGHS stops."),
    solver_log: bool = typer.Option(False, "--solver-log", help="Stream the HiGHS log to the terminal."),
) -> None:
    """Solve each case and write results.xlsx, one CSV per table and run.json."""
    from .console import print_outcome
    from .run import EXIT_BAD_INPUT, run_case
    from .solver import SolverOptions

    out_console, err_console = _consoles()
    options = SolverOptions(algorithm=algorithm, crossover=crossover, presolve=presolve, threads=threads,
                            time_limit=time_limit, log_to_console=solver_log)
    codes = []
    for case in cases or [DEFAULT_CASE]:
        label = case.name
        if solver_log:
            outcome = run_case(case, out, options, progress=lambda stage: err_console.print(f"{label}: {stage}"))
        else:
            with err_console.status(f"{label}: starting") as status:
                outcome = run_case(case, out, options, progress=lambda stage: status.update(f"{label}: {stage}…"))
        print_outcome(out_console, outcome)
        codes.append(outcome.exit_code)
    # bad input outranks solver failure: scripts should fix inputs first
    code = EXIT_BAD_INPUT if EXIT_BAD_INPUT in codes else max(codes)
    raise typer.Exit(code)


@app.command()
def validate(case: Path = typer.Argument(..., help="A scenario (.yaml), workbook (.xlsx) or CSV folder.")) -> None:
    """Check a case or scenario and print every problem; exit 2 when there are errors."""
    from .console import print_problems

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
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Write an empty, annotated input workbook (or a case in the template layout)."""
    from .case import load_case
    from .console import print_problems
    from .problems import InputError
    from .template import write_template

    out_console, err_console = _consoles()
    case = None
    if from_case is not None:
        try:
            case = load_case(from_case)
        except InputError as err:
            print_problems(out_console, err.problems, f"{from_case}: input problems")
            raise typer.Exit(2)
    try:
        written = write_template(file, case, force=force)
    except (FileExistsError, ValueError) as err:
        err_console.print(f"[red]{err}[/]")
        raise typer.Exit(1)
    what = f"{from_case} in the template layout" if case is not None else "an empty template"
    out_console.print(f"Wrote {what} to [bold]{written}[/]. Check it with `planner validate {written}`.")


def _options(algorithm: str, threads, time_limit):
    from .solver import SolverOptions

    return SolverOptions(algorithm=algorithm, threads=threads, time_limit=time_limit)


def _load_or_exit(path: Path, console):
    """A case or scenario, or exit 2 with every problem printed."""
    from .console import print_problems
    from .problems import InputError
    from .run import load_input

    try:
        return load_input(path)
    except InputError as err:
        print_problems(console, err.problems, f"{path}: input problems")
        n = len([p for p in err.problems if p.is_error])
        console.print(f"[red]{n} error(s)[/]; fix them and run again.")
        raise typer.Exit(2)


ALGORITHM = typer.Option("ipm", help="HiGHS algorithm: ipm, choose (HiGHS decides: dual simplex), simplex or pdlp.")
THREADS = typer.Option(None, min=1, help="HiGHS threads.")
TIME_LIMIT = typer.Option(None, min=0, help="Seconds per solve before HiGHS stops.")
OUT = typer.Option(Path("outputs"), "--out", help="Results go to a folder in OUT.")


@app.command()
def stress(
    plan_dir: Path = typer.Argument(..., help="Results folder of a finished run: its build plan is fixed."),
    scenarios: List[Path] = typer.Argument(..., help="Scenarios (or cases) to live that plan in."),
    out: Path = OUT, algorithm: str = ALGORITHM, threads: Optional[int] = THREADS, time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Fix a run's build plan and re-optimise operations under other scenarios: cost, unserved, idle racks."""
    from .console import print_stress
    from .export import publish_tables
    from .plans import plan_from_folder
    from .robustness import stress as stress_test

    out_console, err_console = _consoles()
    try:
        plan = plan_from_folder(plan_dir)
    except (FileNotFoundError, KeyError, ValueError) as err:
        err_console.print(f"[red]{plan_dir} is not a results folder with a build plan ({err})[/]")
        raise typer.Exit(2)
    loaded = []
    for path in scenarios:
        case, futures = _load_or_exit(path, out_console)
        loaded.append((case.name, case, futures))
    with err_console.status("stress test") as status:
        table = stress_test(plan, loaded, _options(algorithm, threads, time_limit),
                            progress=lambda name: status.update(f"living plan {plan.name} in {name}…"))
    currency = loaded[0][1].settings.currency
    folder = publish_tables(out, f"stress_{plan.name}", {"stress": table}, currency,
                            {"plan": plan.name, "plan_folder": str(plan_dir), "scenarios": [str(p) for p in scenarios]},
                            workbook="stress.xlsx")
    print_stress(out_console, plan.name, table, currency, folder)
    raise typer.Exit(0 if (table["status"] == "optimal").all() else 1)


@app.command()
def regret(
    scenario: Path = typer.Argument(..., help="A scenario with futures."),
    out: Path = OUT, algorithm: str = ALGORITHM, threads: Optional[int] = THREADS, time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Plan for each future and for all of them, live each plan in every future, name the minimax-regret plan."""
    from .console import print_regret
    from .export import publish_tables
    from .prepare import prepare
    from .robustness import regret as regret_table

    out_console, err_console = _consoles()
    case, futures = _load_or_exit(scenario, out_console)
    if not futures or len(futures) < 2:
        err_console.print(f"[red]{scenario} has no futures: a regret table needs at least two[/]")
        raise typer.Exit(2)
    data = prepare(case, futures)
    with err_console.status("regret") as status:
        table = regret_table(data, _options(algorithm, threads, time_limit),
                             progress=lambda stage: status.update(f"{case.name}: {stage}…"))
    folder = publish_tables(out, f"{case.name}_regret", {"regret": table.cells, "plans": table.plans},
                            case.settings.currency, {"scenario": case.name, "minimax_regret_plan": table.minimax,
                                                     "best_cost_per_future": table.best}, workbook="regret.xlsx")
    print_regret(out_console, case.name, table, case.settings.currency, folder)


@app.command()
def compare(
    dirs: List[Path] = typer.Argument(..., help="Results folders to put side by side."),
    out: Path = typer.Option(Path("outputs") / "compare.xlsx", "--out", help="Workbook to write."),
) -> None:
    """Scenarios side by side: cost by component, racks by zone, HVDC and optical, unserved, top risks."""
    from .compare import compare as compare_runs
    from .console import print_comparison
    from .export import write_workbook

    out_console, err_console = _consoles()
    try:
        table, currency = compare_runs(dirs)
    except (FileNotFoundError, ValueError) as err:
        err_console.print(f"[red]{err}[/]")
        raise typer.Exit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.writing")
    write_workbook({"comparison": table}, tmp, currency)
    tmp.replace(out)
    print_comparison(out_console, table, currency, out)


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="A scenario file."),
    vary: List[str] = typer.Option([], "--vary", help="sheet.column=value1,value2,... (settings.key=... for a setting); "
                                                    "repeat to combine."),
    workers: Optional[int] = typer.Option(None, min=1, help="Local processes (default: one per core)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Address of a Dask scheduler to run the variants on."),
    out: Path = OUT, algorithm: str = ALGORITHM, time_limit: Optional[float] = TIME_LIMIT,
) -> None:
    """Solve many variants of a scenario in parallel; their headline figures land in one table."""
    from rich.progress import Progress

    from .console import print_problems, print_sweep
    from .export import publish_tables
    from .problems import InputError
    from .sweep import local_executor, parse_vary, run_sweep, variants

    out_console, err_console = _consoles()
    try:
        name, items = variants(scenario, parse_vary(vary))
    except InputError as err:
        print_problems(out_console, err.problems, f"{scenario}: input problems")
        raise typer.Exit(2)
    options = _options(algorithm, None, time_limit)
    if dask:
        try:
            from dask.distributed import Client
        except ImportError:
            err_console.print("[red]--dask needs Dask: pip install -e '.[dask]'[/]")
            raise typer.Exit(2)
        client = Client(dask)
        executor = client.get_executor()
    else:
        client, executor = None, local_executor(workers)
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(f"{name}: {len(items)} variants", total=len(items))
            table = run_sweep(items, executor, options, progress=lambda done, total: bar.update(task, completed=done))
    finally:
        executor.shutdown(wait=True)
        if client is not None:
            client.close()
    currency = items[0].data.settings.currency
    folder = publish_tables(out, f"{name}_sweep", {"sweep": table}, currency,
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
    from .report import regret_next_to, write_comparison, write_report
    from .store import load_run

    out_console, err_console = _consoles()
    try:
        runs = [load_run(d) for d in dirs]
    except FileNotFoundError as err:
        err_console.print(f"[red]{err}[/]")
        raise typer.Exit(2)
    if len(runs) == 1:
        target = out or dirs[0] / "report.html"
        write_report(runs[0], target, regret=regret_next_to(dirs[0].parent, runs[0].name))
    else:
        target = out or Path("outputs") / "comparison.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_comparison(runs, target)
    out_console.print(f"Report written to [bold]{target}[/] ({target.stat().st_size / 1e6:.1f} MB, opens offline)")


def main() -> None:
    try:
        code = app(standalone_mode=False)   # an exit code when the command ended with typer.Exit
    except KeyboardInterrupt:
        print("interrupted; earlier results are untouched", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as done:
        _leave(done.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as err:  # a defect: say so in one line, keep the details for the report
        if hasattr(err, "show") and hasattr(err, "exit_code"):  # a usage error: wrong option or argument
            err.show()
            sys.exit(err.exit_code)
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile("w", prefix="planner-error-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        print(f"planner stopped on an internal error ({type(err).__name__}: {err}); earlier results are untouched. "
              f"Details are in {fh.name}; please report them.", file=sys.stderr)
        sys.exit(1)
    else:
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
