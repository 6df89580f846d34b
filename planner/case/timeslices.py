"""Representative days from hourly profiles (`planner timeslices HOURLY.csv --days N --out FILE`).

The hourly file has 8760 rows (a non-leap year) and one column per region or workload and
quantity, named ``<id>.<quantity>``: ``green_factor``, ``grid_price_factor`` and
``grid_max_factor`` for a region, ``demand_factor`` for a workload (a column named ``hour`` or
``time`` is ignored). tsam (the time-series aggregation library PyPSA uses) picks N typical days
by hierarchical clustering, keeping each column's yearly mean; each typical day becomes 24
slices of one hour weighted by the days it stands for. The result is the three sheets a case
reads (``timeslices``, ``profiles``, ``workload_profiles``) and, per column, how well they
reproduce the year: the error of the yearly mean and of the load-duration curve.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.case.problems import InputError, error

REGION_QUANTITIES = ("green_factor", "grid_price_factor", "grid_max_factor")
WORKLOAD_QUANTITIES = ("demand_factor",)
IGNORED = ("hour", "time", "timestamp", "datetime", "date")
HOURS_PER_YEAR = 8760


def read_hourly(path: Path) -> pd.DataFrame:
    """The hourly profiles, checked: 8760 rows, ``<id>.<quantity>`` columns, numbers >= 0."""
    where = path.name
    if not path.is_file():
        raise InputError([error(where, f"no such file: {path}")], where)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([error(where, f"the file is not readable CSV ({type(exc).__name__})")], where)
    problems = []
    columns = [c for c in raw.columns if c.strip().lower() not in IGNORED]
    if len(raw) != HOURS_PER_YEAR:
        problems.append(error(where, f"an hourly file has 8760 rows (one per hour of a year), this one {len(raw)}"))
    if not columns:
        problems.append(error(where, "no profile columns: name them <region>.green_factor, <workload>.demand_factor, ..."))
    values = {}
    for col in columns:
        ident, dot, quantity = col.strip().rpartition(".")
        if not dot or not ident or quantity not in REGION_QUANTITIES + WORKLOAD_QUANTITIES:
            problems.append(error(where, f"column '{col}' is not <id>.<quantity> with a quantity of "
                                         f"{', '.join(REGION_QUANTITIES + WORKLOAD_QUANTITIES)}", column=col, value=col))
            continue
        numbers = pd.to_numeric(raw[col].str.strip(), errors="coerce")
        bad = numbers.isna() | ~np.isfinite(numbers.fillna(0.0)) | (numbers < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            problems.append(error(where, f"{col} must be a number >= 0 in every hour", row=row + 2, column=col,
                                  value=raw[col].iloc[row]))
            continue
        values[(ident.strip(), quantity)] = numbers.to_numpy(dtype=float)
    if problems:
        raise InputError(problems, where)
    frame = pd.DataFrame({f"{i}.{q}": v for (i, q), v in values.items()},
                         index=pd.date_range("2025-01-01", periods=HOURS_PER_YEAR, freq="h"))
    return frame


def representative_days(hourly: pd.DataFrame, days: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The three sheets for ``days`` typical days, and the reduction's error per column."""
    import tsam

    if not 1 <= days <= 365:
        raise ValueError("the number of representative days is between 1 and 365")
    result = tsam.aggregate(hourly, n_clusters=days, period_duration=24)
    typical = result.cluster_representatives          # (cluster, hour of day) -> value
    counts = result.cluster_counts                    # days each typical day stands for
    slices = []
    for (cluster, hour), _ in typical.iterrows():
        slices.append({"slice": f"d{int(cluster) + 1:02d}h{int(hour):02d}", "hours": float(counts[cluster]),
                       "day": f"d{int(cluster) + 1:02d}", "order": int(hour)})
    timeslices = pd.DataFrame(slices)
    names = timeslices["slice"].to_numpy()
    regions, workloads = [], []
    for col in hourly.columns:
        ident, quantity = col.rsplit(".", 1)
        (regions if quantity in REGION_QUANTITIES else workloads).append((ident, quantity, col))
    profiles = _long(typical, names, regions, "region")
    workload_profiles = _long(typical, names, workloads, "workload")
    sheets = {"timeslices": timeslices}
    if len(profiles):
        sheets["profiles"] = profiles
    if len(workload_profiles):
        sheets["workload_profiles"] = workload_profiles
    return sheets, _accuracy(hourly, result.reconstructed, timeslices, typical)


def _long(typical: pd.DataFrame, names, columns: list[tuple[str, str, str]], key: str) -> pd.DataFrame:
    rows: dict[tuple[str, str], dict] = {}
    for ident, quantity, col in columns:
        for name, value in zip(names, typical[col].to_numpy()):
            rows.setdefault((ident, name), {key: ident, "slice": name})[quantity] = round(float(value), 6)
    return pd.DataFrame(list(rows.values()))


def _accuracy(hourly: pd.DataFrame, rebuilt: pd.DataFrame, timeslices: pd.DataFrame, typical: pd.DataFrame) -> pd.DataFrame:
    """Per column: the yearly mean of the hours and of the slices (hours-weighted), and the RMSE of
    the load-duration curve (the sorted year against the sorted reconstruction), relative to the mean."""
    weights = timeslices["hours"].to_numpy() / HOURS_PER_YEAR
    out = []
    for col in hourly.columns:
        year = hourly[col].to_numpy()
        mean = float(year.mean())
        sliced = float((typical[col].to_numpy() * weights).sum())
        duration = np.sort(year)[::-1] - np.sort(rebuilt[col].to_numpy())[::-1]
        rmse = float(np.sqrt((duration ** 2).mean()))
        out.append({"column": col, "yearly_mean": mean, "slices_mean": sliced,
                    "mean_error": (sliced - mean) / mean if mean else 0.0,
                    "duration_curve_rmse": rmse / mean if mean else rmse})
    return pd.DataFrame(out)


def write_sheets_to(sheets: dict[str, pd.DataFrame], out: Path) -> Path:
    """The sheets as a workbook (``.xlsx``) or as CSV files in a new folder."""
    from planner.case.writing import write_sheets
    from planner.files import write_file_atomically

    if out.suffix.lower() == ".xlsx":
        return write_file_atomically(out, lambda tmp: write_sheets(sheets, tmp))
    return write_sheets(sheets, out)


def summary_lines(accuracy: pd.DataFrame) -> list[str]:
    lines = []
    for r in accuracy.to_dict("records"):
        lines.append(f"{r['column']}: yearly mean {r['yearly_mean']:.4g}, slices {r['slices_mean']:.4g} "
                     f"({r['mean_error']:+.2%}); load-duration curve error {r['duration_curve_rmse']:.1%} of the mean")
    return lines


