"""Properties that must hold on any case (seeded random cases, solved through the pipeline)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import region, solve_sheets
from random_cases import MONEY_COLUMNS, MONEY_SETTINGS, random_case

few = settings(max_examples=6, deadline=None, derandomize=True)


def objective(case) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return solve_sheets(case, Path(tmp)).objective


@few
@given(seed=st.integers(0, 10_000), growth=st.floats(0.0, 1.0))
def test_more_demand_never_lowers_cost(seed, growth):
    case = random_case(seed)
    before = objective(case)
    case["demand"]["ttok_per_day"] = case["demand"]["ttok_per_day"] * (1 + growth)
    assert objective(case) >= before * (1 - 1e-7) - 1e-6


@few
@given(seed=st.integers(0, 10_000), k=st.sampled_from([0.1, 3.0, 1000.0]))
def test_scaling_every_cost_scales_the_objective(seed, k):
    case = random_case(seed)
    before = objective(case)
    for sheet, cols in MONEY_COLUMNS.items():
        if sheet in case:
            for c in cols:
                case[sheet][c] = case[sheet][c] * k
    s = case["settings"]
    money = s["key"].isin(MONEY_SETTINGS)
    s.loc[money, "value"] = [v * k for v in s.loc[money, "value"]]
    assert objective(case) == pytest.approx(before * k, rel=1e-6)


@few
@given(seed=st.integers(0, 10_000))
def test_an_unconnected_region_without_demand_changes_nothing(seed):
    import pandas as pd

    case = random_case(seed)
    before = objective(case)
    lonely = pd.DataFrame([region("lonely", lat=50.0, lon=80.0, zone="west")])
    case["regions"] = pd.concat([case["regions"], lonely], ignore_index=True)
    assert objective(case) == pytest.approx(before, rel=1e-9)
