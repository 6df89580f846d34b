"""Check raw sheets against the schema and turn them into typed tables.

Two passes, both reporting every problem they find:

1. :func:`check_tables` walks the schema: required sheets and columns, cell types, blanks in
   required columns, bounds, duplicate keys and references between sheets. Rows with a bad cell
   are left out of the typed tables, so one mistake does not cascade into many messages.
2. :func:`check_rules` runs the cross-column rules each :class:`~planner.schema.Sheet` names,
   on the case with its defaults filled in (some rules need derived values such as a
   corridor's computed loss).

Decisions (also in docs/inputs.md): sheet and column names are matched ignoring case and
surrounding spaces; ids are matched exactly after stripping surrounding spaces (``Gansu`` and
``gansu`` are different, and the message suggests the near miss); words of a fixed list
(``kind``, ``policy``) ignore case. In a workbook, a number typed as text is an error (Excel's
own sums would skip it); in a CSV file every cell is text, so numbers are read from text.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Callable

import numpy as np
import pandas as pd

from planner import finance
from planner.case.problems import ERROR, Problem, error, nearest, warning
from planner.case.reading import CellFault, RawCase, RawSheet
from planner.case.schema import SETTINGS, SHEETS, Column, Kind, Sheet, Wide

ROW = "_row"  # spreadsheet row of each typed record
BAD = "_bad"  # the record has a bad cell: used for references, then dropped
ORIGIN = "_origin"  # where a record came from when not a sheet row (a scenario's added rows)


def cite(sheet: str, rows: pd.DataFrame) -> str:
    """Where records are, for messages: 'planned_builds rows 3, 4' or a scenario's path."""
    labels = []
    numbers = []
    for r, o in zip(rows[ROW], rows[ORIGIN] if ORIGIN in rows.columns else [""] * len(rows)):
        if isinstance(o, str) and o:
            labels.append(o)
        else:
            numbers.append(int(r))
    if numbers:
        labels.insert(0, f"{sheet} row{'s' if len(numbers) > 1 else ''} {', '.join(str(n) for n in sorted(numbers))}")
    return "; ".join(labels)


# ---------------------------------------------------------------------------------------------
# cells


def _number(cell: object, text_file: bool) -> tuple[float, str | None]:
    """A cell as a number, or the reason it is not one. Blank is NaN."""
    if cell is None:
        return math.nan, None
    if isinstance(cell, CellFault):
        return math.nan, cell.message
    if isinstance(cell, bool):
        return math.nan, f"{cell} is not a number"
    if isinstance(cell, (int, float, np.integer, np.floating)):
        x = float(cell)
        return (x, None) if math.isfinite(x) else (math.nan, "is not a finite number")
    if isinstance(cell, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return math.nan, "is a date or time, not a number"
    text = str(cell).strip()
    if text == "":
        return math.nan, None
    try:
        x = float(text)
    except ValueError:
        if "," in text and _parses(text.replace(",", "")):
            return math.nan, _comma_advice(text)
        if text in ("-", "--", "n/a", "N/A", "na", "NA", "none", "None", "null"):
            return math.nan, "is not a number: leave the cell blank to use the default"
        return math.nan, "is not a number"
    if not math.isfinite(x):
        return math.nan, "is not a number: leave the cell blank for 'no limit'"
    if not text_file:
        return math.nan, "is a number stored as text: enter it as a number"
    return x, None


THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")
DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")


def _comma_advice(text: str) -> str:
    """What to do about a comma in a number: a thousands separator, or a decimal comma.

    >>> _comma_advice("1,25"), _comma_advice("12,345,678.5")
    ('is not a number: it has a decimal comma; write it with a decimal point (1.25)', 'is not a number: remove the thousands separator')
    >>> _comma_advice("1,250")
    'is not a number: remove the thousands separator (or, if the comma is a decimal comma, write 1.250)'
    """
    thousands = THOUSANDS.fullmatch(text) is not None
    decimal = DECIMAL_COMMA.fullmatch(text) is not None
    if decimal and not thousands:
        return f"is not a number: it has a decimal comma; write it with a decimal point ({text.replace(',', '.')})"
    if decimal and thousands:
        return f"is not a number: remove the thousands separator (or, if the comma is a decimal comma, write {text.replace(',', '.')})"
    return "is not a number: remove the thousands separator"


def _parses(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _word(cell: object) -> tuple[str, str | None]:
    """A cell as an id or text; whole numbers lose their '.0'."""
    if cell is None:
        return "", None
    if isinstance(cell, CellFault):
        return "", cell.message
    if isinstance(cell, bool):
        return "", f"{cell} is not a name"
    if isinstance(cell, float):
        return (str(int(cell)) if cell.is_integer() else str(cell)), None
    if isinstance(cell, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return "", "is a date or time, not a name"
    return str(cell).strip(), None


def convert(col: Column, cell: object, text_file: bool) -> tuple[object, str | None]:
    """Type one cell for ``col``; return (value, problem message or None)."""
    if col.numeric:
        x, why = _number(cell, text_file)
        if why:
            return x, why
        if math.isnan(x):
            return x, None
        if col.kind is Kind.YEAR and not x.is_integer():
            return math.nan, "is not a whole year"
        if col.violates(x):
            return x, f"must be {col.bounds_text()}"
        if col.beyond_sense(x):
            return math.nan, beyond_sense_message(col)
        return x, None
    text, why = _word(cell)
    if why:
        return text, why
    if col.kind is Kind.CHOICE and text:
        lowered = text.lower()
        if lowered not in col.choices:
            guess = nearest(lowered, col.choices)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            return text, f"must be one of {', '.join(col.choices)}{hint}"
        return lowered, None
    return text, None


def beyond_sense_message(col: Column) -> str:
    unit = f" {col.unit}" if col.unit and col.unit not in ("fraction", "ratio") else ""
    return f"is beyond any sensible value (at most {col.largest:g}{unit} in size); check the number and its unit"


def is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------------------------
# pass 1: tables


def check_tables(raw: RawCase) -> tuple[dict[str, pd.DataFrame], dict[str, object], list[Problem]]:
    """Typed tables (blanks left blank), typed settings, and every problem found."""
    problems = list(raw.problems)
    if any(p.is_error and p.row is None and p.column is None and p.sheet not in SHEETS for p in problems):
        return {}, {}, problems  # the file itself could not be read
    present = set(raw.sheets)
    for sheet in SHEETS.values():
        if sheet.required and sheet.name not in present and not _unreadable(sheet.name, problems):
            guess = nearest(sheet.name, [n for n in _all_names(raw) if n not in SHEETS])
            hint = f"; is '{guess}' meant to be it?" if guess else ""
            where = "file" if raw.path.is_dir() else "sheet"
            what = f"{sheet.name}.csv" if raw.path.is_dir() else sheet.name
            problems.append(error(sheet.name, f"required {where} '{what}' is missing{hint}"))

    settings: dict[str, object] = {}
    if "settings" in raw.sheets:
        settings, found = _check_settings(raw.sheets["settings"])
        problems += found

    tables: dict[str, pd.DataFrame] = {}
    for name, sheet in SHEETS.items():
        if name == "settings" or name not in raw.sheets:
            continue
        table, found = _check_sheet(sheet, raw.sheets[name])
        problems += found
        if table is not None:
            tables[name] = table
    # References see every id that was itself readable, so one bad cell in a region's row
    # does not make that region "unknown" everywhere else; then rows with bad cells go.
    problems += _check_references(tables)
    tables = {name: t[~t[BAD]].drop(columns=BAD).reset_index(drop=True) for name, t in tables.items()}
    return tables, settings, problems


def _all_names(raw: RawCase) -> list[str]:
    return [p.sheet for p in raw.problems if p.sheet] + list(raw.sheets)


def _unreadable(name: str, problems: list[Problem]) -> bool:
    return any(p.sheet in (name, f"{name}.csv") for p in problems if p.is_error)


def _check_settings(raw: RawSheet) -> tuple[dict[str, object], list[Problem]]:
    problems: list[Problem] = []
    missing = [c for c in ("key", "value") if c not in raw.cells.columns]
    if missing:
        return {}, [error("settings", f"the settings sheet needs columns 'key' and 'value'; missing {', '.join(missing)}",
                          row=raw.header_row)]
    known = {c.name: c for c in SETTINGS.columns}
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    for row, key_cell, cell in zip(raw.cells.index, raw.cells["key"], raw.cells["value"]):
        key, _ = _word(key_cell)
        key = key.lower()
        at = dict(row=int(row), column="key", letter=raw.letter("key"), value=key_cell)
        if not key:
            problems.append(error("settings", "a value without a key", **at))
            continue
        if key not in known:
            guess = nearest(key, known)
            hint = f"; did you mean '{guess}'?" if guess else ""
            problems.append(error("settings", f"unknown setting '{key}'{hint}", **at))
            continue
        if key in seen:
            problems.append(error("settings", f"'{key}' is given twice (also on row {seen[key]})", **at))
            continue
        seen[key] = int(row)
        value, why = convert(known[key], cell, raw.from_text_file)
        vat = dict(row=int(row), column=key, letter=raw.letter("value"), value=cell)
        if why:
            problems.append(error("settings", f"{key} {why}", **vat))
        elif is_blank(value) and known[key].required:
            problems.append(error("settings", f"{key} is required", **vat))
        elif not is_blank(value):
            values[key] = int(value) if known[key].kind is Kind.YEAR else value
    for col in SETTINGS.columns:
        if col.required and col.name not in seen:
            problems.append(error("settings", f"required setting '{col.name}' is missing", column=col.name))
    problems += horizon_problems(values, seen, raw.letter("value"))
    return values, problems


def horizon_problems(values: dict, rows: dict[str, int] | None = None, letter: str | None = None) -> list[Problem]:
    """start_year must not be after end_year."""
    if {"start_year", "end_year"} <= values.keys() and values["start_year"] > values["end_year"]:
        return [error("settings", f"start_year {values['start_year']} is after end_year {values['end_year']}",
                      row=(rows or {}).get("start_year"), column="start_year", letter=letter,
                      value=values["start_year"])]
    return []


def check_consistency(tables: dict[str, pd.DataFrame], settings: dict, raw: RawCase) -> list[Problem]:
    """What ties rows and sheets together, on typed tables: unique keys, known ids, the horizon.
    Run on a case a scenario has changed, so that a change gets every check a workbook gets."""
    problems = []
    for name, sheet in SHEETS.items():
        if name in tables and sheet.key:
            problems += _check_keys(sheet, raw.sheets.get(name), tables[name])
    problems += _check_references(tables)
    rows = {}
    if "settings" in raw.sheets:
        cells = raw.sheets["settings"].cells
        rows = {_word(k)[0].lower(): int(r) for r, k in zip(cells.index, cells.get("key", []))}
    letter = raw.sheets["settings"].letter("value") if "settings" in raw.sheets else None
    return problems + horizon_problems(settings, rows, letter)


def _wide_years(sheet: Sheet, raw: RawSheet) -> list[str]:
    return [c for c in raw.cells.columns if c not in sheet.names and c.isdigit() and len(c) == 4]


def _check_sheet(sheet: Sheet, raw: RawSheet) -> tuple[pd.DataFrame | None, list[Problem]]:
    problems: list[Problem] = []
    cells = raw.cells
    wide_years = _wide_years(sheet, raw) if sheet.wide else []
    is_wide = bool(wide_years) and sheet.wide.value not in cells.columns and sheet.wide.year not in cells.columns
    expected = [c for c in sheet.columns if not (is_wide and c.name in (sheet.wide.year, sheet.wide.value))]
    missing = [c.name for c in expected if c.required and c.name not in cells.columns]
    for name in missing:
        extra = [c for c in cells.columns if c not in sheet.names and c not in wide_years] + raw.note_names
        guess = nearest(name, extra)
        hint = f"; is '{guess}' meant to be it?" if guess else ""
        if sheet.wide and name in (sheet.wide.year, sheet.wide.value):
            hint += " (or give one column per year, e.g. 2026, 2027, ...)"
        problems.append(error(sheet.name, f"required column '{name}' is missing{hint}", row=raw.header_row, column=name))
    if missing:
        return None, problems

    columns: dict[str, pd.Series] = {}   # built whole at the end: one frame, not thousands of inserts
    bad_rows: set[int] = set()
    for col in expected:
        if col.name not in cells.columns:
            blank = math.nan if col.numeric else ""
            columns[col.name] = pd.Series(blank, index=cells.index, dtype=float if col.numeric else object)
            continue
        values, bad = _convert_column(sheet, col, cells[col.name], raw.letter(col.name), raw.from_text_file, problems)
        columns[col.name] = values
        bad_rows |= bad
    typed = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=cells.index)

    if is_wide:
        typed, bad = _melt_wide(sheet, sheet.wide, raw, typed, wide_years, problems)
        bad_rows |= bad

    typed[ROW] = typed.index.astype(int)
    typed[BAD] = typed[ROW].isin(bad_rows)
    typed = typed.reset_index(drop=True)
    problems += _check_keys(sheet, raw, typed[~typed[BAD]])
    return typed, problems


def _convert_column(sheet: Sheet, col: Column, series: pd.Series, letter: str | None, text_file: bool,
                    problems: list[Problem]) -> tuple[pd.Series, set[int]]:
    out = []
    bad: set[int] = set()
    for row, cell in series.items():
        value, why = convert(col, cell, text_file)
        at = dict(row=int(row), column=col.name, letter=letter, value=cell)
        if why:
            problems.append(error(sheet.name, f"{col.name} {why}", **at))
            bad.add(int(row))
        elif col.required and is_blank(value):
            problems.append(error(sheet.name, f"{col.name} is required but blank", **at))
            bad.add(int(row))
        out.append(value)
    return pd.Series(out, index=series.index, dtype=float if col.numeric else object), bad


def _melt_wide(sheet: Sheet, wide: Wide, raw: RawSheet, typed: pd.DataFrame, years: list[str],
               problems: list[Problem]) -> tuple[pd.DataFrame, set[int]]:
    value_col = sheet.column(wide.value)
    year_col = sheet.column(wide.year)
    records = []
    bad: set[int] = set()
    for y in years:
        yv, why = convert(year_col, y, True)
        if why:
            problems.append(error(sheet.name, f"year column header '{y}' {why}", row=raw.header_row,
                                  letter=raw.letter(y), value=y))
            continue
        for row, cell in raw.cells[y].items():
            v, why = convert(value_col, cell, raw.from_text_file)
            if why:
                problems.append(error(sheet.name, f"{wide.value} {why}", row=int(row), column=f"{wide.value} {y}",
                                      letter=raw.letter(y), value=cell))
                bad.add(int(row))
            elif not is_blank(v):
                records.append((int(row), int(yv), v))
    long = pd.DataFrame(records, columns=["__row", wide.year, wide.value])
    base = typed[[c for c in typed.columns if c not in (wide.year, wide.value)]]
    merged = base.join(long.set_index("__row"), how="inner")
    merged[wide.year] = merged[wide.year].astype(float)
    merged[wide.value] = merged[wide.value].astype(float)
    # a (region, workload) pair given twice in wide form would duplicate every year's key;
    # report it once per row pair instead
    ids = typed[list(wide.ids)]
    dup = ids.duplicated(keep=False) & ~ids.apply(lambda r: any(is_blank(v) for v in r), axis=1)
    if dup.any():
        first: dict[tuple, int] = {}
        for row, key in ids[dup].apply(tuple, axis=1).items():
            if key in first:
                problems.append(error(sheet.name, f"{' / '.join(map(str, key))} is given twice (also on row {first[key]})",
                                      row=int(row), column=wide.ids[0], letter=raw.letter(wide.ids[0]), value=key[0]))
                bad.add(int(row))
            else:
                first[key] = int(row)
    return merged, bad


def _check_keys(sheet: Sheet, raw: RawSheet | None, typed: pd.DataFrame) -> list[Problem]:
    if not sheet.key or typed.empty:
        return []
    problems = []
    first: dict[object, int] = {}
    letter = raw.letter(sheet.key[0]) if raw is not None else None
    for rec in typed[list(sheet.key) + [ROW]].itertuples(index=False):
        *key, row = rec
        if sheet.unordered_key:
            ident = frozenset(key) if key[0] != key[1] else (key[0], key[1])
        else:
            ident = tuple(key)
        if ident in first and first[ident] != row:
            shown = " - ".join(str(k) for k in key if not is_blank(k))
            also = "the same corridor in the other direction" if sheet.unordered_key else "the same"
            problems.append(error(sheet.name, f"duplicate: {shown} is {also} as row {first[ident]}",
                                  row=row, column=" / ".join(sheet.key), letter=letter, value=shown))
        else:
            first.setdefault(ident, row)
    return problems


def _check_references(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for sheet in SHEETS.values():
        table = tables.get(sheet.name)
        if table is None:
            continue
        for col in sheet.columns:
            if not col.ref or col.name not in table.columns:
                continue
            target_sheet, target_col = col.ref.split(".")
            target = tables.get(target_sheet)
            if target is None:
                continue  # the target sheet's own problems are reported already
            known = set(v for v in target[target_col] if not is_blank(v))
            told = set()   # a wide sheet repeats a row's ids once per year: one message per cell
            for value, row in zip(table[col.name], table[ROW]):
                if is_blank(value) or value in known or (row, value) in told:
                    continue
                told.add((row, value))
                guess = nearest(str(value), known)
                hint = f"; did you mean '{guess}'?" if guess else ""
                noun = target_col if target_col != "zone" else "zone (no region has it)"
                problems.append(error(sheet.name, f"unknown {noun} '{value}'{hint}", row=int(row), column=col.name,
                                      letter=None, value=value))
    return problems


# ---------------------------------------------------------------------------------------------
# pass 2: rules across columns and sheets, on the case with defaults applied

RuleCheck = Callable[["object"], list[Problem]]
RULES: dict[tuple[str, str], RuleCheck] = {}


def rule(sheet: str, rule_id: str):
    def register(fn: RuleCheck) -> RuleCheck:
        RULES[(sheet, rule_id)] = fn
        return fn

    return register


def check_rules(case) -> list[Problem]:
    problems: list[Problem] = []
    for sheet in SHEETS.values():
        for r in sheet.rules:
            problems += RULES[(sheet.name, r.id)](case)
    return problems


@rule("settings", "horizon")
def _horizon(case) -> list[Problem]:
    return []  # checked with the settings themselves: nothing else can be checked without a horizon


@rule("regions", "green_price_needed")
def _regions_green_price(case) -> list[Problem]:
    r = case.regions
    bad = r[(r["green_mw"] > 0) & r["green_price"].isna()]
    return [error("regions", "green_price is required where green_mw > 0", row=int(row), column="green_price",
                  value="") for row in bad[ROW]]


@rule("region_years", "green_price_needed")
def _region_years_green_price(case) -> list[Problem]:
    ry = case.region_years
    if ry.empty:
        return []
    problems = []
    base = case.regions
    for region, rows in ry.sort_values("year").groupby("region", sort=True):
        price = base.at[region, "green_price"]
        for rec in rows.to_dict("records"):
            price = rec["green_price"] if not is_blank(rec["green_price"]) else price
            if not is_blank(rec["green_mw"]) and rec["green_mw"] > 0 and is_blank(price):
                problems.append(error("region_years", "green_mw > 0 but no green_price is in force for this region and year",
                                      row=int(rec[ROW]), column="green_price", value=""))
    return problems


@rule("corridors", "distinct_ends")
def _distinct_ends(case) -> list[Problem]:
    c = case.corridors
    return [error("corridors", f"from and to are the same region '{a}'", row=int(row), column="to", value=b)
            for a, b, row in zip(c["from"], c["to"], c[ROW]) if a == b]


@rule("corridors", "capex_known")
def _capex_known(case) -> list[Problem]:
    c = case.corridors
    problems = []
    for tech, unit in (("optical", "tbps_km"), ("hvdc", "gw_km")):
        needs = c[f"{tech}_buildable"] & c[f"{tech}_capex"].isna()
        for row in c.loc[needs, ROW]:
            problems.append(error("corridors", f"{tech}_capex is blank and settings has no {tech}_capex_per_{unit}; "
                                  f"give one, or set {tech}_max_{'tbps' if tech == 'optical' else 'gw'} to 0 to forbid building",
                                  row=int(row), column=f"{tech}_capex", value=""))
    return problems


@rule("corridors", "loss_below_one")
def _loss_below_one(case) -> list[Problem]:
    c = case.corridors
    bad = c[c["hvdc_loss"] >= 1]
    return [error("corridors", f"HVDC loss computed from distance is {loss:.2f}, not below 1; check distance_km "
                  "or hvdc_loss_per_1000km", row=int(row), column="hvdc_loss", value=round(loss, 4))
            for loss, row in zip(bad["hvdc_loss"], bad[ROW])]


ZONE_POLICIES = ("min_zone_capacity_share", "min_zone_build_share")
SHARE_POLICIES = ("min_green_share", "min_zone_capacity_share", "min_zone_build_share")


@rule("policies", "zone_needed")
def _zone_needed(case) -> list[Problem]:
    p = case.policies
    bad = p[p["policy"].isin(ZONE_POLICIES) & (p["zone"] == "")]
    return [error("policies", f"{pol} needs a zone", row=int(row), column="zone", value="")
            for pol, row in zip(bad["policy"], bad[ROW])]


@rule("policies", "zone_known")
def _zone_known(case) -> list[Problem]:
    """A policy zone matches the regions with that zone and those with that tag (SPEC 7.8)."""
    known = set(case.regions["zone"]) | {t for tags in case.region_tags.values() for t in tags}
    known.discard("")
    problems = []
    for zone, row in zip(case.policies["zone"], case.policies[ROW]):
        if zone and zone not in known:
            guess = nearest(zone, known)
            problems.append(error("policies", f"unknown zone '{zone}': no region has it as zone or tag"
                                  + (f"; did you mean '{guess}'?" if guess else ""), row=int(row), column="zone", value=zone))
    return problems


@rule("policies", "share_at_most_one")
def _share_at_most_one(case) -> list[Problem]:
    p = case.policies
    bad = p[p["policy"].isin(SHARE_POLICIES) & (p["value"] > 1)]
    return [error("policies", f"{pol} is a share and must be at most 1", row=int(row), column="value", value=v)
            for pol, v, row in zip(bad["policy"], bad["value"], bad[ROW])]


@rule("planned_builds", "builds_fit")
def _builds_fit(case) -> list[Problem]:
    """Forced builds must fit the build rate, max_racks (counting what they keep in service) and each other."""
    pb = case.planned_builds
    if pb.empty:
        return []
    problems: list[Problem] = []
    periods = case.periods
    per = case.planned_by_period()
    for (region, period), rows in per.groupby(["region", "period"], sort=True):
        amount = rows.groupby("kind")["racks"].sum()
        where = cite("planned_builds", rows)
        fixed, low, high = amount.get("fixed"), amount.get("min"), amount.get("max")
        first_row = int(rows[ROW].min())
        floor = fixed if fixed is not None else low
        if fixed is not None and low is not None and low > fixed + 1e-9:
            problems.append(error("planned_builds", f"{region} {period}: min {low:g} racks is above fixed {fixed:g} "
                                  f"({where})", row=first_row, column="racks", value=low))
        if floor is not None and high is not None and floor > high + 1e-9:
            problems.append(error("planned_builds", f"{region} {period}: at least {floor:g} racks forced but at most {high:g} "
                                  f"allowed ({where})", row=first_row, column="racks", value=floor))
        years = next(p.years for p in periods if p.start == period)
        rate = case.regions.at[region, "max_build_per_year"] * years
        if floor is not None and floor > rate + 1e-9:
            problems.append(error("planned_builds", f"{region} {period}: {floor:g} racks forced but max_build_per_year allows "
                                  f"{rate:g} in this {years}-year period ({where})", row=first_row, column="racks",
                                  value=floor))
    # forced racks still in service plus existing ones must fit max_racks in every period
    amounts = per.groupby(["region", "period", "kind"])["racks"].sum()
    for region, rows in per[per["kind"].isin(["fixed", "min"])].groupby("region", sort=True):
        reg = case.regions.loc[region]
        floor = {}  # period -> racks forced (a fixed amount overrides a min in the same period)
        for period in sorted(set(rows["period"])):
            fixed = amounts.get((region, period, "fixed"))
            floor[period] = fixed if fixed is not None else amounts.get((region, period, "min"), 0.0)
        for p in periods:
            live = sum(v for q, v in floor.items() if finance.in_service(q, reg["rack_life"], p.start))
            existing = case.existing_racks(region, p.start)
            if live > 0 and existing + live > max(reg["max_racks"], existing) + 1e-9:
                problems.append(error("planned_builds", f"{region} {p.start}: forced builds keep {live:g} new racks in "
                                      f"service beside {existing:g} existing, above max_racks {reg['max_racks']:g} "
                                      f"({cite('planned_builds', rows)})", row=int(rows[ROW].min()), column="racks",
                                      value=live))
                break
    return problems


@rule("planned_builds", "builds_after_first_year")
def _builds_after_first_year(case) -> list[Problem]:
    """A fixed or min planned build in a period that starts before the region's first build year
    cannot be met (SPEC 7.4, 7.8)."""
    per = case.planned_by_period()
    per = per[per["kind"].isin(["fixed", "min"]) & (per["racks"] > 0)]
    problems = []
    for region, period, year, row, kind in zip(per["region"], per["period"], per["year"], per[ROW], per["kind"]):
        first = case.regions.at[region, "first_build_year"]
        if period < first:
            problems.append(error("planned_builds", f"{region}: a {kind} build in {int(year)} lands in the period of "
                                  f"{period}, before the first year racks can be built there ({int(first)}: "
                                  "first_build_year or start_year + rack_lead_years)", row=int(row), column="year",
                                  value=int(year)))
    return problems


HOURS_PER_YEAR = 8760.0


@rule("timeslices", "hours_sum")
def _hours_sum(case) -> list[Problem]:
    t = case.timeslices
    if t.empty:
        return []
    total = float(t["hours"].sum())
    if abs(total - HOURS_PER_YEAR) > 1e-6:
        return [error("timeslices", f"the hours of the slices add up to {total:,.6g}, not 8760", row=int(t[ROW].min()),
                      column="hours", value=total)]
    return []


def _without_slices(case, sheet: str) -> list[Problem]:
    table = getattr(case, sheet)
    if len(table) and case.timeslices.empty:
        return [error(sheet, f"{sheet} needs a timeslices sheet (the slices its rows refer to)", row=int(table[ROW].min()))]
    return []


@rule("profiles", "needs_timeslices")
def _profiles_need_slices(case) -> list[Problem]:
    return _without_slices(case, "profiles")


@rule("workload_profiles", "needs_timeslices")
def _workload_profiles_need_slices(case) -> list[Problem]:
    return _without_slices(case, "workload_profiles")


def hours_weighted_means(case, sheet: str, key: str, column: str) -> dict[str, float]:
    """Hours-weighted mean of a profile column per key over the year (a missing slice is 1)."""
    t, prof = case.timeslices, getattr(case, sheet)
    if t.empty or prof.empty:
        return {}
    hours = dict(zip(t["slice"], t["hours"]))
    out = {}
    for k, rows in prof.groupby(key, sort=True):
        given = dict(zip(rows["slice"], rows[column]))
        out[k] = sum(h * given.get(s, 1.0) for s, h in hours.items()) / HOURS_PER_YEAR
    return out


@rule("profiles", "green_mean")
def _green_mean(case) -> list[Problem]:
    first_row = case.profiles.groupby("region")[ROW].min() if len(case.profiles) else {}
    return [warning("profiles", f"the hours-weighted mean of {region}'s green_factor is {mean:.3f}, not 1: green power "
                    f"over the year is {mean:.1%} of green_mw", row=int(first_row[region]), column="green_factor",
                    value=round(mean, 4))
            for region, mean in hours_weighted_means(case, "profiles", "region", "green_factor").items()
            if abs(mean - 1.0) > 0.01]


@rule("workload_profiles", "demand_mean")
def _demand_mean(case) -> list[Problem]:
    first_row = case.workload_profiles.groupby("workload")[ROW].min() if len(case.workload_profiles) else {}
    return [error("workload_profiles", f"the hours-weighted mean of {workload}'s demand_factor is {mean:.4f}; it must be "
                  "1 within 1 % (yearly tokens are given by the demand sheet)", row=int(first_row[workload]),
                  column="demand_factor", value=round(mean, 4))
            for workload, mean in hours_weighted_means(case, "workload_profiles", "workload", "demand_factor").items()
            if abs(mean - 1.0) > 0.01]


def planned_outside_horizon(case) -> list[Problem]:
    """Rows whose year falls outside the horizon are ignored, with a warning (SPEC 4.5)."""
    pb = case.planned_builds
    s = case.settings
    out = pb[(pb["year"] < s.start_year) | (pb["year"] > s.end_year)]
    return [warning("planned_builds", f"year {int(y)} is outside the horizon {s.start_year}-{s.end_year}; the row is ignored",
                    row=int(row), column="year", value=int(y)) for y, row in zip(out["year"], out[ROW])]


def suspicious(case) -> list[Problem]:
    """Legal but probably unintended input."""
    found = planned_outside_horizon(case)
    s = case.settings
    far = case.demand[(case.demand["year"] < s.start_year - 30) | (case.demand["year"] > s.end_year + 30)]
    for y, row in zip(far["year"], far[ROW]):
        found.append(warning("demand", f"year {int(y)} is more than 30 years from the horizon "
                             f"{s.start_year}-{s.end_year}; is it a typo?", row=int(row), column="year", value=int(y)))
    used = set(case.demand["workload"])
    for w, row in zip(case.workloads.index, case.workloads[ROW]):
        if w not in used:
            found.append(warning("workloads", f"workload '{w}' has no demand", row=int(row), column="workload", value=w))
    linked = set(case.corridors["from"]) | set(case.corridors["to"])
    with_demand = set(case.demand.loc[case.demand["ttok_per_day"] > 0, "region"])
    for r, row in zip(case.regions.index, case.regions[ROW]):
        if r not in linked and r not in with_demand and len(case.regions) > 1:
            found.append(warning("regions", f"region '{r}' has no demand and no corridor: nothing can use it",
                                 row=int(row), column="region", value=r))
    return found


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
