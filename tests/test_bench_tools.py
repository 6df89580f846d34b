"""The benchmark's own tools: synthetic cases are valid, reproducible and fully served, and the
floor solves the very LP the planner solves. (Their speed is measured in bench/, not here.)"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from planner.models import build_model
from planner.optimise.prepare import prepare
from planner.results.tables import Results
from planner.run import load_input
from planner.optimise.solver import objective_value, solve

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


generate = _module("generate").generate
floor = _module("floor")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_other_seed_other_case(tmp_path):
    folder = tmp_path / "case"
    generate(folder, regions=6, years=3, workloads=3, futures=2, seed=4)
    first = _files(folder)
    generate(folder, regions=6, years=3, workloads=3, futures=2, seed=4)
    assert _files(folder) == first
    generate(folder, regions=6, years=3, workloads=3, futures=2, seed=5)
    assert _files(folder)["regions.csv"] != first["regions.csv"]


@pytest.mark.parametrize("futures", [0, 2])
def test_synthetic_case_checks_clean_and_is_served_in_full(tmp_path, futures):
    path = generate(tmp_path / "case", regions=8, years=4, workloads=5, futures=futures, seed=1)
    case, scenario_futures = load_input(path)          # raises InputError on any bad cell
    assert not [p for p in case.warnings if p.is_error]
    data = prepare(case, scenario_futures)
    assert len(data.futures) == max(futures, 1)
    m = build_model(data)
    solution = solve(m)
    assert solution.optimal
    # limits leave most demand served (the generator's promise); none makes the LP infeasible
    summary = Results(m, data, solution).summary().set_index("item")["value"]
    assert float(summary["demand_served_share"]) > 0.95


def test_floor_solves_the_planners_lp(tmp_path):
    path = generate(tmp_path / "case", regions=8, years=4, workloads=4, seed=2)
    mps = tmp_path / "lp.mps"
    floor.write(str(path), str(mps))
    alone = floor.solve(str(mps), "ipm", "on", "on", None, None)
    case, futures = load_input(path)
    m = build_model(prepare(case, futures))
    assert solve(m).optimal and alone["status"] == "Optimal"
    assert alone["objective"] == pytest.approx(objective_value(m), rel=1e-9)


def test_every_hand_over_route_gives_highs_the_same_lp(tmp_path):
    """bench/handoff.py on the example, each route in its own process (the compiler route sets the
    planner's reader aside for the whole process): the script stops unless every route reaches
    one optimum; the reader, Pyomo's compiler and both persistent interfaces give HiGHS the same
    LP, and Pyomo's files carry the objective's constant as one more column (fixed at 1), the MPS
    file with one more row, holding one more nonzero, to fix it."""
    import subprocess

    done = subprocess.run([sys.executable, str(BENCH / "handoff.py"), "inputs/example", "--repeat", "1", "--solve"],
                          capture_output=True, text=True, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split("|")[1:-1] for line in done.stdout.splitlines() if line.startswith("| ") and "route" not in line]
    sizes = {route.strip(): tuple(int(n.replace(",", "")) for n in lp.split("/")) for route, *_, lp, _ in rows}
    assert len(sizes) == 6
    reader = sizes.pop(next(r for r in sizes if "planner's reader" in r))
    lp_file = sizes.pop(next(r for r in sizes if "LP writer" in r))
    mps_file = sizes.pop(next(r for r in sizes if "MPS writer" in r))
    assert set(sizes.values()) == {reader}   # the compiler, appsi and contrib.solver
    columns, n_rows, nonzeros = reader
    assert lp_file == (columns + 1, n_rows, nonzeros)
    assert mps_file == (columns + 1, n_rows + 1, nonzeros + 1)
