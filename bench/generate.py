"""Seeded synthetic cases in the planner's input schema, at any size.

    python bench/generate.py OUT_FOLDER --regions 62 --years 25 --workloads 4 [--density 0.3]
                                        [--futures 3] [--seed 0]

writes a CSV case (``regions.csv``, ``workloads.csv``, ``demand.csv``, ``corridors.csv``,
``region_years.csv``, ``policies.csv``, ``settings.csv``) and, with ``--futures``, a scenario
``futures.yaml`` with that many demand futures around the case's own demand.

The shape follows the national case (inputs/china_provinces): regions scattered over a
4,000 km x 2,500 km box, the western half with cheap and green power and room to build, the
eastern half with the users; each region has corridors to its nearest ``density`` share of the
other regions (the national case has 148 corridors over 31 regions, a density of about 0.3);
HVDC may be built only on corridors from west to east. Workloads take latency limits from a
fixed ladder (1, 10, 30, 200 ms, none, then 50, 100, ... ms) so that tighter classes have fewer
feasible routes, as in the real case. Limits leave most demand served (about 98 %): where
demand keeps growing, the tightest-latency work of a crowded eastern region can outgrow the
racks allowed within its reach and goes partly unserved, as in the real east. No policy or
planned build can make the LP infeasible: the benchmark times the modelling layer, not a
diagnosis of an infeasible case.

Everything is drawn from ``numpy.random.default_rng(seed)``: the same arguments give the same
files, byte for byte (the scenario's ``name`` is the folder's name).
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

START_YEAR = 2026
# (name, round-trip latency limit in ms or None, MWh per trillion tokens, Gbps per ttok/day)
WORKLOAD_LADDER = [
    ("general", 1.0, 1000.0, 4.0),
    ("realtime", 10.0, 1100.0, 2.0),
    ("interactive", 30.0, 1000.0, 2.0),
    ("batch", 200.0, 800.0, 1.0),
    ("training", None, 3000.0, 4.0),
    ("agents", 50.0, 1200.0, 2.0),
    ("vision", 100.0, 1500.0, 3.0),
    ("search", 20.0, 900.0, 2.0),
]


def generate(folder: Path, regions: int, years: int, workloads: int, density: float = 0.3,
             futures: int = 0, seed: int = 0) -> Path:
    """Write the case into ``folder``; returns the path to run (the folder, or the scenario
    file when there are futures)."""
    if not 2 <= regions:
        raise ValueError("need at least 2 regions")
    if not 1 <= workloads <= len(WORKLOAD_LADDER):
        raise ValueError(f"workloads must be 1..{len(WORKLOAD_LADDER)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)

    # --- regions: x, y in km on a flat box, turned into lat/lon around central China
    x = rng.uniform(0, 4000, regions)
    y = rng.uniform(0, 2500, regions)
    lat = 22.0 + y / 111.0
    lon = 88.0 + x / (111.0 * math.cos(math.radians(32)))
    west = x < 2000
    ids = [f"r{i:03d}" for i in range(regions)]
    existing = np.where(west, rng.uniform(2e4, 1.5e5, regions), rng.uniform(1e5, 6e5, regions)).round(-3)
    regions_df = pd.DataFrame({
        "region": ids,
        "lat": lat.round(4), "lon": lon.round(4),
        "zone": np.where(west, "west", "east"),
        "pue": np.where(west, rng.uniform(1.15, 1.25, regions), rng.uniform(1.25, 1.4, regions)).round(3),
        "existing_racks": existing,
        "max_racks": np.where(west, 3e6, 1.5e6),
        "max_build_per_year": np.where(west, 4e5, 1.5e5),
        "rack_capex": np.where(west, 11_000.0, 16_700.0),
        "rack_fom": np.where(west, 400.0, 500.0),
        "grid_price": np.where(west, rng.uniform(40, 60, regions), rng.uniform(75, 100, regions)).round(1),
        "grid_co2": rng.uniform(0.4, 0.8, regions).round(3),
        "green_price": np.where(west, rng.uniform(30, 45, regions), rng.uniform(80, 95, regions)).round(1),
        "green_mw": np.where(west, rng.uniform(500, 3000, regions), rng.uniform(50, 300, regions)).round(0),
    })
    regions_df.to_csv(folder / "regions.csv", index=False)

    # --- workloads
    ladder = WORKLOAD_LADDER[:workloads]
    pd.DataFrame([{"workload": n, "max_latency_ms": lim, "mwh_per_ttok": e, "gbps_per_ttok": g}
                  for n, lim, e, g in ladder]).to_csv(folder / "workloads.csv", index=False)

    # --- demand, wide: users mostly in the east, growing 5-15 % a year
    year_list = [START_YEAR + t for t in range(years)]
    rows = []
    for i, rid in enumerate(ids):
        users = rng.uniform(0.5, 2.0) * (0.3 if west[i] else 1.0)
        for name, *_ in ladder:
            base = users * rng.uniform(1.0, 6.0)
            growth = rng.uniform(0.05, 0.15)
            rows.append([rid, name, *np.round(base * (1 + growth) ** np.arange(years), 4)])
    pd.DataFrame(rows, columns=["region", "workload", *year_list]).to_csv(folder / "demand.csv", index=False)

    # --- corridors: each region to its nearest `density` share of the others
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) * 1.2
    k = max(1, round(density * (regions - 1)))
    pairs = set()
    for i in range(regions):
        for j in np.argsort(dist[i])[1:k + 1]:
            pairs.add((min(i, int(j)), max(i, int(j))))
    corridor_rows = []
    for i, j in sorted(pairs):
        a, b = (i, j) if west[i] or not west[j] else (j, i)   # from the west end when there is one
        hvdc = bool(west[a] and not west[b])
        corridor_rows.append({
            "from": ids[a], "to": ids[b], "distance_km": round(float(dist[i, j]), 1),
            "efficiency": round(max(0.55, 1 - 0.45 * dist[i, j] / 1000), 3),
            "optical_existing_tbps": float(rng.choice([0.0, 10.0, 20.0])),
            "hvdc_max_gw": None if hvdc else 0.0,
        })
    pd.DataFrame(corridor_rows).to_csv(folder / "corridors.csv", index=False)

    # --- region_years: green power grows in the west every five years
    ry = []
    for i, rid in enumerate(ids):
        if west[i]:
            for t in range(5, years, 5):
                ry.append({"region": rid, "year": START_YEAR + t,
                           "green_mw": round(float(regions_df.green_mw[i]) * (1 + 0.3 * t / 5), 0)})
    pd.DataFrame(ry, columns=["region", "year", "green_mw"]).to_csv(folder / "region_years.csv", index=False)

    pd.DataFrame([
        {"policy": "min_green_share", "year": START_YEAR, "value": 0.3, "zone": "west"},
        {"policy": "min_zone_capacity_share", "year": START_YEAR + 2, "value": 0.25, "zone": "west"},
        {"policy": "carbon_cap_mt", "year": START_YEAR, "value": 1e4, "zone": None},
    ]).to_csv(folder / "policies.csv", index=False)

    pd.DataFrame([
        ("start_year", START_YEAR), ("end_year", START_YEAR + years - 1), ("discount_rate", 0.07),
        ("rack_kw", 2.5), ("unserved_penalty", 2.0), ("latency_overhead_ms", 2.0),
        ("optical_capex_per_tbps_km", 3000), ("optical_fixed_capex_per_tbps", 100000), ("optical_fom", 20000),
        ("hvdc_capex_per_gw_km", 145139), ("hvdc_fixed_capex_per_gw", 226388889), ("hvdc_fom", 192500000),
        ("hvdc_loss_per_1000km", 0.023),
    ], columns=["key", "value"]).to_csv(folder / "settings.csv", index=False)

    if not futures:
        return folder
    return _write_futures(folder, futures)


def _write_futures(folder: Path, futures: int) -> Path:
    """Futures scale all demand from low to high growth, equally likely."""
    import yaml

    spread = np.linspace(0.7, 1.3, futures) if futures > 1 else [1.0]
    doc = {"name": folder.name, "inputs": ".", "futures": {}}
    for n, factor in enumerate(spread):
        future = {"probability": round(1.0 / futures, 12)}
        if abs(factor - 1.0) > 1e-12:
            future["changes"] = [{"scale": {"sheet": "demand", "column": "ttok_per_day", "by": round(float(factor), 4)}}]
        doc["futures"][f"future{n + 1}"] = future
    # probabilities must sum to one exactly; give the rounding to the last future
    names = list(doc["futures"])
    doc["futures"][names[-1]]["probability"] = round(1.0 - sum(doc["futures"][f]["probability"] for f in names[:-1]), 12)
    path = folder / "futures.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--regions", type=int, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--workloads", type=int, required=True)
    parser.add_argument("--density", type=float, default=0.3)
    parser.add_argument("--futures", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args(argv)
    print(generate(a.folder, a.regions, a.years, a.workloads, a.density, a.futures, a.seed))


if __name__ == "__main__":
    main()


def add_timeslices(folder: Path, days: int) -> Path:
    """Give the CSV case in ``folder`` ``days`` representative days of 24 hourly slices (each day
    standing for 365 / days days), with a solar-shaped green profile in every region (zero at
    night, twice the average at noon, so the yearly mean is 1) and workload demand that peaks in
    the evening for work with a latency limit and is flat and half shiftable for work without.
    The shapes are for the benchmark's size, not a dataset."""
    regions = pd.read_csv(folder / "regions.csv")
    workloads = pd.read_csv(folder / "workloads.csv")
    hours = np.arange(24)
    sun = np.clip(np.sin((hours - 6) / 12 * np.pi), 0.0, None)
    sun = sun / sun.mean()
    evening = 1 + 0.4 * np.cos((hours - 21) / 24 * 2 * np.pi)
    slices, profiles, demand = [], [], []
    for d in range(days):
        season = 1 + 0.2 * math.cos(2 * math.pi * d / days) if days > 1 else 1.0   # stronger and weaker sun, mean 1
        for h in hours:
            name = f"d{d:02d}h{h:02d}"
            slices.append({"slice": name, "hours": 8760 / (24 * days), "day": f"d{d:02d}", "order": int(h)})
            for r in regions["region"]:
                profiles.append({"region": r, "slice": name, "green_factor": round(sun[h] * season, 6),
                                 "grid_price_factor": round(1.2 if 17 <= h < 23 else (0.6 if 9 <= h < 17 else 1.0), 6)})
            for w, limit in zip(workloads["workload"], workloads.get("max_latency_ms", [None] * len(workloads))):
                demand.append({"workload": w, "slice": name,
                               "demand_factor": round(float(evening[h]) if pd.notna(limit) else 1.0, 6)})
    prof = pd.DataFrame(profiles)
    # the mean of the grid price factor over the day is 1.0 exactly only by construction: rescale
    prof["grid_price_factor"] = prof["grid_price_factor"] / prof.groupby("region")["grid_price_factor"].transform("mean")
    pd.DataFrame(slices).to_csv(folder / "timeslices.csv", index=False)
    prof.to_csv(folder / "profiles.csv", index=False)
    pd.DataFrame(demand).to_csv(folder / "workload_profiles.csv", index=False)
    workloads["shiftable"] = [0.0 if pd.notna(x) else 0.5 for x in workloads.get("max_latency_ms", [None] * len(workloads))]
    workloads.to_csv(folder / "workloads.csv", index=False)
    return folder
