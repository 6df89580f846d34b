"""Write inputs/hourly_sample.csv: 8760 hourly profiles for `planner timeslices`, made from
documented shapes (inputs/SOURCES.md, "Hourly sample").

    pip install pvlib          # solar geometry and clear-sky irradiance (not a planner dependency)
    python inputs/build_hourly_sample.py

Columns are ``<region or workload>.<quantity>``, one row per hour of a non-leap year:

* ``gansu.green_factor``, ``qinghai.green_factor``: clear-sky global horizontal irradiance
  (pvlib, Ineichen model with its Linke turbidity climatology) at each province's capital, over
  its yearly mean: green power available relative to the yearly average (mean 1).
* ``inner_mongolia.green_factor``: wind, an assumption: stronger at night and in spring,
  weaker in summer (a diurnal swing of +-25 % peaking at 03:00 and a seasonal one of +-20 %
  peaking in April), mean 1.
* ``gansu.grid_price_factor``: Gansu's time-of-use windows (peak 07-09 and 17-23 at 150 %,
  valley 09-17 at 50 %, flat 23-07), ``qinghai.grid_price_factor``: Qinghai's (peaks 08-09 and
  19-23 at +63 %, valley 11-16 at -20 %); each scaled to a yearly mean of 1 so that grid_price
  stays the yearly average.
* ``interactive.demand_factor``: an assumption: people's use, low at 03:00-06:00 and highest in
  the evening (a cosine of +-40 % peaking at 21:00), mean 1. ``training.demand_factor``: flat 1.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
HOURS = pd.date_range("2025-01-01", periods=8760, freq="h", tz="Asia/Shanghai")
CAPITALS = {"gansu": (36.06, 103.83, 1520), "qinghai": (36.62, 101.78, 2260)}   # Lanzhou, Xining: lat, lon, m


def solar(lat: float, lon: float, altitude: float) -> np.ndarray:
    import pvlib

    site = pvlib.location.Location(lat, lon, tz="Asia/Shanghai", altitude=altitude)
    ghi = site.get_clearsky(HOURS, model="ineichen")["ghi"].to_numpy()
    return ghi / ghi.mean()


def tou(windows: dict[tuple[int, int], float]) -> np.ndarray:
    """Multipliers by hour of day from (start, end) windows; hours in no window are flat (1)."""
    by_hour = np.ones(24)
    for (start, end), factor in windows.items():
        for h in range(start, end):
            by_hour[h % 24] = factor
    values = by_hour[HOURS.hour]
    return values / values.mean()


def main() -> Path:
    hour = HOURS.hour.to_numpy()
    day = HOURS.day_of_year.to_numpy()
    wind = (1 + 0.25 * np.cos((hour - 3) / 24 * 2 * np.pi)) * (1 + 0.20 * np.cos((day - 105) / 365 * 2 * np.pi))
    interactive = 1 + 0.40 * np.cos((hour - 21) / 24 * 2 * np.pi)
    columns = {
        "gansu.green_factor": solar(*CAPITALS["gansu"]),
        "qinghai.green_factor": solar(*CAPITALS["qinghai"]),
        "inner_mongolia.green_factor": wind / wind.mean(),
        "gansu.grid_price_factor": tou({(7, 9): 1.5, (17, 23): 1.5, (9, 17): 0.5}),
        "qinghai.grid_price_factor": tou({(8, 9): 1.63, (19, 23): 1.63, (11, 16): 0.8}),
        "interactive.demand_factor": interactive / interactive.mean(),
        "training.demand_factor": np.ones(8760),
    }
    df = pd.DataFrame(columns).round(5)
    df.insert(0, "hour", np.arange(8760))
    out = HERE / "hourly_sample.csv"
    df.to_csv(out, index=False)
    return out


if __name__ == "__main__":
    print(main())
