"""Every output the planner writes, declared once: the tables of a results folder (SPEC 5),
the tables of stress tests, regret, sweeps and comparisons, and the keys of run.json.

Each column has a unit and a meaning; the workbook's number formats, the header comments, the
CSV files and docs/outputs.md all follow from here, so no unit is guessed from a column's name.
A column whose name is only known at run time (a zone, a year, a varied input) is declared with
a ``{placeholder}``; ``column_of`` finds the declaration of any column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from planner.optimise.prepare import BASE_FUTURE

CUR = "{currency}"  # replaced by the case's currency in headers and docs


@dataclass(frozen=True)
class Col:
    name: str
    unit: str
    doc: str
    optional: bool = False   # written only when the run has it (server columns: only when servers are modelled)


TABLES: dict[str, tuple[Col, ...]] = {
    "summary": (
        Col("item", "", "what is reported"),
        Col("value", "", "the figure"),
        Col("unit", "", "its unit"),
    ),
    "costs": (
        Col("year", "year", "calendar year"),
        Col("period", "year", "model period the year belongs to"),
        Col("component", "", "rack_capex, rack_fom, optical, hvdc, energy or unserved"),
        Col("cost", f"{CUR}/year", "cost in that year, money of that year"),
        Col("discounted_cost", CUR, "cost discounted to start_year; these add up to the objective"),
    ),
    "capacity": (
        Col("region", "id", "region"),
        Col("zone", "", "zone of the region"),
        Col("year", "year", "model period (first year)"),
        Col("racks_built", "racks", "racks built in the period"),
        Col("racks_in_service", "racks", "existing and new racks in service"),
        Col("busy_racks", "racks", "racks needed for the IT load: IT MW x 1000 / rack_kw"),
        Col("utilization", "fraction", "busy / in service"),
        Col("idle_racks", "racks", "in service - busy (includes the max_utilization headroom)"),
        Col("it_mw", "MW", "average IT power of the work served here"),
        Col("facility_mw", "MW", "IT power x pue"),
        Col("peak_it_mw", "MW", "IT power in the busiest time slice (with time slices)", optional=True),
        Col("server_mw_built", "MW", "MW of IT servers built in the period (SPEC 7.1)", optional=True),
        Col("server_mw_in_service", "MW", "existing and new servers in service", optional=True),
        Col("occupancy", "fraction", "server MW / shell MW (racks in service x rack_kw): how full the shells are",
            optional=True),
        Col("server_utilization", "fraction", "IT MW / server MW", optional=True),
    ),
    "serving": (
        Col("from_region", "id", "where the users are"),
        Col("to_region", "id", "where the work is served"),
        Col("workload", "id", "workload class"),
        Col("year", "year", "model period (first year)"),
        Col("ttok_per_day", "trillion tokens/day", "useful tokens served"),
    ),
    "network": (
        Col("from", "id", "one end of the corridor"),
        Col("to", "id", "other end"),
        Col("year", "year", "model period (first year)"),
        Col("optical_built_tbps", "Tbps", "optical capacity built in the period"),
        Col("optical_in_service_tbps", "Tbps", "optical capacity in service"),
        Col("optical_forward_tbps", "Tbps", "traffic of users in `from` served in `to`"),
        Col("optical_reverse_tbps", "Tbps", "traffic of users in `to` served in `from`"),
        Col("optical_utilization", "fraction", "busier direction / capacity in service"),
        Col("hvdc_built_gw", "GW", "HVDC capacity built in the period"),
        Col("hvdc_in_service_gw", "GW", "HVDC capacity in service"),
        Col("hvdc_forward_mw", "MW", "power sent from `from` to `to` (at the sending end)"),
        Col("hvdc_reverse_mw", "MW", "power sent from `to` to `from` (at the sending end)"),
        Col("hvdc_utilization", "fraction", "busier direction / capacity in service"),
        Col("optical_peak_utilization", "fraction", "busiest slice of either direction / capacity (with time slices)",
            optional=True),
        Col("hvdc_peak_utilization", "fraction", "busiest slice of either direction / capacity (with time slices)",
            optional=True),
    ),
    "energy": (
        Col("region", "id", "region"),
        Col("year", "year", "model period (first year)"),
        Col("grid_mw", "MW", "average grid power bought"),
        Col("green_mw", "MW", "average green power bought"),
        Col("imports_mw", "MW", "HVDC power received, after losses"),
        Col("exports_mw", "MW", "HVDC power sent"),
        Col("facility_mw", "MW", "power used by data centres: IT MW x pue"),
        Col("energy_cost", f"{CUR}/year", "grid and green power bought"),
        Col("emissions_t", "t CO2/year", "grid power x grid_co2"),
    ),
    "unserved": (
        Col("region", "id", "where the users are"),
        Col("workload", "id", "workload class"),
        Col("year", "year", "model period (first year)"),
        Col("ttok_per_day", "trillion tokens/day", "demand no region of the network serves"),
        Col("share", "fraction", "unserved / demand"),
    ),
    "prices": (
        Col("price", "", "rack_value, token_cost, power_price, or a policy's name"),
        Col("region", "id", "region (blank for system-wide prices)"),
        Col("workload", "id", "workload (token_cost only)"),
        Col("zone", "", "zone of a policy (blank = whole system)"),
        Col("year", "year", "model period (first year)"),
        Col("value", "", "shadow price, money of its own year"),
        Col("unit", "", "unit of the value"),
    ),
    "risks": (
        Col("asset", "", "racks, servers, optical or hvdc"),
        Col("region", "id", "region, or corridor from-to"),
        Col("year", "year", "model period (first year); for stranded and over_plan, the build year"),
        Col("utilization", "fraction", "busy / in service (occupancy for empty_racks)"),
        Col("idle", "", "idle capacity, in `unit`"),
        Col("unit", "", "racks, MW, Tbps or GW"),
        Col("idle_cost", f"{CUR}/year", "annual cost (annuities + fixed O&M) of the idle or excess capacity"),
        Col("flag", "", "idle, empty_racks, idle_servers, stranded, over_plan or network_idle"),
        Col("reason", "", "why it is flagged"),
        Col("idle_from_plan", "", "of `idle`, what the plan built (the rest stood before it), in `unit`"),
        Col("idle_cost_from_plan", f"{CUR}/year", "annual cost of the idle capacity the plan built"),
    ),
}
# With time slices only (SPEC 7.6): the day, slice by slice.
DISPATCH_TABLE = (
    Col("region", "id", "region"),
    Col("year", "year", "model period (first year)"),
    Col("day", "id", "representative day of the slice"),
    Col("slice", "id", "time slice"),
    Col("hours", "hours per year", "hours of the year the slice stands for"),
    Col("it_mw", "MW", "IT power of the work served here in the slice"),
    Col("it_mw_{workload}", "MW", "IT power of one workload served here in the slice"),
    Col("grid_mw", "MW", "grid power bought in the slice"),
    Col("green_mw", "MW", "green power bought in the slice"),
    Col("imports_mw", "MW", "HVDC power received in the slice, after losses"),
    Col("exports_mw", "MW", "HVDC power sent in the slice"),
    Col("power_price", f"{CUR}/MWh", "marginal price of power in the slice, money of its own year"),
)
# Where the regions are (for maps and reports read back from a results folder).
PLACES_TABLE = (
    Col("region", "id", "region"),
    Col("name", "", "display name"),
    Col("zone", "", "zone"),
    Col("lat", "degrees", "latitude of the region's data centres"),
    Col("lon", "degrees", "longitude"),
    Col("existing_racks", "racks", "racks in service at start_year"),
    Col("max_racks", "racks", "most racks the region can host (blank: no limit)"),
)
# Only with several futures (SPEC 4.4): per-future results.
FUTURES_TABLE = (
    Col("future", "", "demand future"),
    Col("probability", "fraction", "probability of the future"),
    Col("first_stage_cost", CUR, "the shared build plan: rack, optical and HVDC capex and fixed O&M (discounted)"),
    Col("second_stage_cost", CUR, "energy and unserved demand if this future happens (discounted)"),
    Col("total_cost", CUR, "first + second stage if this future happens"),
    Col("demand_served_share", "fraction", "share of this future's demand served"),
    Col("mean_utilization", "fraction", "busy racks / racks in service over the horizon"),
    Col("idle_rack_years", "racks", "idle racks (in service minus busy) summed over the years of the horizon"),
)
# The columns of every table a results folder may hold (exports format from this).
TABLE_COLUMNS: dict[str, tuple[Col, ...]] = {**TABLES, "places": PLACES_TABLE, "futures": FUTURES_TABLE,
                                             "dispatch": DISPATCH_TABLE}

FUTURE = Col("future", "", "demand future")


@dataclass(frozen=True)
class Dimension:
    """A dimension of the results beyond the contract's keys: every table in ``tables`` carries
    it inside the program; files of a run with only its ``default`` value leave it out."""

    name: str
    default: str
    tables: tuple[str, ...]


# The tables whose rows are per future (costs are expected over futures; the summary is one row each).
PER_FUTURE = ("capacity", "serving", "network", "energy", "unserved", "prices", "risks", "dispatch")
DIMENSIONS: tuple[Dimension, ...] = (Dimension("future", BASE_FUTURE, PER_FUTURE),)



# ---- tables of the commands that look at plans across scenarios ----------------------------

# Scenario-level figures of one run (planner.results.store.headline): compare, sweep, stress and
# the report show these side by side.
HEADLINE: tuple[Col, ...] = (
    Col("scenario", "", "scenario name"),
    Col("status", "", "solver status"),
    Col("objective", CUR, "total discounted cost (expected over the futures)"),
    Col("cost_{component}", CUR, "discounted cost of one component"),
    Col("first_stage_cost", CUR, "the build plan: capex and fixed O&M (discounted)"),
    Col("second_stage_cost", CUR, "operations: energy and unserved demand (discounted, expected)"),
    Col("racks_built_{zone}", "racks", "racks built in the zone over the horizon"),
    Col("racks_in_service_{year}_{zone}", "racks", "racks in service in the zone in the last model period"),
    Col("hvdc_built_gw", "GW", "HVDC built over the horizon"),
    Col("optical_built_tbps", "Tbps", "optical capacity built over the horizon"),
    Col("demand_served_share", "fraction", "share of demand served (expected)"),
    Col("mean_utilization", "fraction", "busy racks / racks in service over the horizon"),
    Col("cost_of_planned_builds", CUR, "this plan minus the optimum without planned builds"),
    Col("value_of_stochastic_solution", CUR, "what planning for the average future would cost more"),
    Col("expected_value_of_perfect_information", CUR, "what knowing the future in advance would save"),
    Col("idle_cost_sum", f"{CUR} (yearly cost summed over years)", "annual cost of flagged idle capacity, summed over the horizon, expected"),
    Col("idle_cost_from_plan_sum", f"{CUR} (yearly cost summed over years)",
        "the part of idle_cost_sum the plan itself built (the rest stood before it)"),
    Col("idle_rack_years", "rack-years", "idle racks summed over the years of the horizon, expected"),
    Col("top_risks", "", "the three largest risks, what the plan built first"),
)

SWEEP: tuple[Col, ...] = (
    Col("variant", "", "variant number"),
    Col("{sheet}.{column}", "{input unit}", "the value of a varied input in this variant (unit of that input)"),
    Col("status", "", "solver status, or error"),
    Col("reason", "", "why a variant did not solve"),
    *[c for c in HEADLINE if c.name not in ("scenario", "status")],
)

STRESS: tuple[Col, ...] = (
    Col("scenario", "", "scenario the plan is lived in"),
    Col("future", "", "future of that scenario"),
    Col("status", "", "optimal, or failed"),
    Col("reason", "", "why it failed"),
    Col("probability", "fraction", "probability of the future"),
    Col("total_cost", CUR, "the plan's cost if this future happens (discounted)"),
    Col("first_stage_cost", CUR, "the plan's capex and fixed O&M (discounted)"),
    Col("second_stage_cost", CUR, "operations in this future (discounted)"),
    Col("demand_served_share", "fraction", "share of demand served"),
    Col("mean_utilization", "fraction", "busy racks / racks in service over the horizon"),
    Col("idle_rack_years", "rack-years", "idle racks summed over the years of the horizon"),
    Col("idle_cost_sum", f"{CUR} (yearly cost summed over years)", "annual cost of flagged idle capacity, summed over the horizon"),
)

REGRET: tuple[Col, ...] = (
    Col("plan", "", "the future the plan was made for, or stochastic"),
    Col("future", "", "the future it is lived in"),
    Col("probability", "fraction", "probability of that future"),
    Col("cost", CUR, "the plan's cost in that future (discounted)"),
    Col("regret", CUR, "cost minus the best cost had that future been known"),
    Col("demand_served_share", "fraction", "share of demand served"),
    Col("idle_rack_years", "rack-years", "idle racks summed over the years of the horizon"),
)

REGRET_PLANS: tuple[Col, ...] = (
    Col("plan", "", "the future the plan was made for, or stochastic"),
    Col("expected_cost", CUR, "probability-weighted cost over the futures"),
    Col("max_regret", CUR, "worst regret over the futures"),
    Col("expected_regret", CUR, "probability-weighted regret"),
    Col("minimax", "", "the plan whose worst regret is smallest"),
)

COMPARISON: tuple[Col, ...] = (
    Col("item", "", "a headline figure (see the headline columns)"),
    Col("unit", "", "its unit"),
    Col("{scenario}", "(see unit)", "the figure for one scenario"),
)

# Cost components in the planner's words, for the console, charts and the report; a component a
# feature registers without a label here shows its name with spaces.
COMPONENT_LABELS = {"rack_capex": "rack build", "rack_fom": "rack O&M", "server_capex": "server build",
                    "server_fom": "server O&M", "optical": "optical", "hvdc": "HVDC", "energy": "power",
                    "unserved": "unserved"}


def component_label(component: str) -> str:
    """A component's label.

    >>> component_label("rack_capex"), component_label("carbon_tax")
    ('rack build', 'carbon tax')
    """
    return COMPONENT_LABELS.get(component, component.replace("_", " "))


# run.json: what a results folder says about its run (SPEC 6 names the first eight).
RUN_JSON: tuple[Col, ...] = (
    Col("scenario", "", "scenario name"),
    Col("status", "", "optimal, ..."),
    Col("objective", CUR, "total discounted cost"),
    Col("costs", CUR, "discounted total by component"),
    Col("inputs_sha256", "", "hash of the input files (and the scenario file)"),
    Col("timings", "s", "seconds by stage: read, check, build, handoff, highs, analysis, extract, export, and solve; "
        "analysis_beside: seconds the extra solves ran in a helper thread beside extract and export (not in the run's wall time)"),
    Col("versions", "", "Python and package versions"),
    Col("memory_mb", "MB", "peak resident memory at the end of each stage"),
    Col("currency", "", "currency of every amount"),
    Col("stages", CUR, "first (build plan) and second (operations) stage cost"),
    Col("futures", "fraction", "probability of each future (with futures)"),
    Col("value_of_information", CUR, "VSS, EVPI and the solves behind them (with futures)"),
    Col("inputs", "", "the case or scenario file, relative to the working folder of the run"),
    Col("low_demand", CUR, "with a scenario's `low_demand`: the plan lived in that variant (cost, served, idle)"),
    Col("settings", "", "the settings that shape the results"),
    Col("solver", "", "HiGHS version, message, objective it reported, options"),
    Col("model", "", "columns, rows and nonzeros of the LP"),
    Col("warnings", "", "input warnings and notes on the solution"),
    Col("started", "", "when the run started (UTC)"),
    Col("written_by", "", "the planner's mark: a folder it may replace"),
)

# Views of the plan in the workbook only (planner/results/views.py); ``{year}`` is one column a year.
VIEWS: dict[str, tuple[Col, ...]] = {
    "racks_by_region": (Col("zone", "", "zone"), Col("region", "", "region (display name), a zone's subtotal, or all"),
                        Col("{year}", "racks", "racks in service in the model period starting that year")),
    "occupancy_by_region": (Col("zone", "", "zone"), Col("region", "", "region (display name)"),
                            Col("{year}", "fraction", "server MW / shell MW")),
    "hvdc_by_corridor": (Col("corridor", "", "corridor (display names)"), Col("from", "id", "one end"),
                         Col("to", "id", "other end"), Col("{year}", "GW", "HVDC in service")),
    "optical_by_corridor": (Col("corridor", "", "corridor (display names)"), Col("from", "id", "one end"),
                            Col("to", "id", "other end"), Col("{year}", "Tbps", "optical in service")),
    "units": (Col("table", "", "sheet or CSV file"), Col("column", "", "column"), Col("unit", "", "its unit"),
              Col("meaning", "", "what it holds")),
}

# Every table a folder of the planner may hold, by file name (without .csv).
OUTPUT_TABLES: dict[str, tuple[Col, ...]] = {
    **TABLE_COLUMNS, "stress": STRESS, "regret": REGRET, "plans": REGRET_PLANS, "sweep": SWEEP,
    "comparison": COMPARISON, **VIEWS,
}


def _pattern(name: str) -> re.Pattern | None:
    if "{" not in name:
        return None
    return re.compile("^" + re.sub(r"\\{[^}]*\\}", ".+", re.escape(name)) + "$")


def column_of(table: str, name: str) -> Col | None:
    """The declaration of a table's column, matching ``{placeholder}`` names; None if undeclared.

    >>> column_of("sweep", "racks_built_west").unit, column_of("capacity", "future").unit
    ('racks', '')
    >>> column_of("sweep", "regions.green_price").unit
    '{input unit}'
    """
    cols = OUTPUT_TABLES.get(table, ())
    for c in (FUTURE, *cols):
        if c.name == name:
            return c
    for c in cols:
        pattern = _pattern(c.name)
        if pattern is not None and pattern.match(name):
            return c
    return None


# ---- docs/outputs.md ---------------------------------------------------------------------

TITLES = {
    "summary": "status, objective, total discounted cost by component and headline figures",
    "costs": "year x component, undiscounted and discounted",
    "capacity": "per region and year (and future): racks built, in service, busy, utilisation, idle, IT and facility MW",
    "serving": "where each region's work is served",
    "network": "per corridor and year: optical and HVDC built, in service, carried each way, utilisation",
    "energy": "per region and year: grid, green, imports, exports, facility MW, energy cost, emissions",
    "unserved": "demand no region serves",
    "prices": "shadow prices",
    "risks": "overcapacity risks, most expensive first",
    "places": "where the regions are (for maps)",
    "futures": "per future, with futures only",
    "dispatch": "per region, year and time slice, with time slices only: the day as the model runs it",
    "stress": "`planner stress`: a finished plan lived in other scenarios",
    "regret": "`planner regret`: each plan's cost and regret in each future",
    "plans": "`planner regret`: each plan's expected cost and worst regret",
    "sweep": "`planner sweep`: one row per variant",
    "comparison": "`planner compare`: one row per headline figure, one column per scenario",
}


def render() -> str:
    """docs/outputs.md, from the declarations above."""
    lines = ["# Outputs", "",
             "Generated from `planner/results/outputs.py` by `python -m planner.results.outputs`; do not edit by hand.",
             "Money is in the case's currency (`{currency}` below). A column written `{name}` stands for one column",
             f"per value (a zone, a year, a varied input). Tables marked *per future* carry a `future` column",
             "when the run has futures.", ""]
    for name, cols in OUTPUT_TABLES.items():
        per = " *(per future)*" if name in PER_FUTURE else ""
        lines += [f"## {name}.csv{per}", "", TITLES.get(name, ""), "", "| column | unit | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.unit} | {c.doc} |" for c in cols]
        lines.append("")
    lines += ["## run.json", "", "| key | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.unit} | {c.doc} |" for c in RUN_JSON]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
