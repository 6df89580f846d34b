"""The stylised facts of the national case, measured on a run's own result tables.

One definition of each fact, shared by `tests/test_dataset.py` (which pins them) and
`docs/dataset_figures.py` (which writes the figures in docs/dataset.md and docs/scenarios.md).
Every function takes a finished run (`planner.run.run_case(...)`'s outcome) and reads only the
tables the model names (capacity, serving, network, energy, unserved).
"""
from __future__ import annotations

import pandas as pd

WESTERN_HUBS = ["inner_mongolia", "guizhou", "gansu", "ningxia"]
EASTERN_HUBS = ["beijing", "tianjin", "hebei", "shanghai", "jiangsu", "zhejiang", "guangdong"]
AI_ORDER = ["training", "batch", "interactive", "realtime"]   # most movable first
OBSERVED_TBPS_2026 = 120.0      # 751 Tbps of inter-hub bandwidth at ~16 % (CAICT Q1-2024)
ELECTRICITY_TWH = {2026: (142.0, 199.0), 2030: (277.0, 400.0)}   # SOURCES.md "electricity"
WEST_ENERGY_COST_PER_MTOK = (0.8 * 0.018, 1.2 * 0.042)          # seeds: 0.8-1.2 kWh/M x 0.018-0.042 USD/kWh


def occupancy(outcome, regions: list[str]) -> pd.Series:
    """Server MW / shell MW of a group of regions, by year."""
    cap = outcome.results.capacity()
    cap = cap[cap["region"].isin(regions)]
    rack_kw = outcome.case.settings["rack_kw"]
    g = cap.groupby("year")
    return g["server_mw_in_service"].sum() / (g["racks_in_service"].sum() * rack_kw / 1000)


def western_share(outcome) -> pd.DataFrame:
    """Share of each workload's served tokens served in the western zone: year x workload."""
    srv = outcome.results.serving()
    zone = outcome.case.regions["zone"]
    srv = srv.assign(west=srv["to_region"].map(zone) == "west")
    total = srv.groupby(["year", "workload"])["ttok_per_day"].sum()
    west = srv[srv["west"]].groupby(["year", "workload"])["ttok_per_day"].sum().reindex(total.index, fill_value=0)
    return (west / total).unstack("workload")


def worst_latency(outcome, workload: str) -> float:
    """The longest round trip (ms) over which the workload is served; 0 when all is served at home."""
    srv = outcome.results.serving()
    srv = srv[(srv["workload"] == workload) & (srv["ttok_per_day"] > 1e-9) & (srv["from_region"] != srv["to_region"])]
    if srv.empty:
        return 0.0
    c = outcome.case.corridors
    latency = {}
    for a, b, ms in zip(c["from"], c["to"], c["latency_ms"]):
        latency[a, b] = latency[b, a] = ms
    return max(latency[u, s] for u, s in zip(srv["from_region"], srv["to_region"]))


def traffic_tbps(outcome) -> pd.Series:
    """Inter-provincial backbone traffic by year, both directions, Tbps."""
    net = outcome.results.network()
    return (net["optical_forward_tbps"] + net["optical_reverse_tbps"]).groupby(net["year"]).sum()


def electricity_twh(outcome) -> pd.Series:
    """Data-centre electricity by year, TWh (facility power x 8,760 h)."""
    e = outcome.results.energy()
    return e.groupby("year")["facility_mw"].sum() * 8760 / 1e6


def hvdc_lines(outcome) -> pd.DataFrame:
    """HVDC in service with its yearly load factor (busier direction) and full-load hours."""
    net = outcome.results.network()
    lines = net[net["hvdc_in_service_gw"] > 1e-6][["from", "to", "year", "hvdc_in_service_gw", "hvdc_utilization",
                                                    "hvdc_peak_utilization"]].copy()
    lines["full_load_hours"] = lines["hvdc_utilization"] * 8760
    return lines


def west_energy_cost_per_mtok(outcome, year: int) -> float:
    """USD of power bought in the western zone per million tokens served there (every workload,
    conventional IT in its token-equivalents)."""
    zone = outcome.case.regions["zone"]
    e = outcome.results.energy()
    e = e[(e["year"] == year) & (e["region"].map(zone) == "west")]
    srv = outcome.results.serving()
    srv = srv[(srv["year"] == year) & (srv["to_region"].map(zone) == "west")]
    return e["energy_cost"].sum() / (srv["ttok_per_day"].sum() * 365 * 1e6)


def unserved_share(outcome) -> float:
    u = outcome.results.unserved()
    return float(u["ttok_per_day"].sum() / outcome.results.data.demand.sum())
