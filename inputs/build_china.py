"""Build the bundled national case, China's 31 mainland provinces, from documented facts.

    python inputs/build_china.py          # writes inputs/china_provinces/*.csv and inputs/china_provinces.xlsx

Every number below is either a sourced fact (a key into inputs/SOURCES.md, written in the
`source` column of the sheets) or an assumption marked ``A`` with its reasoning in SOURCES.md.
The CSV folder is the diffable record; the workbook is generated from it, never edited by hand
(tests/test_dataset.py checks both against this script).

Money is in USD at 7.2 CNY/USD.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
CNY_PER_USD = 7.2
YEARS = list(range(2026, 2036))

# ---------------------------------------------------------------------------------------------
# Provinces, one row each:
#   point     where the data centres are: the national cluster city where there is one, else the
#             capital (GeoNames city points; SOURCES.md "locations")
#   racks_k   2.5 kW standard racks in service at the start of 2026, thousands: the mid-2025
#             national 10.85 M (CAICT) apportioned by hub shares, plus the second-half-2025
#             additions in the western hubs' 2025 targets (SOURCES.md "existing racks")
#   max_k     most racks by 2035, build_k most racks built a year: hubs from their announced
#             pipelines (A); outside the hubs 3x today and 15 % of today a year, since no new large
#             data centres are allowed there in principle but edge capacity grows (A)
#   pue       horizon average of the 1.42 fleet and new builds at the hub targets (1.25 east,
#             1.2 west) (SOURCES.md "pue")
#   grid      delivered price for large data centres, USD/MWh (SOURCES.md "prices")
#   green_price, green_mw  delivered green power (PPA + ~0.1 yuan/kWh transmission), USD/MWh, and
#             the average MW data centres can contract today (A)
#   co2       MEE provincial average grid emission factor, t/MWh
#   gdp       2024 GDP, trillion yuan: the proxy sharing out AI demand
PROVINCES = [
    ("beijing", "Beijing", "Beijing", 39.9075, 116.3972, "east", "JJJ", 800, 1400, 80, 1.30, 80, 85, 150, 0.558, 5.0),
    ("tianjin", "Tianjin", "Tianjin", 39.1422, 117.1767, "east", "JJJ", 280, 1000, 80, 1.30, 76, 80, 150, 0.704, 1.8),
    ("hebei", "Hebei (Zhangjiakou)", "Zhangjiakou", 40.7834, 114.8714, "east", "JJJ", 1020, 4000, 350, 1.25, 65, 60, 1500, 0.725, 4.7),
    ("shanxi", "Shanxi", "Taiyuan", 37.8694, 112.5603, "central", "", 220, 660, 33, 1.35, 60, 58, 800, 0.710, 2.5),
    ("inner_mongolia", "Inner Mongolia (Horinger)", "Hohhot", 40.8106, 111.6522, "west", "Inner Mongolia", 1000, 5000, 500, 1.20, 50, 51, 6000, 0.685, 2.6),
    ("liaoning", "Liaoning", "Shenyang", 41.7922, 123.4328, "east", "", 180, 540, 27, 1.35, 72, 74, 400, 0.563, 3.2),
    ("jilin", "Jilin", "Changchun", 43.8800, 125.3228, "central", "", 70, 210, 10, 1.30, 68, 60, 600, 0.493, 1.4),
    ("heilongjiang", "Heilongjiang", "Harbin", 45.7500, 126.6500, "central", "", 90, 270, 14, 1.30, 68, 60, 600, 0.537, 1.6),
    ("shanghai", "Shanghai (Qingpu)", "Qingpu", 31.1539, 121.1141, "east", "YRD", 720, 1300, 80, 1.30, 82, 87, 100, 0.585, 5.4),
    ("jiangsu", "Jiangsu", "Nanjing", 32.0617, 118.7778, "east", "YRD", 820, 3000, 250, 1.30, 78, 82, 400, 0.598, 13.7),
    ("zhejiang", "Zhejiang", "Hangzhou", 30.2936, 120.1614, "east", "YRD", 560, 2500, 200, 1.30, 80, 84, 300, 0.515, 9.0),
    ("anhui", "Anhui (Wuhu)", "Wuhu", 31.3526, 118.4295, "central", "YRD", 300, 2500, 250, 1.25, 74, 77, 300, 0.678, 5.0),
    ("fujian", "Fujian", "Fuzhou", 26.0614, 119.3061, "east", "", 280, 840, 42, 1.35, 72, 74, 400, 0.409, 5.8),
    ("jiangxi", "Jiangxi", "Nanchang", 28.6833, 115.8833, "central", "", 90, 270, 14, 1.35, 74, 76, 300, 0.575, 3.4),
    ("shandong", "Shandong", "Jinan", 36.6683, 116.9972, "east", "", 480, 1440, 72, 1.35, 75, 77, 500, 0.641, 9.9),
    ("henan", "Henan", "Zhengzhou", 34.7578, 113.6486, "central", "", 320, 960, 48, 1.35, 72, 74, 400, 0.606, 6.4),
    ("hubei", "Hubei", "Wuhan", 30.5833, 114.2667, "central", "", 300, 900, 45, 1.35, 74, 70, 500, 0.436, 6.0),
    ("hunan", "Hunan", "Changsha", 28.2000, 112.9667, "central", "", 180, 540, 27, 1.35, 76, 78, 300, 0.490, 5.3),
    ("guangdong", "Guangdong (Shaoguan)", "Shaoguan", 24.8000, 113.5833, "east", "GBA", 900, 3500, 300, 1.30, 82, 85, 500, 0.440, 14.2),
    ("guangxi", "Guangxi", "Nanning", 22.8167, 108.3167, "west", "", 120, 360, 18, 1.35, 75, 65, 500, 0.404, 2.8),
    ("hainan", "Hainan", "Haikou", 20.0458, 110.3417, "east", "", 40, 120, 10, 1.40, 78, 78, 200, 0.418, 0.8),
    ("chongqing", "Chongqing", "Chongqing", 29.5603, 106.5577, "west", "Chengdu-Chongqing", 260, 2000, 200, 1.25, 75, 72, 500, 0.523, 3.2),
    ("sichuan", "Sichuan (Tianfu)", "Chengdu", 30.6667, 104.0667, "west", "Chengdu-Chongqing", 320, 2500, 250, 1.25, 65, 49, 2500, 0.140, 6.5),
    ("guizhou", "Guizhou (Gui'an)", "Guiyang", 26.5833, 106.7167, "west", "Guizhou", 700, 3000, 350, 1.20, 49, 54, 1500, 0.499, 2.3),
    ("yunnan", "Yunnan", "Kunming", 25.0389, 102.7183, "west", "", 100, 300, 15, 1.25, 55, 44, 2000, 0.107, 3.1),
    ("tibet", "Tibet", "Lhasa", 29.6500, 91.1000, "west", "", 20, 60, 10, 1.20, 60, 54, 300, 0.100, 0.28),
    ("shaanxi", "Shaanxi", "Xi'an", 34.2583, 108.9286, "west", "", 200, 600, 30, 1.30, 70, 60, 800, 0.656, 3.5),
    ("gansu", "Gansu (Qingyang)", "Qingyang", 35.7356, 107.6353, "west", "Gansu", 300, 2000, 300, 1.20, 56, 44, 2000, 0.477, 1.3),
    ("qinghai", "Qinghai", "Xining", 36.6255, 101.7574, "west", "", 50, 150, 10, 1.20, 45, 39, 3000, 0.157, 0.38),
    ("ningxia", "Ningxia (Zhongwei)", "Zhongwei", 37.5113, 105.1907, "west", "Ningxia", 720, 4000, 450, 1.20, 50, 44, 2000, 0.642, 0.55),
    ("xinjiang", "Xinjiang", "Urumqi", 43.8010, 87.6005, "west", "", 140, 420, 21, 1.25, 45, 39, 3000, 0.623, 2.0),
]
RACK_SOURCES = {
    "hebei": "Zhangjiakou 460k racks in operation (2025-06) + Langfang/Hebei metro",
    "inner_mongolia": "Horinger 32 projects, >230 bn yuan; Ulanqab GDS GW-scale (A from pipelines)",
    "guizhou": "Gui'an 14 hyperscale DCs, >4 M servers planned (A from pipeline)",
    "gansu": "Qingyang +300k racks by end of the 14th FYP plan",
    "ningxia": "Ningxia 720k standard racks by end-2025 (target)",
}
COLUMNS = ["id", "name", "point", "lat", "lon", "zone", "hub", "racks_k", "max_k", "build_k", "pue", "grid",
           "green_price", "green_mw", "co2", "gdp"]

# Rack capex (facility, per 2.5 kW standard rack): east 120 k yuan, west 80 k yuan, central in between.
RACK_CAPEX_CNY = {"east": 120_000, "central": 100_000, "west": 80_000}
RACK_FOM_SHARE = 0.03  # fixed O&M per year, share of capex (A)

# Green power available to data centres grows as the western bases come on line (A): the
# given multiple of today's green_mw holds from 2028 and from 2031.
GREEN_GROWTH = {2028: 1.5, 2031: 2.0}

# ---------------------------------------------------------------------------------------------
# Workloads: latency limit (ms, round trip), IT energy (MWh per trillion tokens), backbone
# traffic when served remotely (Gbps per trillion tokens/day), national demand in 2026
# (trillion tokens/day) and growth per year to 2030 / from 2031.
WORKLOADS = [
    # id, max_latency_ms, mwh_per_ttok, gbps_per_ttok, ttok_2026, growth_to_2030, growth_after
    ("general", 1, 1000, 4, 160.0, 0.05, 0.04),
    ("realtime", 10, 1100, 2, 42.0, 0.35, 0.12),
    ("interactive", 30, 1000, 2, 76.0, 0.40, 0.15),
    ("batch", 200, 800, 1, 22.0, 0.45, 0.15),
    ("training", None, 3000, 4, 8.0, 0.35, 0.10),
]

# Where training demand originates (model developers), share of national (A). General IT
# (conventional cloud, enterprise and government systems) stays where its data is, so it is
# placed in proportion to today's racks; the AI workloads follow each province's share of GDP.
TRAINING_ORIGIN = {"beijing": 0.35, "shanghai": 0.20, "zhejiang": 0.15, "guangdong": 0.20}

# ---------------------------------------------------------------------------------------------
# Corridors.
MS_PER_KM = 0.01        # round trip in fibre, 2 x 4.9 us/km
FIBRE_ROUTE = 1.5       # fibre route length / great circle (hub links "<= 1.5x theoretical")
HVDC_ROUTE = 1.2        # HVDC route length / great circle where no line length is known
NEAR_KM = 600           # provinces whose data-centre points are this close get an optical corridor
# Today's network (SOURCES.md "network"). A remote path's round trip is fibre propagation plus a
# fixed overhead: small between neighbours joined by direct regional fibre, larger on long-haul
# paths through the national backbone's routers and exchange points (public round trips such as
# Beijing-Shanghai, ~25-30 ms over ~1,090 km, imply ~10 ms).
OVERHEAD_NEAR_MS = 2.0
OVERHEAD_LONG_MS = 12.0
# Effective efficiency of remote serving on today's network, falling with fibre route length to
# a floor. It is a calibrated hurdle (SOURCES.md "network"): it stands for every reason remote
# work delivers less than local work today (packet loss on congested inter-provincial paths,
# which can halve distributed compute at 0.1 % loss; operations; data residency), set so that
# 2026 reproduces the observed 35-45 % utilisation of western hubs far from demand. A
# deterministic network reaches 0.98 (scenario `deterministic_network`).
EFFICIENCY_SLOPE = 0.45  # lost per 1,000 km of fibre route
EFFICIENCY_FLOOR = 0.55


def efficiency(fibre_km: float) -> float:
    return round(max(EFFICIENCY_FLOOR, 1 - EFFICIENCY_SLOPE * fibre_km / 1000), 3)


INTER_HUB_TBPS = 751.0   # existing direct inter-hub IP bandwidth, allocated by endpoint racks (A)
NEIGHBOUR_TBPS = 20.0    # existing capacity on a neighbour corridor (A)
EAST_DEMAND = ["beijing", "tianjin", "shanghai", "jiangsu", "zhejiang", "guangdong", "shandong", "fujian"]
CENTRAL_DEMAND = ["henan", "hubei", "hunan", "anhui", "shaanxi"]
WEST_HUBS = ["inner_mongolia", "guizhou", "gansu", "ningxia"]
CY_HUB = ["sichuan", "chongqing"]
ENERGY_BASES = ["xinjiang", "qinghai"]

# Existing UHV DC (and large inter-provincial) lines: (from, to, line GW, real length km, source).
# Their capacity is committed to the provincial power trade (receiving grids' prices include
# it), so none of it is free for data centres: a corridor's hvdc_existing_gw is 0 and new
# capacity along it is built at the regression cost. line_gw records the physical line.
UHV_LINES = [
    ("gansu", "zhejiang", 8, 2370, "uhv_gansu_zhejiang"),
    ("gansu", "shandong", 8, 926, "uhv_longdong_shandong"),
    ("gansu", "hunan", 8, 2383, "uhv_jiuquan_hunan"),
    ("ningxia", "zhejiang", 8, 1722, "uhv_ningdong_zhejiang"),
    ("ningxia", "hunan", 8, 1616, "uhv_ningxia_hunan"),
    ("ningxia", "shandong", 4, None, "pypsa_edges"),
    ("xinjiang", "henan", 8, 2210, "uhv_hami_zhengzhou"),
    ("xinjiang", "anhui", 12, 3293, "uhv_changji_guquan"),
    ("xinjiang", "chongqing", 8, 2290, "uhv_hami_chongqing"),
    ("qinghai", "henan", 8, 1587, "uhv_qinghai_henan"),
    ("sichuan", "jiangsu", 15.2, 2080, "uhv_baihetan_jiangsu"),
    ("sichuan", "zhejiang", 16, None, "pypsa_edges"),
    ("sichuan", "shanghai", 6.4, None, "pypsa_edges"),
    ("inner_mongolia", "shandong", 20, None, "pypsa_edges"),
    ("inner_mongolia", "jiangsu", 8, None, "pypsa_edges"),
    ("inner_mongolia", "beijing", 9, None, "pypsa_edges"),
    ("guizhou", "guangdong", 17.5, None, "pypsa_edges"),
    ("yunnan", "guangdong", 31.4, None, "pypsa_edges"),
]
# Candidate HVDC corridors with no line today (data_facts section 9.3).
HVDC_CANDIDATES = [("gansu", "guangdong"), ("ningxia", "beijing"), ("inner_mongolia", "shanghai"),
                   ("guizhou", "shanghai"), ("gansu", "shanghai")]
HVDC_MAX_GW = 16                                 # two +-800 kV lines per corridor by 2035 (A)
HVDC_USD_PER_MW_KM = 1045 / CNY_PER_USD        # regression on post-2020 8 GW lines
HVDC_USD_PER_MW_FIXED = 1.63e6 / CNY_PER_USD    # converters and terminals
# Fixed cost per GW-year of HVDC for data centres: line O&M, 2 % of a 2,000 km line's capex
# (PyPSA-China), plus the transmission and distribution charges imported power still pays in the
# receiving province (about 0.15 yuan/kWh, A), charged on capacity since the load is flat.
HVDC_FOM_USD_PER_GW_YEAR = 10e6 + 0.15 / CNY_PER_USD * 1000 * 8760 * 1000
CONVERTER_EFFICIENCY = 0.98                      # PyPSA-China static DC link efficiency
LINE_EFFICIENCY_PER_1000KM = 0.977

# ---------------------------------------------------------------------------------------------
# Policies (national programme targets), switchable in scenarios.
POLICIES = [
    ("min_green_share", 2026, 0.5, "west", "policy_green_hubs: >80 % green for new hub DCs, applied at 50 % to all western racks (A)"),
    ("min_zone_capacity_share", 2028, 0.25, "west", "policy_hub_share: >=60 % of new compute in hubs, as a floor on the west's share of racks (A)"),
]


def great_circle_km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def provinces() -> pd.DataFrame:
    return pd.DataFrame(PROVINCES, columns=COLUMNS).set_index("id", drop=False)


def settings() -> pd.DataFrame:
    rows = [
        ("start_year", 2026, "first year with the March 2026 token figure"),
        ("end_year", 2035, "ten planning years"),
        ("year_step", 1, ""),
        ("discount_rate", 0.07, "A: real cost of capital for infrastructure"),
        ("currency", "USD", "7.2 CNY/USD"),
        ("rack_kw", 2.5, "standard rack (biaozhun jijia) = 2.5 kW"),
        ("max_utilization", 0.85, "A: headroom for peaks and maintenance"),
        ("min_utilization", 0.65, "NDRC cluster replies: rack utilisation >= 65 %"),
        ("unserved_penalty", 2.0, "A: USD per million tokens bought from abroad, all-in"),
        ("ms_per_km", 0.01, "2 x 4.9 us/km round trip in fibre"),
        ("latency_overhead_ms", OVERHEAD_NEAR_MS, "A: direct regional fibre; corridors give their own latency"),
        ("rack_life", 20, "A: facility life (IT is refreshed inside it)"),
        ("optical_life", 15, "A: transmission equipment"),
        ("hvdc_life", 40, "PyPSA-China"),
        ("optical_capex_per_tbps_km", 3000, "TeleGeography lease ~470 USD/Tbps-km-yr as capex (L)"),
        ("optical_fixed_capex_per_tbps", 100000, "A: transponders at both ends"),
        ("optical_fom", 20000, "A"),
        ("hvdc_capex_per_gw_km", round(HVDC_USD_PER_MW_KM * 1000), "regression 1,045 yuan/MW-km"),
        ("hvdc_fixed_capex_per_gw", round(HVDC_USD_PER_MW_FIXED * 1000), "regression 1.63 M yuan/MW"),
        ("hvdc_fom", round(HVDC_FOM_USD_PER_GW_YEAR), "line O&M (2 % of capex, PyPSA-China) + receiving-end T&D charges (A)"),
        ("hvdc_loss_per_1000km", 0.023, "PyPSA-China 0.977 per 1,000 km (corridors give full losses)"),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "source"])


def regions(p: pd.DataFrame) -> pd.DataFrame:
    capex = p["zone"].map(RACK_CAPEX_CNY) / CNY_PER_USD
    out = pd.DataFrame({
        "region": p["id"], "name": p["name"], "lat": p["lat"], "lon": p["lon"], "zone": p["zone"], "hub": p["hub"],
        "point": p["point"], "pue": p["pue"], "existing_racks": p["racks_k"] * 1000,
        "max_racks": p["max_k"] * 1000, "max_build_per_year": p["build_k"] * 1000,
        "rack_capex": capex.round(0), "rack_fom": (capex * RACK_FOM_SHARE).round(0),
        "grid_price": p["grid"], "grid_co2": p["co2"], "green_price": p["green_price"], "green_mw": p["green_mw"],
        "source": [RACK_SOURCES.get(r, "hub share of national racks") for r in p["id"]],
    })
    return out.reset_index(drop=True)


def region_years(p: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for rid, mw in zip(p["id"], p["green_mw"]):
        for year, factor in GREEN_GROWTH.items():
            rows.append((rid, year, mw * factor, "A: green bases under construction"))
    return pd.DataFrame(rows, columns=["region", "year", "green_mw", "source"])


def workloads() -> pd.DataFrame:
    return pd.DataFrame([(w, lat if lat is not None else "", mwh, gbps) for w, lat, mwh, gbps, *_ in WORKLOADS],
                        columns=["workload", "max_latency_ms", "mwh_per_ttok", "gbps_per_ttok"])


def national_path(start: float, to_2030: float, after: float) -> list[float]:
    values, v = [], start
    for y in YEARS:
        values.append(v)
        v *= 1 + (to_2030 if y < 2030 else after)
    return values


def demand(p: pd.DataFrame) -> pd.DataFrame:
    gdp_share = p["gdp"] / p["gdp"].sum()
    rest = 1 - sum(TRAINING_ORIGIN.values())
    others = gdp_share.drop(list(TRAINING_ORIGIN))
    training_share = pd.concat([pd.Series(TRAINING_ORIGIN), others / others.sum() * rest]).reindex(p.index)
    rack_share = p["racks_k"] / p["racks_k"].sum()
    share_of = {"training": training_share, "general": rack_share}
    rows = []
    for w, _lat, _mwh, _gbps, start, g1, g2 in WORKLOADS:
        path = national_path(start, g1, g2)
        share = share_of.get(w, gdp_share)
        for rid in p.index:
            rows.append([rid, w] + [round(v * share[rid], 4) for v in path])
    return pd.DataFrame(rows, columns=["region", "workload"] + YEARS)


def corridors(p: pd.DataFrame) -> pd.DataFrame:
    point = {r: (la, lo) for r, la, lo in zip(p["id"], p["lat"], p["lon"])}
    pairs: dict[tuple, dict] = {}

    def key(a, b):
        return (a, b) if (a, b) in pairs or (b, a) not in pairs else (b, a)

    def add(a, b, kind):
        k = key(a, b)
        pairs.setdefault(k, {"kinds": set()})["kinds"].add(kind)

    ids = list(p.index)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if great_circle_km(point[a], point[b]) <= NEAR_KM:
                add(a, b, "neighbour")
    for west in WEST_HUBS + CY_HUB + ENERGY_BASES:
        for east in EAST_DEMAND + (CENTRAL_DEMAND if west in WEST_HUBS else []):
            if west != east:
                add(west, east, "hub")
    for a, b, *_ in UHV_LINES:
        add(a, b, "uhv")
    for a, b in HVDC_CANDIDATES:
        add(a, b, "candidate")

    hubs = p[p["hub"] != ""].index
    rows = []
    for (a, b), info in pairs.items():
        gc = great_circle_km(point[a], point[b])
        fibre = gc * FIBRE_ROUTE
        inter_hub = a in hubs and b in hubs and p.at[a, "hub"] != p.at[b, "hub"]
        line = next((l for l in UHV_LINES if {l[0], l[1]} == {a, b}), None)
        hvdc_km = (line[3] if line and line[3] else gc * HVDC_ROUTE) if (line or "candidate" in info["kinds"]) else None
        near = gc <= NEAR_KM
        row = {
            "from": a, "to": b, "distance_km": round(fibre, 1),
            "latency_ms": round(fibre * MS_PER_KM + (OVERHEAD_NEAR_MS if near else OVERHEAD_LONG_MS), 2),
            "efficiency": efficiency(fibre),
            "inter_hub": inter_hub, "weight": p.at[a, "racks_k"] * p.at[b, "racks_k"] if inter_hub else 0.0,
            "optical_existing_tbps": NEIGHBOUR_TBPS if "neighbour" in info["kinds"] else 0.0,
        }
        if hvdc_km is None:
            row.update(hvdc_max_gw=0, hvdc_capex="", hvdc_loss="", hvdc_km="", line_gw="")
        else:
            capex = (HVDC_USD_PER_MW_FIXED + HVDC_USD_PER_MW_KM * hvdc_km) * 1000
            loss = 1 - CONVERTER_EFFICIENCY * LINE_EFFICIENCY_PER_1000KM ** (hvdc_km / 1000)
            row.update(hvdc_max_gw=HVDC_MAX_GW, hvdc_capex=round(capex), hvdc_loss=round(loss, 4), hvdc_km=round(hvdc_km),
                       line_gw=line[2] if line else 0)
        row["source"] = ";".join(sorted(info["kinds"])) + (f";{line[4]}" if line else "")
        rows.append(row)
    c = pd.DataFrame(rows)
    weights = c["weight"] / c["weight"].sum()
    c["optical_existing_tbps"] = (c["optical_existing_tbps"] + weights * INTER_HUB_TBPS).round(1)
    c = c.drop(columns=["inter_hub", "weight"])
    order = ["from", "to", "distance_km", "latency_ms", "efficiency", "optical_existing_tbps", "hvdc_max_gw", "hvdc_capex",
             "hvdc_loss", "hvdc_km", "line_gw", "source"]
    return c[order].sort_values(["from", "to"]).reset_index(drop=True)


def policies() -> pd.DataFrame:
    return pd.DataFrame(POLICIES, columns=["policy", "year", "value", "zone", "source"])


# ---------------------------------------------------------------------------------------------
# Scenarios (inputs/scenarios/*.yaml). Demand variants change each AI workload's growth rate
# (to 2030 and after) with one `growth` change.
LOW_GROWTH, HIGH_GROWTH = 0.5, 1.5   # growth rates x0.5 (low) and x1.5 (high) (A)
AI_WORKLOADS = ("realtime", "interactive", "batch", "training")
# Announced provincial projects forced in at least at these sizes (racks, kind min): the
# "bidding wars" (data_facts 1.3, 2.4; M). Spread over the years the announcements name.
PROVINCIAL_PLANS = [
    ("ningxia", 2027, 400_000, "Zhongjin Zhongwei project, 820k racks (Ningxia Daily ~2025-09)"),
    ("ningxia", 2028, 420_000, "Zhongjin Zhongwei project, 820k racks (Ningxia Daily ~2025-09)"),
    ("gansu", 2027, 200_000, "Qingyang +800k racks by 2030 (Qingyang factor plan)"),
    ("gansu", 2028, 200_000, "Qingyang +800k racks by 2030 (Qingyang factor plan)"),
    ("gansu", 2029, 200_000, "Qingyang +800k racks by 2030 (Qingyang factor plan)"),
    ("gansu", 2030, 200_000, "Qingyang +800k racks by 2030 (Qingyang factor plan)"),
    ("guangdong", 2026, 250_000, "Shaoguan 500k racks target (Southern Finance 2022-08-02)"),
    ("guangdong", 2027, 250_000, "Shaoguan 500k racks target (Southern Finance 2022-08-02)"),
    ("inner_mongolia", 2026, 250_000, "Horinger 32 projects, >230 bn yuan agreed (A: 1 M racks of it)"),
    ("inner_mongolia", 2027, 250_000, "Horinger 32 projects, >230 bn yuan agreed (A: 1 M racks of it)"),
    ("inner_mongolia", 2028, 250_000, "Horinger 32 projects, >230 bn yuan agreed (A: 1 M racks of it)"),
    ("inner_mongolia", 2029, 250_000, "Horinger 32 projects, >230 bn yuan agreed (A: 1 M racks of it)"),
    ("guizhou", 2026, 200_000, "Gui'an >4 M servers planned (A: 1 M racks)"),
    ("guizhou", 2027, 200_000, "Gui'an >4 M servers planned (A: 1 M racks)"),
    ("guizhou", 2028, 200_000, "Gui'an >4 M servers planned (A: 1 M racks)"),
    ("guizhou", 2029, 200_000, "Gui'an >4 M servers planned (A: 1 M racks)"),
    ("guizhou", 2030, 200_000, "Gui'an >4 M servers planned (A: 1 M racks)"),
    ("anhui", 2027, 250_000, "Wuhu cluster, >200 bn yuan attracted (A: 0.5 M racks)"),
    ("anhui", 2028, 250_000, "Wuhu cluster, >200 bn yuan attracted (A: 0.5 M racks)"),
]


def demand_changes(multiple: float) -> list[dict]:
    """Every AI workload's demand on a path whose year-on-year growth is ``multiple`` times the
    base one (the scenario's `growth` change); the first year stays."""
    return [{"growth": {"sheet": "demand", "column": "ttok_per_day", "by": multiple,
                        "where": {"workload": list(AI_WORKLOADS)}}}]


def scenarios() -> dict[str, dict]:
    case = "../china_provinces.xlsx"
    low, high = demand_changes(LOW_GROWTH), demand_changes(HIGH_GROWTH)
    return {
        "base": {"name": "base", "inputs": case, "description":
                 "The national case as documented in inputs/SOURCES.md: today's network, the programme's policies, "
                 "no provincial plans forced in.", "low_demand": "low_demand.yaml"},
        "low_demand": {"name": "low_demand", "inputs": case, "description":
                       "AI demand grows half as fast as in the base case (growth rates x0.5 for every AI workload); "
                       "conventional IT as in the base case.", "changes": low},
        "high_demand": {"name": "high_demand", "inputs": case, "description":
                        "AI demand grows 1.5 times as fast as in the base case (growth rates x1.5).", "changes": high},
        "green_mandate": {"name": "green_mandate", "inputs": case, "description":
                          "The programme's '>80 % green power for hub data centres': 80 % of the power bought in the "
                          "western zone from 2026, and 50 % in the eastern zone from 2030 (the eastern hubs share the "
                          "zone with other provinces).", "changes": [
                              {"set": {"sheet": "policies", "column": "value", "value": 0.8,
                                       "where": {"policy": "min_green_share", "zone": "west"}}},
                              {"add": {"sheet": "policies", "rows": [
                                  {"policy": "min_green_share", "year": 2030, "value": 0.5, "zone": "east",
                                   "source": "programme green target, phased in (A)"}]}}]},
        "deterministic_network": {"name": "deterministic_network", "inputs": case, "description":
                                  "Every corridor as efficient as a deterministic network (0.98 of local compute, "
                                  "CENI 2025) instead of today's calibrated effective efficiency.", "changes": [
                                      {"set": {"sheet": "corridors", "column": "efficiency", "value": 0.98}}]},
        "provincial_plans": {"name": "provincial_plans", "inputs": case, "description":
                             "Announced provincial projects forced in as minimum builds (the 'bidding wars'): "
                             "Zhongwei, Qingyang, Shaoguan, Horinger, Gui'an, Wuhu.", "changes": [
                                 {"add": {"sheet": "planned_builds", "rows": [
                                     {"region": r, "year": y, "racks": n, "kind": "min", "source": src}
                                     for r, y, n, src in PROVINCIAL_PLANS]}}]},
        "cheap_west_power": {"name": "cheap_west_power", "inputs": case, "description":
                             "Western power 30 % cheaper (grid and green), towards the low end of the seeds' "
                             "0.018-0.042 USD/kWh for western green contracts.", "changes": [
                                 {"scale": {"sheet": "regions", "column": "grid_price", "by": 0.7,
                                            "where": {"zone": "west"}}},
                                 {"scale": {"sheet": "regions", "column": "green_price", "by": 0.7,
                                            "where": {"zone": "west"}}}]},
        "uncertain_demand": {"name": "uncertain_demand", "inputs": case, "description":
                             "One build plan for three demand futures: low (growth x0.5, p=0.25), base (p=0.5) and "
                             "high (growth x1.5, p=0.25).", "futures": {
                                 "low": {"probability": 0.25, "changes": low},
                                 "base": {"probability": 0.5},
                                 "high": {"probability": 0.25, "changes": high}}},
    }


def scenario_text(spec: dict) -> str:
    head = ("# Generated by inputs/build_china.py (see docs/scenarios.md); edit the script, not this file.\n")
    return head + yaml.safe_dump(spec, sort_keys=False, width=110)


def build() -> dict[str, pd.DataFrame]:
    p = provinces()
    return {
        "settings": settings(),
        "regions": regions(p),
        "region_years": region_years(p),
        "workloads": workloads(),
        "demand": demand(p),
        "corridors": corridors(p),
        "policies": policies(),
    }


def write(target: Path = HERE) -> None:
    sys.path.insert(0, str(HERE.parent))
    from planner.case.writing import csv_folder_to_workbook

    folder = target / "china_provinces"
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in build().items():
        df.to_csv(folder / f"{name}.csv", index=False)
    csv_folder_to_workbook(folder, target / "china_provinces.xlsx")
    (target / "scenarios").mkdir(exist_ok=True)
    for name, spec in scenarios().items():
        (target / "scenarios" / f"{name}.yaml").write_text(scenario_text(spec))


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
