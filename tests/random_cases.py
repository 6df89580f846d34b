"""Seeded random small cases for property tests: every sheet but planned builds, always feasible."""
from __future__ import annotations

import random

from builder import region, sheets

MONEY_COLUMNS = {
    "regions": ["rack_capex", "rack_fom", "grid_price", "green_price"],
    "corridors": ["optical_capex", "hvdc_capex"],
}
MONEY_SETTINGS = ["unserved_penalty", "optical_fom", "hvdc_fom"]


def random_case(seed: int) -> dict:
    rng = random.Random(seed)
    n = rng.randint(2, 4)
    names = [f"r{i}" for i in range(n)]
    regions = []
    for i, name in enumerate(names):
        green = rng.random() < 0.5
        regions.append(region(
            name, lat=rng.uniform(20, 45), lon=rng.uniform(90, 122), zone=rng.choice(["east", "west"]),
            pue=round(rng.uniform(1.1, 1.5), 3), existing_racks=rng.choice([0, 0, 2, 5]),
            rack_capex=rng.uniform(50, 200), rack_fom=rng.uniform(0, 20), grid_price=rng.uniform(20, 90),
            grid_co2=rng.uniform(0.3, 0.9), max_racks=rng.choice([float("nan"), 8, 20]),
            green_price=rng.uniform(10, 60) if green else float("nan"), green_mw=rng.uniform(1, 10) if green else 0))
    workloads = [dict(workload="rt", max_latency_ms=rng.choice([5, 15, 30]), mwh_per_ttok=rng.uniform(12, 36),
                      gbps_per_ttok=rng.uniform(0, 2000)),
                 dict(workload="batch", mwh_per_ttok=rng.uniform(12, 36), gbps_per_ttok=rng.uniform(0, 500))]
    demand = [dict(region=r, workload=w["workload"], year=y, ttok_per_day=round(rng.uniform(0, 5), 3))
              for r in names for w in workloads for y in (2026, 2029) if rng.random() < 0.7]
    if not demand:
        demand = [dict(region=names[0], workload="batch", year=2026, ttok_per_day=1.0)]
    corridors = []
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < 0.7:
                corridors.append({"from": names[i], "to": names[j], "latency_ms": rng.uniform(2, 25),
                                  "distance_km": rng.uniform(200, 2500), "efficiency": rng.choice([1.0, 0.98]),
                                  "optical_capex": rng.uniform(100, 5000), "hvdc_capex": rng.uniform(1e5, 1e7),
                                  "hvdc_loss": rng.uniform(0, 0.1), "optical_existing_tbps": rng.choice([0, 1])})
    settings = {"end_year": 2029, "year_step": rng.choice([1, 2]), "discount_rate": rng.choice([0.0, 0.05, 0.08]),
                "rack_life": rng.choice([3, 10]), "optical_life": 10, "hvdc_life": 20,
                "unserved_penalty": rng.uniform(0.001, 0.01), "optical_fom": rng.uniform(0, 50), "hvdc_fom": rng.uniform(0, 1e4)}
    policies = [dict(policy="min_green_share", year=2027, value=0.2, zone="")] if rng.random() < 0.5 else None
    return sheets(regions, demand, settings=settings, workloads=workloads, corridors=corridors or None, policies=policies)
