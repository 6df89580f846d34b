"""The performance benchmark: planner run, stage by stage, against HiGHS alone.

    python bench/run.py                      # every size, 3 repeats, table to the terminal
    python bench/run.py --sizes national,62x25x4 --repeat 1
    python bench/run.py --docs               # also rewrite the tables in docs/performance.md

For each size it generates the case (bench/generate.py; the national case is the bundled base
scenario), then, ``--repeat`` times and alternating:

* runs ``python -m planner run CASE`` in a fresh process: wall time and peak memory of the
  whole process from outside (``os.wait4``), and the per-stage times and running peak memory
  the run records in its run.json;
* runs the floor (bench/floor.py): the planner's LP, written once as MPS, read and solved by
  ``highspy`` alone in a fresh process with the planner's default HiGHS options.

Each figure is the median over the repeats. Results go to bench/results.json (and with
``--docs`` into docs/performance.md between the ``bench:`` markers). Nothing here is a test:
timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = HERE / "cases"                       # generated, not committed
RESULTS = HERE / "results.json"
DOC = ROOT / "docs" / "performance.md"

SIZES: dict[str, dict] = {
    # the bundled case with its default day of six slices (the case itself: base.yaml also asks
    # for the low-demand stress test, an extra solve the run's analysis stage would count)
    "national": {"case": ROOT / "inputs" / "china_provinces.xlsx"},
    "31x25x6": {"regions": 31, "years": 25, "workloads": 6},
    "62x25x4": {"regions": 62, "years": 25, "workloads": 4},
    "31x10x5 3 futures": {"regions": 31, "years": 10, "workloads": 5, "futures": 3},
    "62x25x8": {"regions": 62, "years": 25, "workloads": 8},   # beyond the sizes: how time grows
    # time slices (SPEC 7.6): the national case with 4 representative days of 24 hours in place
    # of its own day of six slices
    "national 96 slices": {"national": ROOT / "inputs" / "china_provinces", "days": 4},
}
STAGES = ("read", "check", "build", "handoff", "highs", "analysis", "extract", "export")
TARGET_SIZE = "62x25x4"


def case_for(label: str) -> Path:
    spec = SIZES[label]
    if "case" in spec:
        return spec["case"]
    sys.path.insert(0, str(HERE))
    from generate import add_timeslices, generate

    if "national" in spec:
        folder = CASES / label.replace(" ", "_")
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(spec["national"], folder)
        return add_timeslices(folder, spec["days"])

    folder = CASES / label.replace(" ", "_")
    if folder.exists():
        shutil.rmtree(folder)
    return generate(folder, spec["regions"], spec["years"], spec["workloads"], futures=spec.get("futures", 0))


def measured(cmd: list[str]) -> tuple[float, float, str, str, int]:
    """Run ``cmd`` in a fresh process: wall seconds, peak resident MB, stdout, stderr, exit code."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        return wall, peak, out.read().decode(errors="replace"), err.read().decode(errors="replace"), proc.returncode


def planner_run(case: Path, out: Path) -> dict:
    wall, peak, stdout, stderr, code = measured([sys.executable, "-m", "planner", "run", str(case), "--out", str(out)])
    if code != 0:
        raise SystemExit(f"planner run {case} failed ({code}):\n{stdout}\n{stderr}")
    meta = json.loads(next(out.glob("*/run.json")).read_text())
    shutil.rmtree(out)
    t = meta["timings"]
    stages = {s: t.get(s, 0.0) for s in STAGES}
    stages["other"] = wall - sum(stages.values())   # interpreter start, imports, printing the summary
    return {"wall": wall, "peak_mb": peak, "stages": stages, "stage_peak_mb": meta["memory_mb"],
            "size": meta["model"], "objective": meta["objective"], "solver": meta["solver"]["options"]}


def floor_run(mps: Path, solver: dict) -> dict:
    cmd = [sys.executable, str(HERE / "floor.py"), "solve", str(mps), "--algorithm", solver["algorithm"],
           "--crossover", "on" if solver["crossover"] else "off", "--presolve", "on" if solver["presolve"] else "off"]
    if solver.get("threads"):
        cmd += ["--threads", str(solver["threads"])]
    wall, peak, stdout, stderr, code = measured(cmd)
    if code != 0:
        raise SystemExit(f"floor solve failed ({code}):\n{stderr}")
    inside = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "peak_mb": peak, **inside}


def median_of(runs: list[dict]) -> dict:
    """Median of every number, key by key (nested dicts too); other values from the first run."""
    out = {}
    for key, first in runs[0].items():
        if isinstance(first, dict):
            out[key] = median_of([r[key] for r in runs])
        elif isinstance(first, (int, float)) and not isinstance(first, bool):
            out[key] = statistics.median(r[key] for r in runs)
        else:
            out[key] = first
    return out


def bench(label: str, repeat: int, progress) -> dict:
    case = case_for(label)
    folder = CASES / label.replace(" ", "_")
    folder.mkdir(parents=True, exist_ok=True)
    mps = folder / "model.mps"
    progress(f"{label}: writing the LP as MPS")
    subprocess.run([sys.executable, str(HERE / "floor.py"), "write", str(case), str(mps)], check=True, cwd=ROOT)
    planner_runs, floor_runs = [], []
    for k in range(repeat):
        progress(f"{label}: planner run {k + 1}/{repeat}")
        planner_runs.append(planner_run(case, Path(tempfile.mkdtemp(prefix="planner-bench-"))))
        progress(f"{label}: floor {k + 1}/{repeat}")
        floor_runs.append(floor_run(mps, planner_runs[-1]["solver"]))
    p, f = median_of(planner_runs), median_of(floor_runs)
    if abs(p["objective"] - f["objective"]) > 1e-6 * max(1.0, abs(f["objective"])):
        raise SystemExit(f"{label}: planner objective {p['objective']} differs from the floor's {f['objective']}")
    s = p["stages"]
    return {
        "size": label, "case": str(case.relative_to(ROOT)) if case.is_relative_to(ROOT) else str(case),
        "model": p["size"], "repeats": repeat, "planner": p, "floor": f,
        "ratio_time": p["wall"] / f["wall"],
        "ratio_time_without_analysis": (p["wall"] - s["analysis"]) / f["wall"],
        "ratio_memory": p["peak_mb"] / f["peak_mb"],
        "build_extract_share_of_highs": (s["build"] + s["extract"]) / s["highs"],
        "overhead_s": p["wall"] - s["highs"] - s["analysis"],
    }


# ---- the tables ---------------------------------------------------------------------------

def _f(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def tables(results: list[dict]) -> str:
    sizes = ["| size | columns | rows | nonzeros | repeats |", "|---|---:|---:|---:|---:|"]
    for r in results:
        m = r["model"]
        sizes.append(f"| {r['size']} | {m['columns']:,} | {m['rows']:,} | {m['nonzeros']:,} | {r['repeats']} |")

    head = "| stage (s) | " + " | ".join(r["size"] for r in results) + " |"
    stages = [head, "|---|" + "---:|" * len(results)]
    for s in (*STAGES, "other"):
        stages.append(f"| {s} | " + " | ".join(_f(r["planner"]["stages"][s]) for r in results) + " |")
    stages.append("| **planner total** | " + " | ".join(f"**{_f(r['planner']['wall'])}**" for r in results) + " |")
    stages.append("| floor: import highspy | " + " | ".join(_f(r["floor"]["import"]) for r in results) + " |")
    stages.append("| floor: read MPS | " + " | ".join(_f(r["floor"]["read"]) for r in results) + " |")
    stages.append("| floor: solve | " + " | ".join(_f(r["floor"]["solve"]) for r in results) + " |")
    stages.append("| **floor total** | " + " | ".join(f"**{_f(r['floor']['wall'])}**" for r in results) + " |")

    mem = [head.replace("stage (s)", "peak memory (MB) by the end of"), "|---|" + "---:|" * len(results)]
    for s in STAGES:
        mem.append(f"| {s} | " + " | ".join(_f(r["planner"]["stage_peak_mb"].get(s, 0.0), 0) for r in results) + " |")
    mem.append("| **planner process** | " + " | ".join(f"**{_f(r['planner']['peak_mb'], 0)}**" for r in results) + " |")
    mem.append("| **floor process** | " + " | ".join(f"**{_f(r['floor']['peak_mb'], 0)}**" for r in results) + " |")

    ratios = ["| ratio | " + " | ".join(r["size"] for r in results) + " | target |",
              "|---|" + "---:|" * len(results) + "---|"]
    ratios.append("| planner total / floor | " + " | ".join(_f(r["ratio_time"]) for r in results)
                  + f" | <= 1.2 at {TARGET_SIZE} |")
    ratios.append("| same, without the analysis solves | " + " | ".join(_f(r["ratio_time_without_analysis"]) for r in results)
                  + " | |")
    ratios.append("| planner peak memory / floor | " + " | ".join(_f(r["ratio_memory"]) for r in results)
                  + f" | <= 1.5 at {TARGET_SIZE} |")
    ratios.append("| (build + extract) / HiGHS | " + " | ".join(f"{r['build_extract_share_of_highs']:.0%}" for r in results)
                  + " | <= 25 % |")
    ratios.append("| modelling overhead, s per million nonzeros | " + " | ".join(
        _f(r["overhead_s"] / r["model"]["nonzeros"] * 1e6, 1) for r in results) + " | not growing |")
    return "\n".join(["#### Sizes", "", *sizes, "", "#### Time by stage (median)", "", *stages, "",
                      "#### Peak memory", "", *mem, "", "#### Ratios", "", *ratios])


def machine() -> str:
    import highspy  # noqa: F401
    from importlib import metadata

    cpus = os.cpu_count()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return (f"{platform.machine()}, {cpus} cores, {mem:.0f} GiB; Python {platform.python_version()}, "
            f"pyomo {metadata.version('pyomo')}, highspy {metadata.version('highspy')}, "
            f"pandas {metadata.version('pandas')}; {time.strftime('%Y-%m-%d')}")


def write_docs(text: str, marker: str = "bench") -> None:
    doc = DOC.read_text()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in doc or end not in doc:
        raise SystemExit(f"{DOC} has no {start} ... {end} section")
    before, rest = doc.split(start, 1)
    _, after = rest.split(end, 1)
    DOC.write_text(f"{before}{start}\n{text}\n{end}{after}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, from: {', '.join(SIZES)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", action="store_true", help="rewrite the tables in docs/performance.md")
    a = parser.parse_args(argv)
    labels = [s.strip() for s in a.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size(s): {', '.join(unknown)}; choose from {', '.join(SIZES)}")

    def progress(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    results = [bench(label, a.repeat, progress) for label in labels]
    text = f"Measured on {machine()}.\n\n{tables(results)}"
    RESULTS.write_text(json.dumps({"machine": machine(), "results": results}, indent=2, default=str) + "\n")
    print(text)
    if a.docs:
        write_docs(text)


if __name__ == "__main__":
    main()
