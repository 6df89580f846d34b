"""The floor: what HiGHS alone needs for the planner's LP.

    python bench/floor.py write CASE LP.mps      # build the planner's model once, write it as MPS
    python bench/floor.py solve LP.mps [--algorithm ipm] [--crossover on] [--threads N] ...

``write`` goes through the planner's own pipeline (read, check, prepare, build, the same
hand-over to HiGHS) and asks HiGHS to write the model it was given, so the floor solves exactly
the LP the planner solves. ``solve`` is meant to run in a fresh process: it imports only
``highspy``, reads the file, solves with the given options and prints one JSON line with the
times inside the process (import, read, solve) and the objective. bench/run.py measures the
process's wall time and peak memory from outside.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


def write(case: str, path: str) -> None:
    from pathlib import Path

    from planner.models import build_model
    from planner.optimise.prepare import prepare
    from planner.run import load_input
    from planner.optimise.solver import highs_lp
    import highspy

    loaded, futures = load_input(Path(case))
    lp, _, _ = highs_lp(build_model(prepare(loaded, futures)))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.writeModel(path)


def solve(path: str, algorithm: str, crossover: str, presolve: str, threads: int | None,
          time_limit: float | None) -> dict:
    t0 = time.perf_counter()
    import highspy

    t1 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    t2 = time.perf_counter()
    h.setOptionValue("solver", algorithm)
    h.setOptionValue("run_crossover", crossover)
    h.setOptionValue("presolve", presolve)
    if threads:
        h.setOptionValue("threads", threads)
    if time_limit:
        h.setOptionValue("time_limit", time_limit)
    h.run()
    t3 = time.perf_counter()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    return {"import": t1 - t0, "read": t2 - t1, "solve": t3 - t2, "status": status,
            "objective": info.objective_function_value, "ipm_iterations": info.ipm_iteration_count,
            "simplex_iterations": info.simplex_iteration_count, "crossover_iterations": info.crossover_iteration_count}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("case")
    w.add_argument("mps")
    s = sub.add_parser("solve")
    s.add_argument("mps")
    s.add_argument("--algorithm", default="ipm")
    s.add_argument("--crossover", default="on", choices=["on", "off"])
    s.add_argument("--presolve", default="on", choices=["on", "off"])
    s.add_argument("--threads", type=int, default=None)
    s.add_argument("--time-limit", type=float, default=None)
    a = parser.parse_args(argv)
    if a.command == "write":
        write(a.case, a.mps)
    else:
        out = solve(a.mps, a.algorithm, a.crossover, a.presolve, a.threads, a.time_limit)
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
