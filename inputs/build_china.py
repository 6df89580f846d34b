"""Build the bundled national case, China's 31 mainland provinces, from documented facts.

    pip install -e '.[data]'              # pvlib, for the sun's position at each province
    python inputs/build_china.py          # writes inputs/china_provinces/*.csv, inputs/china_provinces.xlsx
                                          # and inputs/scenarios/*.yaml

Every number below is either a sourced fact (a key into inputs/SOURCES.md, written in the
`source` column of the sheets) or an assumption marked ``A`` with its reasoning in SOURCES.md.
One constant is calibrated, and says to what: the backbone traffic per MW of remote work
(``GBPS_PER_REMOTE_MW``, to the observed ~120 Tbps of 2026). The CSV folder is the diffable record;
the workbook is generated from it, never edited by hand (tests/test_dataset.py checks both
against this script).

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


def usd_per_mwh(yuan_per_kwh: float) -> float:
    return yuan_per_kwh * 1000 / CNY_PER_USD


# ---------------------------------------------------------------------------------------------
# Provinces, one row each:
#   point     where the data centres are: the national cluster city where there is one, else the
#             capital (GeoNames city points; SOURCES.md "locations")
#   racks_k   2.5 kW standard racks in service at the start of 2026, thousands, by hub share, scaled
#             to the national total; None where a reported stock is used (REPORTED_RACKS_K below)
#   pue       horizon average of the 1.42 fleet and new builds at the hub targets (SOURCES.md "pue")
#   grid      delivered price of grid power for large data centres, USD/MWh (SOURCES.md "prices")
#   green_mw  average MW of green power data centres can contract today (A)
#   gdp       2024 GDP, trillion yuan: the proxy sharing out AI demand
PROVINCES = [
    ("beijing", "Beijing", "Beijing", 39.9075, 116.3972, "east", "JJJ", 800, 1.30, 80, 150, 5.0),
    ("tianjin", "Tianjin", "Tianjin", 39.1422, 117.1767, "east", "JJJ", 280, 1.30, 76, 150, 1.8),
    ("hebei", "Hebei (Zhangjiakou)", "Zhangjiakou", 40.7834, 114.8714, "east", "JJJ", None, 1.25, 65, 1500, 4.7),
    ("shanxi", "Shanxi", "Taiyuan", 37.8694, 112.5603, "central", "", 220, 1.35, 60, 800, 2.5),
    ("inner_mongolia", "Inner Mongolia (Horinger)", "Hohhot", 40.8106, 111.6522, "west", "Inner Mongolia", None, 1.20, 50, 6000, 2.6),
    ("liaoning", "Liaoning", "Shenyang", 41.7922, 123.4328, "east", "", 180, 1.35, 72, 400, 3.2),
    ("jilin", "Jilin", "Changchun", 43.8800, 125.3228, "central", "", 70, 1.30, 68, 600, 1.4),
    ("heilongjiang", "Heilongjiang", "Harbin", 45.7500, 126.6500, "central", "", 90, 1.30, 68, 600, 1.6),
    ("shanghai", "Shanghai (Qingpu)", "Qingpu", 31.1539, 121.1141, "east", "YRD", 720, 1.30, 82, 100, 5.4),
    ("jiangsu", "Jiangsu", "Nanjing", 32.0617, 118.7778, "east", "YRD", 820, 1.30, 78, 400, 13.7),
    ("zhejiang", "Zhejiang", "Hangzhou", 30.2936, 120.1614, "east", "YRD", 560, 1.30, 80, 300, 9.0),
    ("anhui", "Anhui (Wuhu)", "Wuhu", 31.3526, 118.4295, "central", "YRD", 300, 1.25, 74, 300, 5.0),
    ("fujian", "Fujian", "Fuzhou", 26.0614, 119.3061, "east", "", 280, 1.35, 72, 400, 5.8),
    ("jiangxi", "Jiangxi", "Nanchang", 28.6833, 115.8833, "central", "", 90, 1.35, 74, 300, 3.4),
    ("shandong", "Shandong", "Jinan", 36.6683, 116.9972, "east", "", 480, 1.35, 75, 500, 9.9),
    ("henan", "Henan", "Zhengzhou", 34.7578, 113.6486, "central", "", 320, 1.35, 72, 400, 6.4),
    ("hubei", "Hubei", "Wuhan", 30.5833, 114.2667, "central", "", 300, 1.35, 74, 500, 6.0),
    ("hunan", "Hunan", "Changsha", 28.2000, 112.9667, "central", "", 180, 1.35, 76, 300, 5.3),
    ("guangdong", "Guangdong (Shaoguan)", "Shaoguan", 24.8000, 113.5833, "east", "GBA", 900, 1.30, 63, 500, 14.2),
    ("guangxi", "Guangxi", "Nanning", 22.8167, 108.3167, "west", "", 120, 1.35, 75, 500, 2.8),
    ("hainan", "Hainan", "Haikou", 20.0458, 110.3417, "east", "", 40, 1.40, 78, 200, 0.8),
    ("chongqing", "Chongqing", "Chongqing", 29.5603, 106.5577, "west", "Chengdu-Chongqing", 260, 1.25, 75, 500, 3.2),
    ("sichuan", "Sichuan (Tianfu)", "Chengdu", 30.6667, 104.0667, "west", "Chengdu-Chongqing", 320, 1.25, 65, 2500, 6.5),
    ("guizhou", "Guizhou (Gui'an)", "Guiyang", 26.5833, 106.7167, "west", "Guizhou", None, 1.20, 49, 1500, 2.3),
    ("yunnan", "Yunnan", "Kunming", 25.0389, 102.7183, "west", "", 100, 1.25, 55, 2000, 3.1),
    ("tibet", "Tibet", "Lhasa", 29.6500, 91.1000, "west", "", 20, 1.20, 60, 300, 0.28),
    ("shaanxi", "Shaanxi", "Xi'an", 34.2583, 108.9286, "west", "", 200, 1.30, 70, 800, 3.5),
    ("gansu", "Gansu (Qingyang)", "Qingyang", 35.7356, 107.6353, "west", "Gansu", None, 1.20, 56, 2000, 1.3),
    ("qinghai", "Qinghai", "Xining", 36.6255, 101.7574, "west", "", 50, 1.20, 45, 3000, 0.38),
    ("ningxia", "Ningxia (Zhongwei)", "Zhongwei", 37.5113, 105.1907, "west", "Ningxia", None, 1.20, 50, 2000, 0.55),
    ("xinjiang", "Xinjiang", "Urumqi", 43.8010, 87.6005, "west", "", 140, 1.25, 45, 3000, 2.0),
]
COLUMNS = ["id", "name", "point", "lat", "lon", "zone", "hub", "racks_k", "pue", "grid", "green_mw", "gdp"]

# National stock: 10.85 M standard racks in mid-2025 (CAICT) + 0.73 M in the second half (A).
NATIONAL_RACKS_K = 11_580
# Reported stocks replace the apportioned figures (data_facts_v2 section 10): the western hubs'
# earlier figures were their 2025 targets. The rest of the national total is shared out over the
# other provinces in proportion to the hub-share apportionment (racks_k above).
REPORTED_RACKS_K = {
    "hebei": (1020, "Zhangjiakou 460k racks in operation (2025-06) + Langfang and the rest of Hebei by hub share"),
    "inner_mongolia": (300, "Horinger ~150k standard racks (Xinhua) + Ulanqab's 11 DCs (A: the same again)"),
    "guizhou": (250, "A: Gui'an 14 hyperscale DCs; stock not retrieved, bracketed by the western hubs' reported stocks"),
    "gansu": (80, "Qingyang 31k racks (2025-09) + Lanzhou and the rest of Gansu (A: 50k)"),
    "ningxia": (200, "Zhongwei ~0.1-0.2 M (A, below the 260k 2025 target; 720k was the region's 2025 target)"),
}

# Occupancy (上架率) of the existing fleet: servers fitted / shell power, by belt (SOURCES.md
# "occupancy"). Weighted by today's racks it gives the national cluster average, 62.7 % (2024).
OCCUPANCY = {"east": 0.68, "central": 0.60, "northwest": 0.45, "southwest": 0.50}
# Load of today's fitted servers, by belt (A, bracketed by the sources: national data-centre
# power is 40-50 % of rated IT; many new western DCs run at 20-30 % load, Reuters 2025):
# it places today's conventional IT, so the western hubs' servers start under-used.
LOAD_FACTOR = {"east": 0.6, "central": 0.5, "northwest": 0.3, "southwest": 0.35}
NORTHWEST = {"inner_mongolia", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"}

# Announced hub pipelines, thousand racks (SOURCES.md "pipelines"): built over four years at most
# (A: construction 2-3 years, modular 4 months), and once more in the 2030s.
PIPELINE_K = {
    "ningxia": (820, "Zhongjin Zhongwei project, 820k racks, started 2025-05"),
    "gansu": (800, "Qingyang +800k racks by 2030"),
    "inner_mongolia": (1000, "A: Horinger's 32 projects, >230 bn yuan agreed"),
    "guizhou": (1000, "A: Gui'an >4 M servers planned, ~4 servers a rack"),
    "guangdong": (500, "Shaoguan 500k racks target"),
    "anhui": (600, "Wuhu >600k racks under construction (2024-09)"),
    "hebei": (500, "A: Zhangjiakou and Langfang expansion"),
    "sichuan": (500, "A: Tianfu cluster, totals not retrieved"),
    "chongqing": (300, "A: Chongqing cluster, totals not retrieved"),
    "jiangsu": (400, "A: YRD demo zone, totals not retrieved"),
    "zhejiang": (400, "A: YRD demo zone, totals not retrieved"),
    "tianjin": (150, "A: JJJ hub outside Beijing"),
}
PIPELINE_YEARS = 4
# Beijing: no new data centres in the core districts and total-quantity control (H); Shanghai:
# reduce-and-replace for new capacity (H). Outside the hubs "no new large data centres in
# principle" (H), but edge capacity grows: 2.5x today, 15 % of today a year (A).
SHANGHAI_GROWTH = 0.10
OUTSIDE_HUB_MAX, OUTSIDE_HUB_BUILD = 2.5, 0.15

# Rack capex (facility, per 2.5 kW standard rack): east 120 k yuan, west 80 k yuan, central in between.
RACK_CAPEX_CNY = {"east": 120_000, "central": 100_000, "west": 80_000}
RACK_FOM_SHARE = 0.03       # fixed O&M per year, share of capex (A)
SERVER_CAPEX_USD_PER_KW = 12_000   # A: AI servers 15-25k USD/kW (sourced), general ~8-10k (A), ~1/4 AI
SERVER_FOM_SHARE = 0.03     # A

# ---------------------------------------------------------------------------------------------
# Power prices, charges and emissions.
# MEE/NBS 2022 provincial average grid emission factors, t CO2/MWh (data_facts_v2 6.2); Tibet
# is not in the table (A: 0.1, hydro and solar).
GRID_CO2_2022 = {
    "beijing": 0.5580, "tianjin": 0.7041, "hebei": 0.7252, "shanxi": 0.7096, "inner_mongolia": 0.6849,
    "liaoning": 0.5626, "jilin": 0.4932, "heilongjiang": 0.5368, "shanghai": 0.5849, "jiangsu": 0.5978,
    "zhejiang": 0.5153, "anhui": 0.6782, "fujian": 0.4092, "jiangxi": 0.5752, "shandong": 0.6410,
    "henan": 0.6058, "hubei": 0.4364, "hunan": 0.4900, "guangdong": 0.4403, "guangxi": 0.4044,
    "hainan": 0.4184, "chongqing": 0.5227, "sichuan": 0.1404, "guizhou": 0.4989, "yunnan": 0.1073,
    "tibet": 0.1, "shaanxi": 0.6558, "gansu": 0.4772, "qinghai": 0.1567, "ningxia": 0.6423, "xinjiang": 0.6231,
}
# Provincial transmission and distribution charge, 220 kV and above, yuan/MWh (NDRC 4th period,
# 2026): charged on local and imported power alike. Provinces not transcribed: 55 (A, the middle).
TD_CHARGE = {"beijing": 150, "shanghai": 85.1, "zhejiang": 66.3, "jiangsu": 51.8, "guangdong": 44.9,
             "gansu": 69.3, "ningxia": 49.1, "inner_mongolia": 42.9, "guizhou": 46.8, "qinghai": 60}
TD_DEFAULT = 55.0
# Sending-province export charge, yuan/kWh (NDRC 2026); 0.03 where none is listed.
EXPORT_CHARGE = {"gansu": 0.028, "ningxia": 0.025, "qinghai": 0.0339, "guizhou": 0.0302, "inner_mongolia": 0.03,
                 "xinjiang": 0.0343, "sichuan": 0.035, "yunnan": 0.0478}
EXPORT_DEFAULT = 0.03
# Regional grid charge, yuan/kWh, by the sending province's regional grid (NDRC 2026). China
# Southern Grid's lines are priced per line and no regional charge is listed (0, A).
REGIONAL_CHARGE = {"north": 0.0108, "east": 0.0092, "central": 0.0256, "northeast": 0.0164, "northwest": 0.0121,
                   "south": 0.0}
REGIONAL_GRID = {
    **dict.fromkeys(["beijing", "tianjin", "hebei", "shanxi", "shandong", "inner_mongolia"], "north"),
    **dict.fromkeys(["shanghai", "jiangsu", "zhejiang", "anhui", "fujian"], "east"),
    **dict.fromkeys(["henan", "hubei", "hunan", "jiangxi", "sichuan", "chongqing", "tibet"], "central"),
    **dict.fromkeys(["liaoning", "jilin", "heilongjiang"], "northeast"),
    **dict.fromkeys(["shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"], "northwest"),
    **dict.fromkeys(["guangdong", "guangxi", "yunnan", "guizhou", "hainan"], "south"),
}
# Green power. West: a wind or solar (hydro in the south-west) contract plus the province's T&D
# charge; Mengdong wind traded at 0.265 yuan/kWh (M), the other bases 0.26-0.28 (A). East and
# centre: grid power plus a green certificate, ~2 yuan/MWh (M: GEC average April 2025).
GREEN_PPA = {"inner_mongolia": 0.265, "sichuan": 0.28, "yunnan": 0.28, "tibet": 0.28, "guizhou": 0.28,
             "chongqing": 0.28, "guangxi": 0.28}
GREEN_PPA_DEFAULT = 0.26
GEC_YUAN_PER_MWH = 2.0
# Green power available to data centres grows as the western bases come on line (A): the
# given multiple of today's green_mw holds from 2028 and from 2031.
GREEN_GROWTH = {2028: 1.5, 2031: 2.0}

# ---------------------------------------------------------------------------------------------
# Time slices: one representative day of six four-hour slices (SOURCES.md "time slices").
SLICE_HOURS = 4
SLICES = [f"h{h:02d}" for h in range(0, 24, SLICE_HOURS)]
# Time-of-use multipliers by hour. East and centre (and the southern grid): Guangdong's windows
# (valley 0-8 h, flat 8-10 and 22-24, peak 10-14 and 18-22, critical 14-18; L) at its ratios
# 0.33/0.68/1.05/1.25 yuan/kWh; north-west and Inner Mongolia: Gansu's (flat 23-7 h, peak 7-9 and
# 17-23 at 150 %, midday valley 9-17 at 50 %; L). Each is normalised to an hours-weighted mean of 1,
# so the yearly average price stays the sourced delivered price.
TOU_EAST = [0.33] * 8 + [0.68] * 2 + [1.05] * 4 + [1.25] * 4 + [1.05] * 4 + [0.68] * 2
TOU_WEST = [1.0] * 7 + [1.5] * 2 + [0.5] * 8 + [1.5] * 6 + [1.0]
# Green supply mix (solar, wind; the rest is hydro or other flat supply) (A: broad installed mix).
GREEN_MIX = {
    **dict.fromkeys(["gansu", "ningxia", "qinghai", "xinjiang", "shaanxi", "hebei"], (0.5, 0.5)),
    "inner_mongolia": (0.3, 0.7),
    **dict.fromkeys(["sichuan", "yunnan", "tibet"], (0.2, 0.1)),
    **dict.fromkeys(["guizhou", "chongqing", "guangxi"], (0.3, 0.2)),
}
GREEN_MIX_DEFAULT = (0.6, 0.3)
# Onshore wind in northern China blows harder at night (A), by slice, mean 1.
WIND_SHAPE = [1.2, 1.1, 0.85, 0.8, 0.95, 1.1]
# Demand through the day, by slice, mean 1 (A): users' inference follows the day (Chinese
# internet traffic peaks in the evening); conventional IT a little; batch and training are flat
# and shiftable; export users are awake during the Chinese night.
DEMAND_SHAPE = {
    "realtime": [0.45, 0.55, 1.2, 1.25, 1.2, 1.35],
    "interactive": [0.45, 0.55, 1.2, 1.25, 1.2, 1.35],
    "general": [0.8, 0.85, 1.1, 1.1, 1.05, 1.1],
    "export": [1.3, 1.2, 0.8, 0.7, 0.9, 1.1],
}

# ---------------------------------------------------------------------------------------------
# Workloads (SOURCES.md "workloads"): latency limit (ms, round trip), IT energy in 2026 (MWh per
# trillion tokens = kWh per million), its change a year, how much of a corridor's loss the work
# suffers, share shiftable within the day, national demand in 2026 (trillion tokens/day).
# Nothing is shiftable in the base: training runs on dedicated clusters that a job holds for
# weeks (other chips than the inference fleet's), and batch queues run round the clock on their
# own pools; scenario `off_peak` lets both move to any hour on any server (the seeds' "training
# moved to off-peak grid hours").
WORKLOADS = [
    # id, max_latency_ms, mwh_per_ttok_2026, energy_change, network_sensitivity, shiftable, ttok_2026
    ("general", 5, 1000, 0.0, 0.0, 0.0, 290.0),
    ("realtime", 10, 400, -0.20, 0.20, 0.0, 42.0),
    ("interactive", 30, 350, -0.20, 0.10, 0.0, 76.0),
    ("batch", 200, 250, -0.20, 0.05, 0.0, 22.0),
    ("training", None, 800, -0.10, 0.02, 0.0, 18.0),
]
# Year-on-year growth of each year over the one before (yearly averages): AI tokens after the
# 3.3x of the second half of 2025, slowing smoothly (A); training compute; conventional IT at
# IEA's base-case growth of conventional servers, ~9 %/yr (M, as recalled).
AI_GROWTH = [1.2, 0.8, 0.5, 0.35, 0.25, 0.2, 0.15, 0.12, 0.10]           # 2027 ... 2035
TRAINING_GROWTH = [0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.10]
GENERAL_GROWTH = [0.09] * 9
GROWTH = {"general": GENERAL_GROWTH, "realtime": AI_GROWTH, "interactive": AI_GROWTH, "batch": AI_GROWTH,
          "training": TRAINING_GROWTH}
# Backbone traffic of work served in another province, Gbps per MW of that work's IT power: the
# research notes' model (a coefficient per GW of remote IT), since what moves between data
# centres with remote work (prompts with context and retrieval, multimodal inputs, replication,
# model, dataset and checkpoint distribution) scales with the compute, not with the text.
# CALIBRATED so that the base run's 2026 inter-provincial traffic is about the observed ~120 Tbps
# (751 Tbps inter-hub at ~16 %, CAICT Q1-2024). Per token it follows the energy per token.
GBPS_PER_REMOTE_MW = 140.0

# Where training demand originates (model developers), share of national (A). Conventional IT
# stays where its servers are: placed in proportion to today's fitted servers times their load;
# the AI workloads follow each province's share of GDP.
TRAINING_ORIGIN = {"beijing": 0.35, "shanghai": 0.20, "zhejiang": 0.15, "guangdong": 0.20}

# ---------------------------------------------------------------------------------------------
# Corridors.
MS_PER_KM = 0.01        # round trip in fibre, 2 x 4.9 us/km
FIBRE_ROUTE = 1.5       # fibre route length / great circle (hub links "<= 1.5x theoretical")
HVDC_ROUTE = 1.2        # HVDC route length / great circle where no line length is known
NEAR_KM = 600           # provinces whose data-centre points are this close get an optical corridor
# A remote path's round trip is fibre propagation plus a fixed overhead: small between neighbours
# joined by direct regional fibre, larger on long-haul paths through the national backbone's
# routers and exchange points (public round trips such as Beijing-Shanghai imply ~10 ms).
OVERHEAD_NEAR_MS = 2.0
OVERHEAD_LONG_MS = 12.0
# Efficiency of work spread over sites on today's network: a deterministic network reaches 0.98 of
# one site (CENI 2025, M); a conventional one 16/20 = 0.8 over ~2,000 km (the same comparison). A
# straight line through both: 0.98 - 0.09 per 1,000 km of fibre route, floored at 0.5 (A). Each
# workload suffers `network_sensitivity` of that loss (single-site work hardly any).
EFFICIENCY_NEAR = 0.98
EFFICIENCY_SLOPE = 0.09  # lost per 1,000 km of fibre route
EFFICIENCY_FLOOR = 0.5


def efficiency(fibre_km: float) -> float:
    return round(max(EFFICIENCY_FLOOR, EFFICIENCY_NEAR - EFFICIENCY_SLOPE * fibre_km / 1000), 3)


INTER_HUB_TBPS = 751.0   # existing direct inter-hub IP bandwidth, allocated by endpoint racks (A)
NEIGHBOUR_TBPS = 20.0    # existing capacity on a neighbour corridor (A)
# Network fee on data carried (A): a tenth of TeleGeography's 100G lease price, ~470 USD per
# Tbps-km-year, since the programme's backbone capacity is bought in bulk.
OPTICAL_TARIFF_PER_TBPS_KM = 47.0
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
HVDC_FOM_USD_PER_GW_YEAR = 10e6                  # line O&M, 2 % of a 2,000 km line's capex (PyPSA-China)
CONVERTER_EFFICIENCY = 0.98                      # PyPSA-China static DC link efficiency
LINE_EFFICIENCY_PER_1000KM = 0.977

# ---------------------------------------------------------------------------------------------
# Policies (national programme targets; SOURCES.md "policies"). Regions carry tags: `hub` for the
# eight hub nodes' provinces, `west_hub` for the four western hubs.
POLICIES = [
    ("min_zone_build_share", 2027, 0.6, "hub", ">=60 % of new compute in the hub nodes (NDRC et al. 2023-12-26)"),
    ("min_green_share", 2026, 0.8, "west_hub", ">80 % green power for the hubs' data centres (same), on all power of the western hubs (A)"),
]


def great_circle_km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def provinces() -> pd.DataFrame:
    p = pd.DataFrame(PROVINCES, columns=COLUMNS).set_index("id", drop=False)
    reported = {r: k for r, (k, _) in REPORTED_RACKS_K.items()}
    others = ~p["id"].isin(reported)
    rest = NATIONAL_RACKS_K - sum(reported.values())
    racks = p["racks_k"].astype(float)
    racks[others] = racks[others] * rest / racks[others].sum()
    for r, k in reported.items():
        racks[r] = k
    p["racks_k"] = racks.round(1)
    return p


def settings() -> pd.DataFrame:
    rows = [
        ("start_year", 2026, "first year with the March 2026 token figure"),
        ("end_year", 2035, "ten planning years"),
        ("year_step", 1, ""),
        ("discount_rate", 0.07, "A: real cost of capital for infrastructure"),
        ("currency", "USD", "7.2 CNY/USD"),
        ("rack_kw", 2.5, "standard rack (biaozhun jijia) = 2.5 kW"),
        ("max_utilization", 0.85, "A: headroom of servers for peaks and maintenance"),
        ("min_utilization", 0.65, "NDRC cluster replies: rack utilisation >= 65 %"),
        ("min_occupancy", 0.65, "NDRC cluster replies: 上架率 (racks fitted) >= 65 %"),
        ("unserved_penalty", 1.5, "A: compute bought abroad, above Chinese API list prices (0.3-1.7 USD/M)"),
        ("ms_per_km", 0.01, "2 x 4.9 us/km round trip in fibre"),
        ("latency_overhead_ms", OVERHEAD_NEAR_MS, "A: direct regional fibre; corridors give their own latency"),
        ("rack_life", 20, "facility life 15-20 years"),
        ("server_life", 5, "hyperscalers' server book life 5-6 years"),
        ("rack_lead_years", 1, "modular build 4 months to 1.5 years (China Mobile Qingyang)"),
        ("hvdc_lead_years", 3, "UHV DC start to operation 24-36 months + ~0.5 year to start"),
        ("optical_lead_years", 1, "A: fibre and wavelengths on existing routes"),
        ("optical_life", 15, "A: transmission equipment"),
        ("hvdc_life", 40, "PyPSA-China"),
        ("optical_capex_per_tbps_km", 3000, "TeleGeography lease ~470 USD/Tbps-km-yr as capex (L)"),
        ("optical_fixed_capex_per_tbps", 100000, "A: transponders at both ends"),
        ("optical_fom", 20000, "A"),
        ("hvdc_capex_per_gw_km", round(HVDC_USD_PER_MW_KM * 1000), "regression 1,045 yuan/MW-km"),
        ("hvdc_fixed_capex_per_gw", round(HVDC_USD_PER_MW_FIXED * 1000), "regression 1.63 M yuan/MW"),
        ("hvdc_fom", round(HVDC_FOM_USD_PER_GW_YEAR), "line O&M, 2 % of capex (PyPSA-China); charges are hvdc_tariff"),
        ("hvdc_loss_per_1000km", 0.023, "PyPSA-China 0.977 per 1,000 km (corridors give full losses)"),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "source"])


def belt(rid: str, zone: str) -> str:
    return zone if zone != "west" else ("northwest" if rid in NORTHWEST else "southwest")


def occupancy_of(rid: str, zone: str) -> float:
    return OCCUPANCY[belt(rid, zone)]


def rack_limits(p: pd.DataFrame) -> pd.DataFrame:
    """Most racks by 2035 and most built a year, thousands, with their basis."""
    rows = {}
    for rid, today in p["racks_k"].items():
        if rid in PIPELINE_K:
            k, why = PIPELINE_K[rid]
            rows[rid] = (today + 2 * k, k / PIPELINE_YEARS, why)
        elif rid == "beijing":
            rows[rid] = (today, 0.0, "no new DCs in the core districts, total-quantity control")
        elif rid == "shanghai":
            rows[rid] = (today * (1 + SHANGHAI_GROWTH), today * SHANGHAI_GROWTH / PIPELINE_YEARS,
                         "reduce-and-replace for new capacity (A: +10 %)")
        else:
            rows[rid] = (today * OUTSIDE_HUB_MAX, today * OUTSIDE_HUB_BUILD, "outside the hubs: edge growth only (A)")
    return pd.DataFrame.from_dict(rows, orient="index", columns=["max_k", "build_k", "why"])


def tags_of(rid: str, hub: str) -> str:
    return "" if not hub else ("hub;west_hub" if rid in WEST_HUBS else "hub")


def green_price(rid: str, zone: str, grid: float) -> float:
    if zone == "west":
        return usd_per_mwh(GREEN_PPA.get(rid, GREEN_PPA_DEFAULT) + TD_CHARGE.get(rid, TD_DEFAULT) / 1000)
    return grid + GEC_YUAN_PER_MWH / CNY_PER_USD


def regions(p: pd.DataFrame) -> pd.DataFrame:
    capex = p["zone"].map(RACK_CAPEX_CNY) / CNY_PER_USD
    limits = rack_limits(p)
    reported = {r: why for r, (_, why) in REPORTED_RACKS_K.items()}
    out = pd.DataFrame({
        "region": p["id"], "name": p["name"], "lat": p["lat"], "lon": p["lon"], "zone": p["zone"], "hub": p["hub"],
        "tags": [tags_of(r, h) for r, h in zip(p["id"], p["hub"])],
        "point": p["point"], "pue": p["pue"], "existing_racks": (p["racks_k"] * 1000).round(0),
        "existing_server_share": [occupancy_of(r, z) for r, z in zip(p["id"], p["zone"])],
        "max_racks": (limits["max_k"] * 1000).round(0), "max_build_per_year": (limits["build_k"] * 1000).round(0),
        "rack_capex": capex.round(0), "rack_fom": (capex * RACK_FOM_SHARE).round(0),
        "server_capex": SERVER_CAPEX_USD_PER_KW, "server_fom": round(SERVER_CAPEX_USD_PER_KW * SERVER_FOM_SHARE),
        "grid_price": p["grid"], "grid_co2": p["id"].map(GRID_CO2_2022),
        "green_price": [round(green_price(r, z, g), 2) for r, z, g in zip(p["id"], p["zone"], p["grid"])],
        "green_mw": p["green_mw"],
        "source": [f"racks: {reported.get(r, 'share of the national total')}; limits: {limits.at[r, 'why']}"
                   for r in p["id"]],
    })
    return out.reset_index(drop=True)


def region_years(p: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for rid, mw in zip(p["id"], p["green_mw"]):
        for year, factor in GREEN_GROWTH.items():
            rows.append((rid, year, mw * factor, "A: green bases under construction"))
    return pd.DataFrame(rows, columns=["region", "year", "green_mw", "source"])


def gbps_per_ttok(w: str, mwh_per_ttok: float) -> float:
    if w == "general":
        return 0.0  # stays within its 5 ms circle; metro traffic is not backbone traffic
    return round(GBPS_PER_REMOTE_MW * mwh_per_ttok / 24, 2)   # 1 T tokens/day at m MWh/T = m/24 MW


def workloads() -> pd.DataFrame:
    rows = [(w, lat if lat is not None else "", mwh, gbps_per_ttok(w, mwh), sens, shift)
            for w, lat, mwh, _chg, sens, shift, _d in WORKLOADS]
    return pd.DataFrame(rows, columns=["workload", "max_latency_ms", "mwh_per_ttok", "gbps_per_ttok",
                                       "network_sensitivity", "shiftable"])


def workload_years() -> pd.DataFrame:
    """Energy per token falls geometrically; given every year since the sheet interpolates linearly."""
    rows = []
    for w, _lat, mwh, change, *_ in WORKLOADS:
        if change:
            for y in YEARS:
                energy = round(mwh * (1 + change) ** (y - YEARS[0]), 2)
                rows.append((w, y, energy, gbps_per_ttok(w, energy)))
    return pd.DataFrame(rows, columns=["workload", "year", "mwh_per_ttok", "gbps_per_ttok"])


def national_path(w: str, start: float) -> list[float]:
    values = [start]
    for g in GROWTH[w]:
        values.append(values[-1] * (1 + g))
    return values


def demand(p: pd.DataFrame) -> pd.DataFrame:
    gdp_share = p["gdp"] / p["gdp"].sum()
    rest = 1 - sum(TRAINING_ORIGIN.values())
    others = gdp_share.drop(list(TRAINING_ORIGIN))
    training_share = pd.concat([pd.Series(TRAINING_ORIGIN), others / others.sum() * rest]).reindex(p.index)
    # conventional IT runs on today's servers, busier in the east than in the new western hubs
    servers = p["racks_k"] * [occupancy_of(r, z) * LOAD_FACTOR[belt(r, z)] for r, z in zip(p["id"], p["zone"])]
    share_of = {"training": training_share, "general": servers / servers.sum()}
    rows = []
    for w, *_rest, start in WORKLOADS:
        path = national_path(w, start)
        share = share_of.get(w, gdp_share)
        for rid in p.index:
            rows.append([rid, w] + [round(v * share[rid], 4) for v in path])
    return pd.DataFrame(rows, columns=["region", "workload"] + YEARS)


def hvdc_tariff(sender: str, receiver: str) -> float:
    """USD/MWh sent: the sender's export charge and regional-grid charge, and the difference of the
    two provinces' T&D charges (the sender's grid price includes its own, the receiver pays its own)."""
    yuan_per_kwh = (EXPORT_CHARGE.get(sender, EXPORT_DEFAULT) + REGIONAL_CHARGE[REGIONAL_GRID[sender]]
                    + (TD_CHARGE.get(receiver, TD_DEFAULT) - TD_CHARGE.get(sender, TD_DEFAULT)) / 1000)
    return round(max(0.0, usd_per_mwh(yuan_per_kwh)), 2)


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
            "optical_tariff": round(OPTICAL_TARIFF_PER_TBPS_KM * fibre),
        }
        if hvdc_km is None:
            row.update(hvdc_max_gw=0, hvdc_capex="", hvdc_loss="", hvdc_tariff="", hvdc_km="", line_gw="")
        else:
            capex = (HVDC_USD_PER_MW_FIXED + HVDC_USD_PER_MW_KM * hvdc_km) * 1000
            loss = 1 - CONVERTER_EFFICIENCY * LINE_EFFICIENCY_PER_1000KM ** (hvdc_km / 1000)
            # power flows west to east on these corridors: `from` is the western end
            west_end, east_end = (a, b) if p.at[a, "zone"] == "west" else (b, a)
            row.update(hvdc_max_gw=HVDC_MAX_GW, hvdc_capex=round(capex), hvdc_loss=round(loss, 4),
                       hvdc_tariff=hvdc_tariff(west_end, east_end), hvdc_km=round(hvdc_km),
                       line_gw=line[2] if line else 0)
        row["source"] = ";".join(sorted(info["kinds"])) + (f";{line[4]}" if line else "")
        rows.append(row)
    c = pd.DataFrame(rows)
    weights = c["weight"] / c["weight"].sum()
    c["optical_existing_tbps"] = (c["optical_existing_tbps"] + weights * INTER_HUB_TBPS).round(1)
    c = c.drop(columns=["inter_hub", "weight"])
    order = ["from", "to", "distance_km", "latency_ms", "efficiency", "optical_existing_tbps", "optical_tariff",
             "hvdc_max_gw", "hvdc_capex", "hvdc_loss", "hvdc_tariff", "hvdc_km", "line_gw", "source"]
    return c[order].sort_values(["from", "to"]).reset_index(drop=True)


def policies() -> pd.DataFrame:
    return pd.DataFrame(POLICIES, columns=["policy", "year", "value", "zone", "source"])


# ---------------------------------------------------------------------------------------------
# Time slices: a representative day (SOURCES.md "time slices").
def timeslices() -> pd.DataFrame:
    hours = 8760 / len(SLICES)
    return pd.DataFrame({"slice": SLICES, "hours": hours, "day": "typical_day", "order": range(1, len(SLICES) + 1)})


def by_slice(hourly: list[float]) -> list[float]:
    """Mean of each four-hour block, normalised to mean 1."""
    blocks = [sum(hourly[i:i + SLICE_HOURS]) / SLICE_HOURS for i in range(0, 24, SLICE_HOURS)]
    mean = sum(blocks) / len(blocks)
    return [b / mean for b in blocks]


def solar_shape(lat: float, lon: float) -> list[float]:
    """Clear-sky global horizontal irradiance through the average day of 2025 at the point, by
    four-hour slice, mean 1 (pvlib's Ineichen model with its Linke turbidity climatology)."""
    import pvlib

    times = pd.date_range("2025-01-01", "2026-01-01", freq="1h", inclusive="left", tz="Asia/Shanghai")
    ghi = pvlib.location.Location(lat, lon, tz="Asia/Shanghai").get_clearsky(times, model="ineichen")["ghi"]
    hourly = ghi.groupby(ghi.index.hour).mean().reindex(range(24), fill_value=0.0).tolist()
    return by_slice(hourly)


def profiles(p: pd.DataFrame) -> pd.DataFrame:
    tou_east, tou_west = by_slice(TOU_EAST), by_slice(TOU_WEST)
    rows = []
    for rid, lat, lon, grid in zip(p["id"], p["lat"], p["lon"], p["grid"]):
        solar, wind = GREEN_MIX.get(rid, GREEN_MIX_DEFAULT)
        sun = solar_shape(lat, lon)
        tou = tou_west if rid in NORTHWEST else tou_east
        energy_part = 1 - TD_CHARGE.get(rid, TD_DEFAULT) / CNY_PER_USD / grid
        for i, s in enumerate(SLICES):
            green = solar * sun[i] + wind * WIND_SHAPE[i] + (1 - solar - wind)
            rows.append((rid, s, round(green, 4), round(1 + energy_part * (tou[i] - 1), 4)))
    return pd.DataFrame(rows, columns=["region", "slice", "green_factor", "grid_price_factor"])


def workload_profiles() -> pd.DataFrame:
    rows = [(w, s, f) for w, shape in DEMAND_SHAPE.items() if w != "export" for s, f in zip(SLICES, shape)]
    return pd.DataFrame(rows, columns=["workload", "slice", "demand_factor"])


# ---------------------------------------------------------------------------------------------
# Scenarios (inputs/scenarios/*.yaml). Demand variants change each AI workload's growth rate with
# one `growth` change.
LOW_GROWTH, HIGH_GROWTH = 0.5, 1.5   # growth rates x0.5 (low) and x1.5 (high) (A)
AI_WORKLOADS = ("realtime", "interactive", "batch", "training")

# Token export (SOURCES.md "token export"): users abroad reach Chinese models over the
# international cables from the landing provinces. Demand in 2026 is 3 % of domestic inference
# (OpenRouter: Chinese models ~1.8 % of China's daily tokens on that platform alone; 2-5 %), split
# by where the platform's users are (nearly half in the United States); it grows with domestic AI.
EXPORT_SHARE = 0.03
ABROAD = [
    # id, name, lat, lon, share of export demand, landing province, round trip from it (ms), source
    ("north_america", "North America", 34.05, -118.24, 0.45, "shanghai", 150.0,
     "HK/Shanghai-Los Angeles ~12,800 km: floor 125 ms, typical 140-160 ms"),
    ("europe", "Europe", 50.11, 8.68, 0.25, "shanghai", 230.0, "London-Tokyo ~230 ms over existing routes"),
    ("southeast_asia", "South-East Asia", 1.35, 103.82, 0.30, "guangdong", 40.0, "HK-Singapore ~2,900 km: floor 28 ms, typical 35-40"),
]
EXPORT_LATENCY_MS = 300.0     # A: streamed chat and agents tolerate a long first-token delay
EXPORT_PENALTY = 2.0          # A: what those users pay elsewhere, Haiku-class 1/5 USD per M in/out at 3:1
EXPORT_GBPS_PER_TTOK = 10.0   # A: prompts with context, ~25x the output text (1 T/day of text ~0.37 Gbps)
INTERNATIONAL_TBPS = 11.5     # CNNIC 47th report: international export bandwidth, end 2020
# Provinces that may serve export users: the landing provinces and the hubs (A).
EXPORT_SERVERS = ["shanghai", "guangdong", "beijing", "zhejiang", "jiangsu", "inner_mongolia", "guizhou", "gansu",
                  "ningxia", "sichuan", "chongqing", "anhui", "hebei"]


def token_export_changes(p: pd.DataFrame, c: pd.DataFrame) -> list[dict]:
    regions_abroad, corridors_abroad, demand_abroad = [], [], []
    domestic = national_path("interactive", 1.0)   # AI growth path, relative
    inference_2026 = sum(d for w, *_r, d in WORKLOADS if w in ("realtime", "interactive", "batch"))
    lat_of = {(a, b): l for a, b, l in zip(c["from"], c["to"], c["latency_ms"])}
    for rid, name, lat, lon, share, landing, rtt, why in ABROAD:
        regions_abroad.append({"region": rid, "name": name, "lat": lat, "lon": lon, "zone": "abroad", "pue": 1.3,
                               "existing_racks": 0, "max_racks": 0, "rack_capex": 0, "grid_price": 100,
                               "source": "no data centres modelled abroad"})
        for server in EXPORT_SERVERS:
            inland = 0.0 if server == landing else lat_of.get((server, landing), lat_of.get((landing, server)))
            if inland is None:
                continue
            corridors_abroad.append({
                "from": server, "to": rid, "latency_ms": round(inland + rtt, 2), "efficiency": 0.98,
                "optical_existing_tbps": round(INTERNATIONAL_TBPS * share / len(EXPORT_SERVERS), 2),
                "optical_max_tbps": round(INTERNATIONAL_TBPS * share / len(EXPORT_SERVERS), 2), "hvdc_max_gw": 0,
                "source": f"via {landing}: {why}"})
        for y, factor in zip(YEARS, domestic):
            demand_abroad.append({"region": rid, "workload": "export", "year": y,
                                  "ttok_per_day": round(inference_2026 * EXPORT_SHARE * share * factor, 4)})
    export_energy = next(mwh for w, _l, mwh, *_ in WORKLOADS if w == "interactive")
    return [
        {"add": {"sheet": "regions", "rows": regions_abroad}},
        {"add": {"sheet": "workloads", "rows": [{
            "workload": "export", "max_latency_ms": EXPORT_LATENCY_MS, "mwh_per_ttok": export_energy,
            "gbps_per_ttok": EXPORT_GBPS_PER_TTOK, "network_sensitivity": 0.1, "unserved_penalty": EXPORT_PENALTY}]}},
        {"add": {"sheet": "workload_years", "rows": [
            {"workload": "export", "year": y, "mwh_per_ttok": mwh}
            for w, y, mwh, _gbps in workload_years().itertuples(index=False) if w == "interactive"]}},
        {"add": {"sheet": "workload_profiles", "rows": [
            {"workload": "export", "slice": s, "demand_factor": f} for s, f in zip(SLICES, DEMAND_SHAPE["export"])]}},
        {"add": {"sheet": "demand", "rows": demand_abroad}},
        {"add": {"sheet": "corridors", "rows": corridors_abroad}},
    ]


def provincial_plan_rows() -> list[dict]:
    """Every hub pipeline forced in over 2027-2030 at its yearly share: the 'bidding wars'."""
    return [{"region": r, "year": y, "racks": k * 1000 / PIPELINE_YEARS, "kind": "min", "source": why}
            for r, (k, why) in PIPELINE_K.items() for y in range(2027, 2027 + PIPELINE_YEARS)]


def demand_changes(multiple: float) -> list[dict]:
    """Every AI workload's demand on a path whose year-on-year growth is ``multiple`` times the
    base one (the scenario's `growth` change); the first year stays."""
    return [{"growth": {"sheet": "demand", "column": "ttok_per_day", "by": multiple,
                        "where": {"workload": list(AI_WORKLOADS)}}}]


def scenarios() -> dict[str, dict]:
    case = "../china_provinces.xlsx"
    low, high = demand_changes(LOW_GROWTH), demand_changes(HIGH_GROWTH)
    p = provinces()
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
                          "The programme's '>80 % green power' read for every hub, eastern ones too: 80 % of the "
                          "power bought in the western hubs (as in the base) and 50 % in all hub provinces from "
                          "2030.", "changes": [
                              {"add": {"sheet": "policies", "rows": [
                                  {"policy": "min_green_share", "year": 2030, "value": 0.5, "zone": "hub",
                                   "source": "programme green target for every hub, phased in (A)"}]}}]},
        "deterministic_network": {"name": "deterministic_network", "inputs": case, "description":
                                  "Every corridor as efficient as a deterministic network (0.98 of one site, "
                                  "CENI 2025) instead of today's 0.98 - 0.09 per 1,000 km.", "changes": [
                                      {"set": {"sheet": "corridors", "column": "efficiency", "value": 0.98}}]},
        "provincial_plans": {"name": "provincial_plans", "inputs": case, "description":
                             "Announced hub pipelines forced in as minimum builds over 2027-2030 (the 'bidding "
                             "wars'): Zhongwei, Qingyang, Shaoguan, Horinger, Gui'an, Wuhu and the rest.", "changes": [
                                 {"add": {"sheet": "planned_builds", "rows": provincial_plan_rows()}}]},
        "cheap_west_power": {"name": "cheap_west_power", "inputs": case, "description":
                             "Western power 30 % cheaper (grid and green), the low end of the seeds' "
                             "0.018-0.042 USD/kWh for western green contracts.", "changes": [
                                 {"scale": {"sheet": "regions", "column": "grid_price", "by": 0.7,
                                            "where": {"zone": "west"}}},
                                 {"scale": {"sheet": "regions", "column": "green_price", "by": 0.7,
                                            "where": {"zone": "west"}}}]},
        "off_peak": {"name": "off_peak", "inputs": case, "description":
                     "Training and batch work may run at any hour of the day on any server (shiftable 1): the "
                     "seeds' 'training moved to off-peak grid hours', and batch APIs' 24-hour completion window.",
                     "changes": [{"set": {"sheet": "workloads", "column": "shiftable", "value": 1.0,
                                          "where": {"workload": ["training", "batch"]}}}]},
        "token_export": {"name": "token_export", "inputs": case, "description":
                         "Users abroad (North America, Europe, South-East Asia) served by Chinese models over the "
                         "international cables from Shanghai and Guangdong; unserved, they pay 2 USD per million "
                         "tokens elsewhere.", "changes": token_export_changes(p, corridors(p))},
        "uncertain_demand": {"name": "uncertain_demand", "inputs": case, "description":
                             "One build plan for three demand futures: low (growth x0.5, p=0.25), base (p=0.5) and "
                             "high (growth x1.5, p=0.25).", "futures": {
                                 "low": {"probability": 0.25, "changes": low},
                                 "base": {"probability": 0.5},
                                 "high": {"probability": 0.25, "changes": high}}},
    }


def scenario_text(spec: dict) -> str:
    head = ("# Generated by inputs/build_china.py (see docs/scenarios.md); edit the script, not this file.\n")
    return head + yaml.safe_dump(spec, sort_keys=False, width=110, allow_unicode=True)


def build() -> dict[str, pd.DataFrame]:
    p = provinces()
    return {
        "settings": settings(),
        "regions": regions(p),
        "region_years": region_years(p),
        "workloads": workloads(),
        "workload_years": workload_years(),
        "demand": demand(p),
        "corridors": corridors(p),
        "policies": policies(),
        "timeslices": timeslices(),
        "profiles": profiles(p),
        "workload_profiles": workload_profiles(),
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
