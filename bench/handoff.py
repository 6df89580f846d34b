"""Ways to hand the planner's Pyomo model to HiGHS, measured on the planner's own LP (issue 17).

    python bench/handoff.py                       # the bundled national case, 3 runs a route
    python bench/handoff.py CASE --repeat 1 --solve
    python bench/handoff.py --docs                # also rewrite the table in docs/performance.md

Each route runs in a fresh process: the case is read and the model built by the planner's own
pipeline, then handed to HiGHS by that route; the process reports the seconds of the hand-over,
the peak resident memory before and after it, and the size of the LP HiGHS holds. With
``--solve`` it also solves (the planner's default options) and the benchmark stops if two routes
reach different optima. The routes keep the Pyomo model as the one source of truth; they differ
only in how its rows reach HiGHS:

* ``direct``: the planner's reader (planner/optimise/matrix.py) into ``highspy.passModel``;
* ``compiler``: Pyomo's ``LinearStandardFormCompiler`` into ``passModel`` (the planner's
  fallback for a model the reader does not know);
* ``lp file`` and ``mps file``: Pyomo's writers, then ``highspy.readModel``;
* ``appsi`` and ``contrib.solver``: Pyomo's persistent HiGHS interfaces (``set_instance``).
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ROUTES = {
    "direct": "the planner's reader → `highspy.passModel` (what a run uses)",
    "compiler": "Pyomo's `LinearStandardFormCompiler` → `passModel`",
    "lp file": "Pyomo's LP writer → file → `highspy.readModel`",
    "mps file": "Pyomo's MPS writer → file → `readModel`",
    "appsi": "`pyomo.contrib.appsi` HiGHS, `set_instance` (persistent)",
    "contrib.solver": "`pyomo.contrib.solver` HiGHS, `set_instance` (persistent)",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def to_highs(route: str, m):
    """The model handed to a ``highspy.Highs`` by ``route``; that Highs."""
    from planner.optimise.solver import highs_lp, new_highs

    if route in ("direct", "compiler"):
        if route == "compiler":   # the reader steps aside, as for a model it does not know
            import planner.optimise.matrix as matrix
            matrix.read = lambda model: None
        lp, _, _ = highs_lp(m)
        h = new_highs()
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        return h
    if route in ("lp file", "mps file"):
        suffix = ".lp" if route == "lp file" else ".mps"
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / f"model{suffix}")
            m.write(path, format=suffix[1:], io_options={"symbolic_solver_labels": False})
            h = new_highs()
            h.setOptionValue("output_flag", False)
            h.readModel(path)
        return h
    if route == "appsi":
        from pyomo.contrib.appsi.solvers import Highs
    else:
        from pyomo.contrib.solver.solvers.highs import Highs
    opt = Highs()
    opt.set_instance(m)
    h = opt._solver_model
    h.setOptionValue("output_flag", False)
    return h


def one(route: str, case: str, solve: bool) -> dict:
    """In a fresh process: build, hand over, optionally solve; one JSON line."""
    import pyomo.environ  # noqa: F401  (registers the LP and MPS writers; every route alike, before timing)

    from planner.models import build_model
    from planner.optimise.prepare import prepare
    from planner.optimise.solver import SolverOptions, run_highs, set_options
    from planner.run import load_input

    m = build_model(prepare(*load_input(Path(case))))
    gc.freeze()   # as a run does before its hand-over (planner/run.py): the model is left out of collections
    before = peak_mb()
    t0 = time.perf_counter()
    h = to_highs(route, m)
    seconds = time.perf_counter() - t0
    out = {"route": route, "handoff": seconds, "peak_before_mb": before, "peak_after_mb": peak_mb(),
           "columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    if solve:
        set_options(h, SolverOptions())   # the planner's defaults, whichever route made this Highs
        t1 = time.perf_counter()
        run_highs(h)
        out["highs"] = time.perf_counter() - t1
        out["objective"] = h.getInfo().objective_function_value
    return out


def measure(case: Path, repeat: int, solve: bool, progress) -> list[dict]:
    rows = []
    for route in ROUTES:
        runs = []
        for k in range(repeat):
            progress(f"{route} {k + 1}/{repeat}")
            cmd = [sys.executable, __file__, "--one", route, str(case)] + (["--solve"] if solve else [])
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                raise SystemExit(f"{route} failed:\n{done.stderr[-3000:]}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        row = {k: (statistics.median(r[k] for r in runs) if isinstance(v, float) else v) for k, v in runs[0].items()}
        rows.append(row)
    if solve:
        objectives = [r["objective"] for r in rows]
        if max(objectives) - min(objectives) > 1e-6 * max(1.0, abs(objectives[0])):
            raise SystemExit(f"the routes reach different optima: {dict(zip(ROUTES, objectives))}")
    return rows


def table(rows: list[dict], case: str, repeat: int) -> str:
    direct = next(r for r in rows if r["route"] == "direct")
    lines = [f"Hand-over of `{case}` ({direct['columns']:,} columns, {direct['rows']:,} rows, "
             f"{direct['nonzeros']:,} nonzeros in HiGHS by the planner's route); each route in "
             + ("a fresh process." if repeat == 1 else f"{repeat} fresh processes, the median."), "",
             "| route | hand-over s | × the planner's | memory it adds, MB | LP in HiGHS (columns / rows / nonzeros) |"
             + (" HiGHS s |" if "highs" in direct else ""),
             "|---|---:|---:|---:|---|" + ("---:|" if "highs" in direct else "")]
    for r in rows:
        added = r["peak_after_mb"] - r["peak_before_mb"]
        lines.append(f"| {ROUTES[r['route']]} | {r['handoff']:.2f} | {r['handoff'] / direct['handoff']:.1f} | "
                     f"{added:,.0f} | {r['columns']:,} / {r['rows']:,} / {r['nonzeros']:,} |"
                     + (f" {r['highs']:.2f} |" if "highs" in r else ""))
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", nargs="?", default="inputs/china_provinces.xlsx")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--solve", action="store_true", help="also solve, and check every route reaches one optimum")
    parser.add_argument("--docs", action="store_true", help="rewrite the table in docs/performance.md")
    parser.add_argument("--one", choices=list(ROUTES), help=argparse.SUPPRESS)
    a = parser.parse_args(argv)
    if a.one:
        sys.stdout.write(json.dumps(one(a.one, a.case, a.solve)) + "\n")
        return

    def progress(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    rows = measure(Path(a.case), a.repeat, a.solve, progress)
    sys.path.insert(0, str(HERE))
    from run import machine, write_docs

    text = f"Measured on {machine()}.\n\n{table(rows, a.case, a.repeat)}"
    print(text)
    if a.docs:
        write_docs(text, marker="handoff")


if __name__ == "__main__":
    main()
