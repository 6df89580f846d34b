"""The input schema (SPEC section 2), declared once.

Reading, validation, the generated docs and the Excel template all walk these objects; no
other module lists a sheet's columns. A column says its type, unit, default, bounds and the
sheet it refers to; a sheet says its key and the rules that tie its columns together. Rules
are stated here in words and implemented in :mod:`planner.validation` under the same id.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum


class Kind(str, Enum):
    ID = "id"          # an identifier: text, surrounding spaces ignored, case kept
    TEXT = "text"      # free text
    NUMBER = "number"  # a real number
    YEAR = "year"      # a whole calendar year
    CHOICE = "choice"  # one of a fixed list of words


@dataclass(frozen=True)
class Marker:
    """A default that is not a value: required, no limit, never, or blank."""

    text: str

    def __repr__(self) -> str:
        return self.text


REQUIRED = Marker("required")
NO_LIMIT = Marker("no limit")  # read as +infinity
NEVER = Marker("never")        # a year that never comes: +infinity
BLANK = Marker("blank")        # stays blank (NaN or "")


@dataclass(frozen=True)
class Derived:
    """A default computed from other inputs after reading (see :mod:`planner.case`)."""

    text: str

    def __repr__(self) -> str:
        return self.text


# No input quantity is sensibly larger than this in size, in any unit or currency (a GW of HVDC
# in Indonesian rupiah is about 5e13); a bigger number is a typo or a unit slip, and numbers near
# the float limit (1e308) would overflow the objective.
LARGEST = 1e15


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    unit: str = ""
    default: object = BLANK
    doc: str = ""
    min: float | None = None    # inclusive bounds
    max: float | None = None
    above: float | None = None  # exclusive bounds
    below: float | None = None
    ref: str | None = None      # "sheet.column" this value must exist in
    choices: tuple[str, ...] = ()
    largest: float = LARGEST    # no sensible value is larger in size

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.YEAR)

    def fill_value(self) -> object:
        """What a blank cell becomes after reading (derived defaults stay blank)."""
        if self.default in (NO_LIMIT, NEVER):
            return math.inf
        if isinstance(self.default, Marker) or isinstance(self.default, Derived):
            return math.nan if self.numeric else ""
        return self.default

    def default_text(self) -> str:
        if isinstance(self.default, (Marker, Derived)):
            return repr(self.default)
        return str(self.default)

    def bounds_text(self) -> str:
        parts = []
        if self.above is not None:
            parts.append(f"> {self.above:g}")
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.below is not None:
            parts.append(f"< {self.below:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.choices:
            parts.append("one of " + ", ".join(self.choices))
        return " and ".join(parts)

    def beyond_sense(self, x: float) -> bool:
        """A number too large to be meant (or not finite)."""
        return not math.isfinite(x) or abs(x) > self.largest

    def violates(self, x: float) -> bool:
        return bool(
            (self.min is not None and x < self.min)
            or (self.max is not None and x > self.max)
            or (self.above is not None and x <= self.above)
            or (self.below is not None and x >= self.below)
        )


@dataclass(frozen=True)
class Rule:
    """A check across columns or sheets, stated for people; implemented in validation."""

    id: str
    text: str


@dataclass(frozen=True)
class Wide:
    """An alternative layout: id columns, then one column per year holding ``value``."""

    ids: tuple[str, ...]
    year: str
    value: str


@dataclass(frozen=True)
class Sheet:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    key_value: bool = False       # settings: one row per key, columns `key`, `value`
    unordered_key: bool = False   # corridors: A-B and B-A are the same key
    wide: Wide | None = None
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


YEARS = dict(min=1900, max=2200)  # a sensible calendar range for every year column

SETTINGS = Sheet(
    "settings",
    "Key/value sheet (columns `key`, `value`): horizon, money and technology constants.",
    (
        Column("start_year", Kind.YEAR, "year", REQUIRED, "first planning year; costs are discounted to it", **YEARS),
        Column("end_year", Kind.YEAR, "year", REQUIRED, "last planning year (inclusive)", **YEARS),
        Column("year_step", Kind.YEAR, "years", 1, "one model period every `year_step` years", min=1),
        Column("discount_rate", Kind.NUMBER, "fraction", 0.07, "also used to annualise capital cost", min=0, below=1),
        Column("currency", Kind.TEXT, "", "USD", "label only"),
        Column("rack_kw", Kind.NUMBER, "kW", 2.5, "IT power of one standard rack", above=0),
        Column("max_utilization", Kind.NUMBER, "fraction", 0.85, "highest average share of a region's racks that may be busy", above=0, max=1),
        Column("min_utilization", Kind.NUMBER, "fraction", 0.65, "below this, capacity is flagged as an overcapacity risk", min=0, max=1),
        Column("unserved_penalty", Kind.NUMBER, "currency per million tokens", 5.0, "price of demand that no region serves (bought abroad)", min=0,
               largest=1e9),   # x 365e6 million tokens a year stays inside what HiGHS treats as finite (1e20)
        Column("ms_per_km", Kind.NUMBER, "ms", 0.01, "round-trip fibre latency per km of route distance", min=0),
        Column("latency_overhead_ms", Kind.NUMBER, "ms", 2.0, "fixed round-trip latency of a remote path", min=0),
        Column("rack_life", Kind.NUMBER, "years", 15, "default life of new racks", above=0),
        Column("optical_life", Kind.NUMBER, "years", 20, "life of new optical capacity", above=0),
        Column("hvdc_life", Kind.NUMBER, "years", 40, "life of new HVDC capacity", above=0),
        Column("optical_capex_per_tbps_km", Kind.NUMBER, "currency per Tbps-km", BLANK,
               "optical build cost per km; required if a corridor that may build optical has no `optical_capex`", min=0),
        Column("optical_fixed_capex_per_tbps", Kind.NUMBER, "currency per Tbps", 0, "terminal equipment per Tbps, added to the per-km cost", min=0),
        Column("optical_fom", Kind.NUMBER, "currency per Tbps-year", 0, "fixed O&M of optical capacity", min=0),
        Column("hvdc_capex_per_gw_km", Kind.NUMBER, "currency per GW-km", BLANK,
               "HVDC build cost per km; required if a corridor that may build HVDC has no `hvdc_capex`", min=0),
        Column("hvdc_fixed_capex_per_gw", Kind.NUMBER, "currency per GW", 0, "converter stations per GW, added to the per-km cost", min=0),
        Column("hvdc_fom", Kind.NUMBER, "currency per GW-year", 0, "fixed O&M of HVDC capacity", min=0),
        Column("hvdc_loss_per_1000km", Kind.NUMBER, "fraction", 0.03, "line loss per 1000 km", min=0, below=1),
        Column("server_life", Kind.NUMBER, "years", 5, "default life of new servers (version 2, SPEC 7.1)", above=0),
        Column("min_occupancy", Kind.NUMBER, "fraction", 0.65,
               "below this share of shell power fitted with servers, racks are flagged empty (7.1)", min=0, max=1),
        Column("rack_lead_years", Kind.NUMBER, "years", 0, "years from start_year before new racks and servers can stand (7.4)", min=0, max=100),
        Column("hvdc_lead_years", Kind.NUMBER, "years", 0, "years from start_year before new HVDC can stand (7.4)", min=0, max=100),
        Column("optical_lead_years", Kind.NUMBER, "years", 0, "years from start_year before new optical can stand (7.4)", min=0, max=100),
    ),
    key_value=True,
    rules=(Rule("horizon", "start_year must not be after end_year"),),
)

REGIONS = Sheet(
    "regions",
    "One row per region: where racks can stand, what they cost, and the power they can buy.",
    (
        Column("region", Kind.ID, "id", REQUIRED, "unique id, e.g. `gansu`"),
        Column("name", Kind.TEXT, "text", Derived("= region"), "display name"),
        Column("lat", Kind.NUMBER, "degrees", REQUIRED, "latitude, for maps and default corridor distances", min=-90, max=90),
        Column("lon", Kind.NUMBER, "degrees", REQUIRED, "longitude, for maps and default corridor distances", min=-180, max=180),
        Column("zone", Kind.ID, "text", BLANK, "grouping for policies and reports, e.g. `east`, `west`"),
        Column("pue", Kind.NUMBER, "ratio", REQUIRED, "facility power / IT power", min=1),
        Column("existing_racks", Kind.NUMBER, "racks", 0, "racks in service at start_year", min=0),
        Column("existing_retire_year", Kind.YEAR, "year", NEVER, "existing racks leave service from this year on", **YEARS),
        Column("max_racks", Kind.NUMBER, "racks", NO_LIMIT, "most racks the region can host (land, power, permits)", min=0),
        Column("max_build_per_year", Kind.NUMBER, "racks/year", NO_LIMIT, "build-rate limit", min=0),
        Column("rack_capex", Kind.NUMBER, "currency/rack", REQUIRED, "cost of building one rack", min=0),
        Column("rack_fom", Kind.NUMBER, "currency/rack-year", 0, "fixed O&M of every rack in service, busy or idle", min=0),
        Column("rack_life", Kind.NUMBER, "years", Derived("settings.rack_life"), "life of racks built here", above=0),
        Column("grid_price", Kind.NUMBER, "currency/MWh", REQUIRED, "price of grid power", min=0),
        Column("grid_max_mw", Kind.NUMBER, "MW", NO_LIMIT, "most average grid power data centres may draw", min=0),
        Column("grid_co2", Kind.NUMBER, "t/MWh", 0, "grid emission factor", min=0),
        Column("green_price", Kind.NUMBER, "currency/MWh", BLANK, "price of contracted green power; required if green_mw > 0", min=0),
        Column("green_mw", Kind.NUMBER, "MW", 0, "average green power that can be contracted", min=0),
        Column("server_capex", Kind.NUMBER, "currency per kW of IT", 0, "cost of new servers and accelerators (7.1)", min=0),
        Column("server_fom", Kind.NUMBER, "currency per kW-year", 0, "fixed O&M of servers in service (7.1)", min=0),
        Column("server_life", Kind.NUMBER, "years", Derived("settings.server_life"), "life of servers built here (7.1)", above=0),
        Column("existing_server_share", Kind.NUMBER, "fraction", 1.0,
               "share of existing racks fitted with servers at start_year; they leave service linearly over server_life (7.1)",
               min=0, max=1),
        Column("first_build_year", Kind.YEAR, "year", Derived("start_year + rack_lead_years"),
               "first year new racks and servers can be built here (7.4)", **YEARS),
        Column("unserved_penalty", Kind.NUMBER, "currency per million tokens", BLANK,
               "price of this region's unserved demand; overrides the workload's and the setting (7.5)", min=0, largest=1e9),
        Column("tags", Kind.TEXT, "text", BLANK, "groups the region belongs to for policies, separated by ';' (7.5b)"),
    ),
    key=("region",),
    rules=(Rule("green_price_needed", "green_price is required where green_mw > 0"),),
)

# The region columns that may change over time (region_years) and between futures.
TIME_VARYING = ("grid_price", "green_price", "green_mw", "grid_max_mw", "grid_co2")

REGION_YEARS = Sheet(
    "region_years",
    "Optional. A region's prices and availability from a year on; a blank cell changes nothing. "
    "A value holds until the next given year; before the first given year the `regions` value holds.",
    (
        replace(REGIONS.column("region"), ref="regions.region", doc="region id"),
        Column("year", Kind.YEAR, "year", REQUIRED, "first year the values hold", **YEARS),
        *(replace(REGIONS.column(n), default=BLANK, doc=REGIONS.column(n).doc + " from this year on") for n in TIME_VARYING),
    ),
    key=("region", "year"),
    required=False,
    rules=(Rule("green_price_needed", "green_price is required where green_mw > 0 (after filling by year)"),),
)

WORKLOADS = Sheet(
    "workloads",
    "One row per class of AI work.",
    (
        Column("workload", Kind.ID, "id", REQUIRED, "e.g. `realtime`, `interactive`, `batch`, `training`"),
        Column("max_latency_ms", Kind.NUMBER, "ms", NO_LIMIT, "round-trip latency limit between user region and serving region", min=0),
        Column("mwh_per_ttok", Kind.NUMBER, "MWh per trillion tokens", REQUIRED, "IT energy; racks follow from power (rack_kw)", above=0),
        Column("gbps_per_ttok", Kind.NUMBER, "Gbps per (trillion tokens/day)", 0, "backbone traffic when served in another region", min=0),
        Column("network_sensitivity", Kind.NUMBER, "fraction", 1.0,
               "how much of a corridor's loss this work suffers: efficiency 1 - sensitivity x (1 - corridor efficiency) (7.2)",
               min=0, max=1),
        Column("unserved_penalty", Kind.NUMBER, "currency per million tokens", BLANK,
               "price of this workload's unserved demand, where the user region gives none (7.5)", min=0, largest=1e9),
        Column("shiftable", Kind.NUMBER, "fraction", 0.0,
               "share of the demand that may be served in any slice of the same day (7.6)", min=0, max=1),
    ),
    key=("workload",),
)

WORKLOAD_YEARS = Sheet(
    "workload_years",
    "Optional (7.3). Energy and traffic per token by year; each column is interpolated linearly between its "
    "given years, the first given value holds before and the last after; a blank cell changes nothing.",
    (
        Column("workload", Kind.ID, "id", REQUIRED, "workload class", ref="workloads.workload"),
        Column("year", Kind.YEAR, "year", REQUIRED, "calendar year", **YEARS),
        Column("mwh_per_ttok", Kind.NUMBER, "MWh per trillion tokens", BLANK, "IT energy in that year", above=0),
        Column("gbps_per_ttok", Kind.NUMBER, "Gbps per (trillion tokens/day)", BLANK, "backbone traffic in that year", min=0),
    ),
    key=("workload", "year"),
    required=False,
)

DEMAND = Sheet(
    "demand",
    "Tokens per day originating in each region, by workload and year. Years between given years are "
    "interpolated linearly; before the first and after the last the nearest value holds. Also accepted "
    "wide: `region`, `workload`, then one column per year.",
    (
        Column("region", Kind.ID, "id", REQUIRED, "user region", ref="regions.region"),
        Column("workload", Kind.ID, "id", REQUIRED, "workload class", ref="workloads.workload"),
        Column("year", Kind.YEAR, "year", REQUIRED, "calendar year", **YEARS),
        Column("ttok_per_day", Kind.NUMBER, "trillion tokens/day", REQUIRED, "yearly average demand", min=0, largest=1e9),
    ),
    key=("region", "workload", "year"),
    wide=Wide(ids=("region", "workload"), year="year", value="ttok_per_day"),
)

TIMESLICES = Sheet(
    "timeslices",
    "Optional (7.6). The hours of a year as slices, e.g. 24 hours of a few representative days; the hours "
    "must add up to 8760. Without this sheet a year is one slice of 8760 hours.",
    (
        Column("slice", Kind.ID, "id", REQUIRED, "unique id, e.g. `summer_h13`"),
        Column("hours", Kind.NUMBER, "hours per year", REQUIRED, "hours of the year the slice stands for", above=0, max=8760),
        Column("day", Kind.ID, "id", Derived("= slice"), "representative day the slice belongs to; shiftable work moves within it"),
        Column("order", Kind.NUMBER, "", Derived("row order"), "position in the day, for charts"),
    ),
    key=("slice",),
    required=False,
    rules=(Rule("hours_sum", "the hours of all slices add up to 8760 (within 1e-6)"),),
)

PROFILES = Sheet(
    "profiles",
    "Optional (7.6). Per region and slice, multipliers of the yearly values; a missing row means 1. "
    "green_mw stays the yearly average: a green profile whose hours-weighted mean is not 1 (within 1 %) is warned about.",
    (
        Column("region", Kind.ID, "id", REQUIRED, "region", ref="regions.region"),
        Column("slice", Kind.ID, "id", REQUIRED, "slice", ref="timeslices.slice"),
        Column("green_factor", Kind.NUMBER, "ratio", 1.0, "green power available = green_mw x factor", min=0),
        Column("grid_price_factor", Kind.NUMBER, "ratio", 1.0, "grid price in the slice = grid_price x factor", min=0),
        Column("grid_max_factor", Kind.NUMBER, "ratio", 1.0, "grid power allowed = grid_max_mw x factor (blank grid_max_mw stays unlimited)", min=0),
    ),
    key=("region", "slice"),
    required=False,
    rules=(Rule("needs_timeslices", "profiles need a timeslices sheet"),
           Rule("green_mean", "warn where the hours-weighted mean of green_factor differs from 1 by more than 1 %")),
)

WORKLOAD_PROFILES = Sheet(
    "workload_profiles",
    "Optional (7.6). Per workload and slice, the demand in the slice as a multiple of the yearly average; the "
    "hours-weighted mean over the year must be 1 within 1 % (it is then normalised exactly, so yearly tokens are unchanged).",
    (
        Column("workload", Kind.ID, "id", REQUIRED, "workload", ref="workloads.workload"),
        Column("slice", Kind.ID, "id", REQUIRED, "slice", ref="timeslices.slice"),
        Column("demand_factor", Kind.NUMBER, "ratio", 1.0, "demand in the slice / yearly average demand", min=0),
    ),
    key=("workload", "slice"),
    required=False,
    rules=(Rule("needs_timeslices", "workload_profiles need a timeslices sheet"),
           Rule("demand_mean", "the hours-weighted mean of each workload's demand_factor is 1 within 1 %")),
)

CORRIDORS = Sheet(
    "corridors",
    "Optional. Links between two regions for optical data, HVDC power, or both; one row serves both directions.",
    (
        Column("from", Kind.ID, "id", REQUIRED, "one end", ref="regions.region"),
        Column("to", Kind.ID, "id", REQUIRED, "other end", ref="regions.region"),
        Column("distance_km", Kind.NUMBER, "km", Derived("great-circle distance x 1.2"), "route length", above=0),
        Column("latency_ms", Kind.NUMBER, "ms", Derived("distance_km x ms_per_km + latency_overhead_ms"), "round-trip latency", min=0),
        Column("efficiency", Kind.NUMBER, "fraction", 1.0, "share of remote compute that is useful; 0.98 for a deterministic network", above=0, max=1),
        Column("optical_existing_tbps", Kind.NUMBER, "Tbps", 0, "optical capacity in service today", min=0),
        Column("optical_max_tbps", Kind.NUMBER, "Tbps", NO_LIMIT, "most optical capacity in service; 0 forbids optical build", min=0),
        Column("optical_capex", Kind.NUMBER, "currency/Tbps", Derived("optical_capex_per_tbps_km x distance_km + optical_fixed_capex_per_tbps"), "optical build cost", min=0),
        Column("hvdc_existing_gw", Kind.NUMBER, "GW", 0, "HVDC capacity in service today", min=0),
        Column("hvdc_max_gw", Kind.NUMBER, "GW", NO_LIMIT, "most HVDC capacity in service; 0 forbids HVDC build", min=0),
        Column("hvdc_capex", Kind.NUMBER, "currency/GW", Derived("hvdc_capex_per_gw_km x distance_km + hvdc_fixed_capex_per_gw"), "HVDC build cost", min=0),
        Column("hvdc_loss", Kind.NUMBER, "fraction", Derived("hvdc_loss_per_1000km x distance_km / 1000"), "share of sent power lost", min=0, below=1),
        Column("hvdc_first_year", Kind.YEAR, "year", Derived("start_year + hvdc_lead_years"), "first year new HVDC can be built (7.4)", **YEARS),
        Column("optical_first_year", Kind.YEAR, "year", Derived("start_year + optical_lead_years"),
               "first year new optical can be built (7.4)", **YEARS),
        Column("hvdc_tariff", Kind.NUMBER, "currency/MWh", 0, "transmission charge on power sent, paid by the sender (7.5c)", min=0),
        Column("optical_tariff", Kind.NUMBER, "currency per Tbps-year", 0, "fee on data carried, each direction (7.5c)", min=0),
    ),
    key=("from", "to"),
    required=False,
    unordered_key=True,
    rules=(
        Rule("distinct_ends", "from and to must be different regions"),
        Rule("capex_known", "a corridor that may build optical (HVDC) needs optical_capex (hvdc_capex) or the per-km setting"),
        Rule("loss_below_one", "hvdc_loss computed from distance must be below 1"),
    ),
)

POLICY_KINDS = ("min_green_share", "carbon_cap_mt", "min_zone_capacity_share", "min_zone_build_share")

POLICIES = Sheet(
    "policies",
    "Optional. Targets per year; a value holds from its year until the next given year. "
    "`min_green_share`: green MW >= value x all MW bought (fraction); `carbon_cap_mt`: grid emissions "
    "<= value (million t CO2/year); `min_zone_capacity_share`: racks in the zone >= value x all racks (fraction); "
    "`min_zone_build_share`: racks built in the zone since start_year >= value x all racks built (fraction). A zone "
    "matches the regions with that zone and those with that tag.",
    (
        Column("policy", Kind.CHOICE, "", REQUIRED, "which target", choices=POLICY_KINDS),
        Column("year", Kind.YEAR, "year", REQUIRED, "first year the value holds", **YEARS),
        Column("value", Kind.NUMBER, "fraction or Mt CO2/year", REQUIRED, "the target", min=0),
        Column("zone", Kind.ID, "text", BLANK, "zone or tag the target applies to; blank = whole system"),
    ),
    key=("policy", "year", "zone"),
    required=False,
    rules=(
        Rule("zone_needed", "min_zone_capacity_share and min_zone_build_share need a zone"),
        Rule("zone_known", "a zone must be the zone or a tag of some region"),
        Rule("share_at_most_one", "shares (min_green_share, min_zone_capacity_share, min_zone_build_share) must be at most 1"),
    ),
)

BUILD_KINDS = ("fixed", "min", "max")

PLANNED_BUILDS = Sheet(
    "planned_builds",
    "Optional. Announced projects forced into the plan: racks built in the model period that contains "
    "`year` equal (fixed), at least (min) or at most (max) the sum of `racks` of the rows landing there.",
    (
        Column("region", Kind.ID, "id", REQUIRED, "region of the project", ref="regions.region"),
        Column("year", Kind.YEAR, "year", REQUIRED, "year the racks are built", **YEARS),
        Column("racks", Kind.NUMBER, "racks", REQUIRED, "racks built", min=0),
        Column("kind", Kind.CHOICE, "", REQUIRED, "fixed, min or max", choices=BUILD_KINDS),
    ),
    key=("region", "year", "kind"),
    required=False,
    rules=(Rule("builds_fit", "planned builds must fit build limits, max_racks and each other"),
           Rule("builds_after_first_year", "a fixed or min planned build must land in a period that may build (first_build_year)")),
)

SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (SETTINGS, REGIONS, REGION_YEARS, WORKLOADS, WORKLOAD_YEARS, DEMAND, CORRIDORS, POLICIES, PLANNED_BUILDS,
              TIMESLICES, PROFILES, WORKLOAD_PROFILES)
}


def column_by_ref(ref: str) -> tuple[Sheet, Column]:
    sheet, col = ref.split(".")
    return SHEETS[sheet], SHEETS[sheet].column(col)
