"""The validated case: typed tables with every default filled in.

``load_case(path)`` is the only way in: read, check, fill defaults, check the rules that need
them, and either return a :class:`Case` (with any warnings) or raise
:class:`~planner.problems.InputError` carrying every problem at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner import finance
from planner.case.problems import InputError, Problem
from planner.case.reading import RawCase, read_case
from planner.case.schema import SETTINGS, SHEETS, Derived, Marker
from planner.case.validation import ROW, check_rules, check_tables, has_errors, suspicious

EARTH_RADIUS_KM = 6371.0
ROUTE_FACTOR = 1.2  # route length / great-circle distance when a corridor gives none (SPEC 4.5)


class Settings(dict):
    """Settings with every default filled; read as attributes (``settings.discount_rate``)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def from_values(cls, values: dict[str, object]) -> "Settings":
        out = cls()
        for col in SETTINGS.columns:
            if col.name in values:
                out[col.name] = values[col.name]
            elif isinstance(col.default, Marker) or isinstance(col.default, Derived):
                out[col.name] = None  # blank optional setting (e.g. optical_capex_per_tbps_km)
            else:
                out[col.name] = col.default
        return out


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance on a 6371 km sphere.

    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 3)
    111.195
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@dataclass
class Case:
    """One planning case, validated, with defaults applied (SPEC section 2)."""

    name: str
    path: Path
    sha256: str
    settings: Settings
    regions: pd.DataFrame         # index: region
    region_years: pd.DataFrame
    workloads: pd.DataFrame       # index: workload
    workload_years: pd.DataFrame  # workload, year, mwh_per_ttok, gbps_per_ttok (blanks change nothing)
    demand: pd.DataFrame          # long form: region, workload, year, ttok_per_day
    corridors: pd.DataFrame       # one row per corridor, derived columns filled
    policies: pd.DataFrame
    planned_builds: pd.DataFrame
    timeslices: pd.DataFrame      # slice, hours, day, order (empty: one slice of 8760 hours)
    profiles: pd.DataFrame        # region, slice, green_factor, grid_price_factor, grid_max_factor
    workload_profiles: pd.DataFrame   # workload, slice, demand_factor
    warnings: list[Problem] = field(default_factory=list)
    read_seconds: float = 0.0     # of the time it took to load, how much went to reading files
    notes: dict[str, pd.DataFrame] = field(default_factory=dict)   # sheet -> note columns by spreadsheet row
    checked: "CheckedInput | None" = field(default=None, repr=False, compare=False)   # what scenarios change

    @property
    def periods(self) -> list[finance.Period]:
        s = self.settings
        return finance.model_periods(s.start_year, s.end_year, s.year_step)

    def period_of(self, year: int) -> int | None:
        """The start of the model period containing ``year``, or None outside the horizon."""
        for p in self.periods:
            if p.start <= year < p.start + p.years:
                return p.start
        return None

    @property
    def region_tags(self) -> dict[str, list[str]]:
        """Each region's tags: ';'-separated, trimmed, case kept, empty ones dropped (SPEC 7.8)."""
        return {r: [t.strip() for t in str(tags).split(";") if t.strip()] for r, tags in self.regions["tags"].items()}

    def zone_members(self, zone: str) -> list[str]:
        """The regions a policy zone matches: those with that zone and those with that tag (all for "")."""
        if zone == "":
            return list(self.regions.index)
        tags = self.region_tags
        return [r for r in self.regions.index if self.regions.at[r, "zone"] == zone or zone in tags[r]]

    def existing_racks(self, region: str, period: int) -> float:
        r = self.regions.loc[region]
        return float(r["existing_racks"]) if period < r["existing_retire_year"] else 0.0

    def planned_by_period(self) -> pd.DataFrame:
        """Planned builds inside the horizon, with the model period they land in."""
        pb = self.planned_builds.copy()
        pb["period"] = [self.period_of(int(y)) for y in pb["year"]]
        return pb[pb["period"].notna()].astype({"period": int})

    @classmethod
    def from_tables(cls, raw: RawCase, tables: dict[str, pd.DataFrame], values: dict[str, object]) -> "Case":
        settings = Settings.from_values(values)
        t = {name: _with_defaults(name, tables.get(name)) for name in SHEETS if name != "settings"}
        t = _consistent(t)
        regions = t["regions"].set_index("region", drop=False)
        regions.index.name = "region"
        regions["name"] = np.where(regions["name"] == "", regions["region"], regions["name"])
        regions["rack_life"] = regions["rack_life"].fillna(settings.rack_life)
        regions["server_life"] = regions["server_life"].fillna(settings.server_life)
        regions["first_build_year"] = regions["first_build_year"].fillna(settings.start_year + settings.rack_lead_years)
        workloads = t["workloads"].set_index("workload", drop=False)
        workloads.index.name = "workload"
        return cls(
            name=raw.name,
            path=raw.path,
            sha256=raw.sha256,
            settings=settings,
            regions=regions,
            region_years=t["region_years"],
            workloads=workloads,
            workload_years=t["workload_years"],
            demand=t["demand"],
            corridors=_corridor_defaults(t["corridors"], regions, settings),
            policies=t["policies"],
            planned_builds=t["planned_builds"],
            timeslices=_slice_defaults(t["timeslices"]),
            profiles=t["profiles"],
            workload_profiles=t["workload_profiles"],
            read_seconds=raw.seconds,
            notes={n: sheet.notes for n, sheet in raw.sheets.items() if sheet.notes is not None},
        )


def _slice_defaults(t: pd.DataFrame) -> pd.DataFrame:
    """A slice is its own day unless it names one; its order in the day is its row order."""
    t = t.copy()
    t["day"] = np.where(t["day"] == "", t["slice"], t["day"]) if len(t) else t["day"]
    t["order"] = t["order"].fillna(pd.Series(range(len(t)), index=t.index, dtype=float))
    return t


def _consistent(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Keep only rows whose references resolve. A row that names an unknown id, or the id of a row
    that was rejected for its own bad cells, is already reported; leaving it in would make every
    later check trip over it."""
    regions = tables["regions"].drop_duplicates("region")
    tables = {**tables, "regions": regions, "workloads": tables["workloads"].drop_duplicates("workload")}
    for name, sheet in SHEETS.items():
        if name == "settings" or name not in tables:
            continue
        table = tables[name]
        for col in sheet.columns:
            if not col.ref or col.name not in table.columns:
                continue
            target, target_col = col.ref.split(".")
            if tables[target].empty and not SHEETS[target].required:
                continue   # an optional sheet that is missing: a rule says so (profiles without timeslices)
            known = set(tables[target][target_col])
            table = table[table[col.name].isin(known) | (table[col.name] == "")]
        tables[name] = table
    return tables


def _with_defaults(sheet_name: str, table: pd.DataFrame | None) -> pd.DataFrame:
    """Fill blanks with each column's literal default; an absent optional sheet is empty."""
    sheet = SHEETS[sheet_name]
    if table is None:
        table = pd.DataFrame({c.name: pd.Series(dtype=float if c.numeric else object) for c in sheet.columns})
        table[ROW] = pd.Series(dtype=int)
        return table
    table = table.copy()
    for col in sheet.columns:
        if col.name not in table.columns:
            continue
        fill = col.fill_value()
        if col.numeric:
            table[col.name] = table[col.name].astype(float).fillna(fill)
        else:
            table[col.name] = table[col.name].fillna("")
            if fill != "":
                table[col.name] = table[col.name].replace("", fill)
    return table


def _corridor_defaults(c: pd.DataFrame, regions: pd.DataFrame, s: Settings) -> pd.DataFrame:
    """Distance, latency, capex and loss from settings and distance where a corridor leaves them blank."""
    c = c.copy()
    known = c["from"].isin(regions.index) & c["to"].isin(regions.index)
    c = c[known]
    a, b = regions.loc[c["from"]], regions.loc[c["to"]]
    great_circle = haversine_km(a["lat"].to_numpy(), a["lon"].to_numpy(), b["lat"].to_numpy(), b["lon"].to_numpy())
    c["distance_km"] = c["distance_km"].fillna(pd.Series(great_circle * ROUTE_FACTOR, index=c.index))
    c["latency_ms"] = c["latency_ms"].fillna(c["distance_km"] * s.ms_per_km + s.latency_overhead_ms)
    for tech, per_km, fixed in (("optical", "optical_capex_per_tbps_km", "optical_fixed_capex_per_tbps"),
                                ("hvdc", "hvdc_capex_per_gw_km", "hvdc_fixed_capex_per_gw")):
        if s[per_km] is not None:
            c[f"{tech}_capex"] = c[f"{tech}_capex"].fillna(c["distance_km"] * s[per_km] + s[fixed])
    c["hvdc_loss"] = c["hvdc_loss"].fillna(c["distance_km"] / 1000.0 * s.hvdc_loss_per_1000km)
    c["hvdc_first_year"] = c["hvdc_first_year"].fillna(s.start_year + s.hvdc_lead_years)
    c["optical_first_year"] = c["optical_first_year"].fillna(s.start_year + s.optical_lead_years)
    # What each corridor may carry (SPEC 4.3, 4.5): optical is allowed where some exists or a
    # build is not forbidden; it can be built where its limit is above what exists.
    for tech, unit in (("optical", "tbps"), ("hvdc", "gw")):
        existing, limit = c[f"{tech}_existing_{unit}"], c[f"{tech}_max_{unit}"]
        c[f"{tech}_allowed"] = (existing > 0) | (limit > 0)
        c[f"{tech}_buildable"] = limit > existing
    return c.reset_index(drop=True)


@dataclass
class CheckedInput:
    """A case read and checked cell by cell, before defaults: what scenarios change."""

    raw: RawCase
    tables: dict[str, pd.DataFrame]
    settings: dict[str, object]
    problems: list[Problem]
    touched: dict[tuple[str, object], str] = field(default_factory=dict)   # (sheet, row or setting) -> change

    def copy(self) -> "CheckedInput":
        return CheckedInput(self.raw, {k: v.copy() for k, v in self.tables.items()}, dict(self.settings),
                            list(self.problems), dict(self.touched))


def read_checked(path: str | Path) -> CheckedInput:
    raw = read_case(path)
    tables, settings, problems = check_tables(raw)
    return CheckedInput(raw, tables, settings, problems)


def finish_case(checked: CheckedInput, source: str, remap=None) -> Case:
    """Fill defaults, check the rules that need them, and return the case or raise InputError.

    ``remap`` may rewrite problems (a scenario points problems in rows it added at its own file).
    """
    problems = list(checked.problems)
    tables, settings = checked.tables, checked.settings
    fatal = has_errors(problems) and (
        not {"start_year", "end_year"} <= settings.keys()
        or settings["start_year"] > settings["end_year"]
        or "regions" not in tables
        or "workloads" not in tables
        or "demand" not in tables
    )
    if not fatal and tables:
        case = Case.from_tables(checked.raw, tables, settings)
        problems += check_rules(case)
        problems += suspicious(case)
    else:
        case = None
    problems = _with_letters(problems, checked.raw)
    if remap is not None:
        problems = [remap(p) for p in problems]
    if has_errors(problems) or case is None:
        raise InputError(problems, source)
    case.warnings = sorted(problems, key=Problem.sort_key)
    case.checked = checked
    return case


def load_case(path: str | Path) -> Case:
    """Read and check a case; raise InputError with every problem, or return it with its warnings."""
    return finish_case(read_checked(path), str(path))


def case_from_frames(sheets: dict[str, pd.DataFrame], name: str = "case") -> Case:
    """A case from DataFrames, one per sheet (``settings`` with columns key and value), checked
    exactly as a workbook is; problems name the sheet, the row as a spreadsheet would number it
    (header = row 1) and the column."""
    from planner.case.reading import read_frames

    raw = read_frames(sheets, name)
    tables, settings, problems = check_tables(raw)
    return finish_case(CheckedInput(raw, tables, settings, problems), name)


def _with_letters(problems: list[Problem], raw: RawCase) -> list[Problem]:
    """Point problems found on typed tables back at their spreadsheet column letter."""
    out = []
    for p in problems:
        sheet = raw.sheets.get(p.sheet)
        if p.letter is None and p.column and sheet is not None:
            letter = sheet.letter(p.column)
            if letter:
                p = Problem(p.severity, p.sheet, p.message, p.row, p.column, letter, p.value)
        out.append(p)
    return out
