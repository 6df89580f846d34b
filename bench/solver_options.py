"""Which HiGHS options to use by default: each candidate on the benchmark LPs, HiGHS alone.

    python bench/solver_options.py                  # after bench/run.py has written the LPs
    python bench/solver_options.py --docs           # also rewrite the table in docs/performance.md

Solves each LP bench/run.py wrote (bench/cases/*/model.mps) with each candidate in a fresh
process (bench/floor.py) and reports HiGHS's solve time, with a time limit per solve.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import CASES, SIZES, machine, write_docs  # noqa: E402

CANDIDATES: dict[str, list[str]] = {
    "ipm + crossover (the default)": ["--algorithm", "ipm", "--crossover", "on"],
    "choose: HiGHS decides (dual simplex)": ["--algorithm", "choose"],
    "dual simplex": ["--algorithm", "simplex"],
    "choose, no presolve": ["--algorithm", "choose", "--presolve", "off"],
    "ipm, no crossover": ["--algorithm", "ipm", "--crossover", "off"],
    "ipm + crossover, 1 thread": ["--algorithm", "ipm", "--crossover", "on", "--threads", "1"],
    "ipm + crossover, no presolve": ["--algorithm", "ipm", "--crossover", "on", "--presolve", "off"],
    "pdlp (first-order; 60 s limit)": ["--algorithm", "pdlp", "--time-limit", "60"],
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--docs", action="store_true")
    a = parser.parse_args(argv)
    labels = [s for s in a.sizes.split(",") if (CASES / s.replace(" ", "_") / "model.mps").exists()]
    if not labels:
        raise SystemExit("no LPs yet: run bench/run.py first")
    rows = {}
    for name, flags in CANDIDATES.items():
        rows[name] = {}
        for label in labels:
            mps = CASES / label.replace(" ", "_") / "model.mps"
            print(f"[{time.strftime('%H:%M:%S')}] {label}: {name}", file=sys.stderr, flush=True)
            limit = [] if "--time-limit" in flags else ["--time-limit", str(a.time_limit)]
            out = subprocess.run([sys.executable, str(HERE / "floor.py"), "solve", str(mps), *flags, *limit],
                                 capture_output=True, text=True, check=True)
            rows[name][label] = json.loads(out.stdout.strip().splitlines()[-1])
    head = "| HiGHS options | " + " | ".join(labels) + " |"
    lines = [head, "|---|" + "---:|" * len(labels)]
    for name, by_size in rows.items():
        cells = []
        for label in labels:
            r = by_size[label]
            cells.append(f"{r['solve']:,.2f}" if r["status"] == "Optimal" else f"stopped at {r['solve']:,.0f} ({r['status']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = f"HiGHS solve time in seconds, one run each, on {machine()}; time limit {a.time_limit:.0f} s.\n\n" + "\n".join(lines)
    (HERE / "solver_options.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(text)
    if a.docs:
        write_docs(text, marker="options")


if __name__ == "__main__":
    main()
