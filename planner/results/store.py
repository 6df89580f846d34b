"""Finished runs on disk, and the headline figures of a run, computed one way for all.

``headline(tables, meta)`` turns a run's tables (live or read back from its folder) into the
scenario-level figures that `planner compare`, `planner sweep`, `planner stress` and the report
show side by side, so that no command computes them differently.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.results.outputs import DIMENSIONS, TABLE_COLUMNS


@dataclass
class StoredRun:
    folder: Path
    meta: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.meta.get("scenario", self.folder.name)


def load_run(folder: str | Path) -> StoredRun:
    folder = Path(folder)
    meta_path = folder / "run.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"{folder} is not a results folder (no run.json)")
    meta = json.loads(meta_path.read_text())
    tables = {}
    for name in TABLE_COLUMNS:
        path = folder / f"{name}.csv"
        if path.is_file():
            tables[name] = with_dimensions(name, pd.read_csv(path, keep_default_na=False, na_values=[""]))
    return StoredRun(folder, meta, tables)


def with_dimensions(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A table read from a file, with the dimensions the file left out (a run without futures
    writes no ``future`` column) put back with their one value: the shape the program uses."""
    for dim in DIMENSIONS:
        if name in dim.tables and dim.name not in df.columns:
            df.insert(0, dim.name, dim.default)
    return df


def plan_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the build plan: with futures, every future repeats it; keep the first."""
    if len(df):
        return df[df["future"] == df["future"].iloc[0]]
    return df


def headline(tables: dict[str, pd.DataFrame], meta: dict) -> dict[str, object]:
    """Scenario-level figures of one run (money in the run's currency, discounted)."""
    summary = tables["summary"].set_index("item")["value"]

    def num(key, default=0.0):
        try:
            return float(summary[key])
        except (KeyError, TypeError, ValueError):
            return default

    out: dict[str, object] = {
        "scenario": meta.get("scenario", ""),
        "status": meta.get("status", summary.get("status", "")),
        "objective": float(meta.get("objective", num("objective"))),
        **{f"cost_{k}": float(v) for k, v in meta.get("costs", {}).items()},
        "first_stage_cost": num("first_stage_cost"),
        "second_stage_cost": num("second_stage_cost"),
    }
    cap = plan_rows(tables["capacity"])
    zones = cap["zone"].astype("string").fillna("").replace("", "(no zone)")
    last = cap["year"].max()
    for zone, rows in cap.groupby(zones, sort=True):
        out[f"racks_built_{zone}"] = float(rows["racks_built"].sum())
    for zone, rows in cap[cap["year"] == last].groupby(zones[cap["year"] == last], sort=True):
        out[f"racks_in_service_{last}_{zone}"] = float(rows["racks_in_service"].sum())
    out.update({
        "hvdc_built_gw": num("hvdc_built_gw"),
        "optical_built_tbps": num("optical_built_tbps"),
        "demand_served_share": num("demand_served_share", 1.0),
        "mean_utilization": num("mean_utilization"),
    })
    for key in ("cost_of_planned_builds", "value_of_stochastic_solution", "expected_value_of_perfect_information"):
        if key in summary:
            out[key] = num(key)
    risks = tables.get("risks", pd.DataFrame())
    per_future = idle_cost_by_future(risks, _years_per_period(tables))
    out["idle_cost_sum"] = _expected(per_future, tables)
    out["idle_cost_from_plan_sum"] = _expected(idle_cost_by_future(risks, _years_per_period(tables), "idle_cost_from_plan"),
                                               tables)
    out["idle_rack_years"] = idle_rack_years(tables)
    top = ranked_risks(risks).head(3) if len(risks) else risks
    out["top_risks"] = "; ".join(f"{r['flag']} {r['region']} {int(r['year'])} ({r['idle_cost'] / 1e6:,.0f} M/yr)"
                                 for r in top.to_dict("records"))
    return out


def idle_rack_years(tables: dict[str, pd.DataFrame]) -> float:
    """Idle racks (in service minus busy) summed over the years of the horizon, expected over futures."""
    cap = tables["capacity"]
    rack_years = cap["idle_racks"] * cap["year"].map(_years_per_period(tables)).fillna(1.0)
    return _expected(rack_years.groupby(cap["future"]).sum(), tables)


# capacity standing idle in a period (stranded and over_plan describe builds)
IDLE_FLAGS = ("idle", "empty_racks", "idle_servers", "network_idle")


def idle_cost_by_future(risks: pd.DataFrame, years_per_period, column: str = "idle_cost") -> pd.Series:
    """Annual cost of the capacity flagged idle (racks, servers and network), summed over the years
    of the horizon, per future; ``column="idle_cost_from_plan"`` counts only what the plan built.
    Stranded and over_plan rows are left out: their racks are already counted in the idle rows of
    the periods they stand idle."""
    if not len(risks) or column not in risks.columns:
        return pd.Series(dtype=float)
    rows = risks[risks["flag"].isin(IDLE_FLAGS)]
    cost = rows[column] * rows["year"].map(years_per_period).fillna(1.0)
    return cost.groupby(rows["future"]).sum()


def ranked_risks(risks: pd.DataFrame) -> pd.DataFrame:
    """Risks as a planner should read them: what the plan itself built first (the decision that can
    still change), then by annual cost."""
    if not len(risks) or "idle_cost_from_plan" not in risks.columns:
        return risks
    return risks.sort_values(["idle_cost_from_plan", "idle_cost"], ascending=False, kind="stable")


def _years_per_period(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Calendar years in each model period (the costs table lists every year with its period)."""
    return tables["costs"].groupby("period")["year"].nunique()


def _expected(values: pd.Series, tables: dict[str, pd.DataFrame]) -> float:
    """Probability-weighted sum of ``values`` indexed by future (a plain sum without futures)."""
    if "futures" not in tables or not len(values):
        return float(values.sum())
    chance = tables["futures"].set_index("future")["probability"]
    return float((values * values.index.map(chance)).sum())
