"""Scenarios side by side (`planner compare DIR...`), from their results folders."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.results.store import headline, load_run

UNITS = {"objective": "money", "first_stage_cost": "money", "second_stage_cost": "money", "hvdc_built_gw": "GW",
         "optical_built_tbps": "Tbps", "demand_served_share": "fraction", "mean_utilization": "fraction",
         "idle_cost_sum": "money a year, summed over years", "idle_rack_years": "rack-years",
         "cost_of_planned_builds": "money", "value_of_stochastic_solution": "money",
         "expected_value_of_perfect_information": "money"}


def unit_of(metric: str, currency: str) -> str:
    if metric.startswith("cost_"):
        return currency
    if metric.startswith("racks_"):
        return "racks"
    return UNITS.get(metric, "").replace("money", currency)


def compare(folders: list[str | Path]) -> tuple[pd.DataFrame, str]:
    """A table with one row per figure and one column per scenario, and the currency."""
    runs = [load_run(f) for f in folders]
    heads = [headline(r.tables, r.meta) for r in runs]
    names = [h["scenario"] for h in heads]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):  # two runs of the same scenario stay apart
        seen[n] = seen.get(n, 0) + 1
        if names.count(n) > 1:
            names[i] = f"{n} ({runs[i].folder.parent.name})"
    currency = runs[0].meta.get("currency", "") if runs else ""
    metrics = []
    for h in heads:
        metrics += [k for k in h if k not in metrics and k != "scenario"]
    table = pd.DataFrame({"item": metrics, "unit": [unit_of(m, currency) for m in metrics]})
    for name, h in zip(names, heads):
        table[name] = [h.get(m, "") for m in metrics]
    return table, currency
