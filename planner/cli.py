"""The `planner` command (SPEC section 6). Heavy imports wait inside commands so --help is quick."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
DEFAULT_CASE = INPUTS / "china_provinces.xlsx"

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
    algorithm: str = typer.Option("ipm", help="HiGHS algorithm: ipm, simplex, choose or pdlp."),
    crossover: bool = typer.Option(True, help="After interior point, find a vertex (clean duals)."),
    threads: Optional[int] = typer.Option(None, min=1, help="HiGHS threads (default: HiGHS decides)."),
    time_limit: Optional[float] = typer.Option(None, min=0, help="Seconds before HiGHS stops."),
    solver_log: bool = typer.Option(False, "--solver-log", help="Stream the HiGHS log to the terminal."),
) -> None:
    """Solve each case and write results.xlsx, one CSV per table and run.json."""
    from .console import print_outcome
    from .run import EXIT_BAD_INPUT, run_case
    from .solver import SolverOptions

    out_console, err_console = _consoles()
    options = SolverOptions(algorithm=algorithm, crossover=crossover, threads=threads, time_limit=time_limit,
                            log_to_console=solver_log)
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
    from .run import load_input
    from .problems import InputError

    out_console, _ = _consoles()
    try:
        loaded, futures = load_input(case)
    except InputError as err:
        print_problems(out_console, err.problems, f"{case}: input problems")
        n = len([p for p in err.problems if p.is_error])
        out_console.print(f"[red]{n} error(s)[/]; fix them and run again.")
        raise typer.Exit(2)
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


def main() -> None:
    try:
        app(standalone_mode=False)
    except KeyboardInterrupt:
        print("interrupted; earlier results are untouched", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
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
