"""Small cases for tests, written as CSV folders or workbooks and solved through the real pipeline.

Defaults make hand arithmetic easy: one period (2026), no discounting, lives of 1 year (so an
annuity is the capex), racks of 1000 kW (one rack = 1 MW of IT), max_utilization 1, and a
workload ``w`` whose 1 trillion tokens/day draw 1 MW of IT (24 MWh per ttok) and need 1 Tbps
when served remotely.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pyomo.environ import value

from planner.models import build_model
from planner.case.validated import load_case
from planner.optimise.prepare import ModelData, prepare
from planner.results.tables import Results
from planner.optimise.solver import Solution, solve
from planner.case.writing import write_sheets

from consistency import check_outputs_match_model

SETTINGS = dict(start_year=2026, end_year=2026, discount_rate=0.0, rack_kw=1000, max_utilization=1.0,
                min_utilization=0.5, rack_life=1, optical_life=1, hvdc_life=1, unserved_penalty=1.0)
WORKLOAD = dict(workload="w", mwh_per_ttok=24.0, gbps_per_ttok=1000.0)


def region(name: str, lat: float = 0.0, lon: float = 0.0, **columns) -> dict:
    return {"region": name, "lat": lat, "lon": lon, "pue": 1.0, "rack_capex": 100.0, "grid_price": 10.0, **columns}


def sheets(regions: list[dict], demand: list[dict], *, settings: dict | None = None, workloads: list[dict] | None = None,
           corridors: list[dict] | None = None, policies: list[dict] | None = None,
           planned_builds: list[dict] | None = None, region_years: list[dict] | None = None,
           workload_years: list[dict] | None = None, **more: list[dict]) -> dict[str, pd.DataFrame]:
    s = {**SETTINGS, **(settings or {})}
    out = {
        "settings": pd.DataFrame({"key": list(s), "value": list(s.values())}, dtype=object),
        "regions": pd.DataFrame(regions),
        "workloads": pd.DataFrame(workloads or [WORKLOAD]),
        "demand": pd.DataFrame(demand),
    }
    for name, rows in (("corridors", corridors), ("policies", policies), ("planned_builds", planned_builds),
                       ("region_years", region_years), ("workload_years", workload_years), *more.items()):
        if rows:
            out[name] = pd.DataFrame(rows)
    return out


def write(case_sheets: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv") -> Path:
    target = folder / ("case.xlsx" if fmt == "xlsx" else "case")
    return write_sheets(case_sheets, target)


@dataclass
class Solved:
    results: Results
    model: object
    data: ModelData
    solution: Solution

    @property
    def objective(self) -> float:
        return float(value(self.model.total_cost))

    def var(self, name: str) -> dict:
        """Nonzero values of a model variable."""
        return {k: v for k, v in getattr(self.model, name).extract_values().items() if abs(v or 0) > 1e-7}


def solve_path(path: Path) -> Solved:
    """Solve a case through the real pipeline; every case also checks that what the results
    report equals what the model holds (tests/consistency.py)."""
    data = prepare(load_case(path))
    m = build_model(data)
    sol = solve(m)
    assert sol.optimal, sol.message
    results = Results(m, data, sol)
    check_outputs_match_model(results, m, sol)
    return Solved(results, m, data, sol)


def solve_sheets(case_sheets: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv") -> Solved:
    return solve_path(write(case_sheets, folder, fmt))
