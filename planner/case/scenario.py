"""Scenario files (SPEC section 3): a base case, the changes to it, and optional futures.

```yaml
name: high_demand
inputs: ../china_provinces.xlsx          # relative to this file
description: Token demand grows faster
changes:                                  # applied in order
  - scale: {sheet: demand, column: ttok_per_day, by: 1.5, where: {workload: [interactive, batch]}}
  - set: {sheet: settings, key: discount_rate, value: 0.05}
  - set: {sheet: regions, where: {zone: west}, column: green_price, value: 20}
  - add: {sheet: planned_builds, rows: [{region: ningxia, year: 2027, racks: 200000, kind: fixed}]}
futures:                                  # optional: one build plan, operations per future
  low:  {probability: 0.25, changes: [{scale: {sheet: demand, column: ttok_per_day, by: 0.6}}]}
  base: {probability: 0.5}
  high: {probability: 0.25, changes: [{scale: {sheet: demand, column: ttok_per_day, by: 1.6}}]}
sweep:                                    # optional: variants for `planner sweep`
  regions.green_price: [20, 30, 40]
```

`where` selects rows: a value (equal), a list (any of), or one comparison such as
`{year: {">=": 2030}}`. `scale` multiplies (blank cells stay blank and take their default);
`set` writes a value checked like a typed cell; `add` appends rows checked like the sheet's own
(an extension of the contract so that a scenario can force announced projects in). The file is
read with a safe loader and validated with pydantic: unknown keys are rejected and every problem
names its place in the file (e.g. ``changes[2].scale.by``). Changes apply to the checked tables
before defaults are filled, so every check of the workbook also applies to the changed case.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.case.validated import Case, CheckedInput, finish_case, load_case, read_checked
from planner.case.problems import InputError, Problem, error, nearest, short_text, warning
from planner.case.reading import RawSheet
from planner.case.schema import SHEETS, TIME_VARYING
from planner.case.validation import BAD, ORIGIN, ROW, _check_sheet, beyond_sense_message, check_consistency, convert, is_blank

SCENARIO_SUFFIXES = (".yaml", ".yml")
OPERATORS = (">=", ">", "<=", "<", "!=", "==")
# What a future may change: what is decided after the build plan (SPEC 3).
FUTURE_COLUMNS = {"demand": None, "region_years": None, "workload_years": None, "profiles": None,
                  "workload_profiles": None, "regions": set(TIME_VARYING)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _factor(v: float) -> float:
    if not math.isfinite(v) or v < 0:
        raise ValueError("must be a number >= 0")
    return v


def _number(v, what: str) -> float:
    """A factor: a number >= 0 (a number written as text, as YAML may give it, is read too)."""
    if isinstance(v, bool):
        raise ValueError(f"{what} must be a number >= 0 (or factors by year, e.g. {{2030: 0.8}}), not {v}")
    try:
        number = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number >= 0 (or factors by year, e.g. {{2030: 0.8}}), "
                         f"not {_short(v)!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a number >= 0, not {_short(v)!r}")
    return number


class ScaleChange(_Strict):
    """``by`` is one factor, or factors by year ({2030: 0.9, 2035: 0.7}) interpolated in between
    and held flat before the first and after the last."""
    sheet: str
    column: Optional[str] = None
    key: Optional[str] = None
    by: Any
    where: Optional[dict[str, Any]] = None

    @field_validator("by")
    @classmethod
    def _finite(cls, v):
        if isinstance(v, dict):
            if not v:
                raise ValueError("give at least one year: factor")
            out = {}
            for year, f in v.items():
                if isinstance(year, bool) or not isinstance(year, (int, float, str)) or not str(year).strip().isdigit():
                    raise ValueError(f"the years of `by` are whole years, not {_short(year)!r}")
                out[int(str(year).strip())] = _number(f, f"the factor for {year}")
            return dict(sorted(out.items()))
        return _number(v, "by")


class GrowthChange(_Strict):
    """Growth from year to year multiplied by ``by`` (0.5: demand grows half as fast), for each
    row key (region, workload, ...) separately; the first year of each stays as it is."""
    sheet: str
    column: str
    by: float
    where: Optional[dict[str, Any]] = None

    @field_validator("by")
    @classmethod
    def _finite(cls, v: float) -> float:
        return _factor(v)


class SetChange(_Strict):
    sheet: str
    column: Optional[str] = None
    key: Optional[str] = None
    value: Any = None
    where: Optional[dict[str, Any]] = None


class AddChange(_Strict):
    sheet: str
    rows: list[dict[str, Any]] = Field(min_length=1)


class Change(_Strict):
    scale: Optional[ScaleChange] = None
    set_: Optional[SetChange] = Field(None, alias="set")
    add: Optional[AddChange] = None
    growth: Optional[GrowthChange] = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("scale", "set_", "add", "growth") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("each change is exactly one of scale, set, add or growth")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("set", "scale", "add", "growth") if getattr(self, "set_" if k == "set" else k) is not None)

    @property
    def spec(self):
        return self.set_ or self.scale or self.add or self.growth


class FutureSpec(_Strict):
    probability: float = Field(gt=0, le=1)
    changes: list[Change] = []


class ScenarioSpec(_Strict):
    name: str = Field(min_length=1)
    inputs: str
    description: str = ""
    changes: list[Change] = []
    futures: Optional[dict[str, FutureSpec]] = None
    sweep: Optional[dict[str, list[Any]]] = None
    # the scenario in which demand comes in low: a run without futures lives its plan in it
    # (a stress test) and the headline says what the plan would leave idle
    low_demand: Optional[str] = None

    @field_validator("futures")
    @classmethod
    def _probabilities(cls, v):
        if v is not None:
            if len(v) < 1:
                raise ValueError("give at least one future")
            total = sum(f.probability for f in v.values())
            if abs(total - 1) > 1e-6:
                raise ValueError(f"probabilities must sum to 1, they sum to {total:g}")
        return v


@dataclass(frozen=True)
class Future:
    name: str
    probability: float
    case: Case


@dataclass
class Scenario:
    name: str
    path: Path
    description: str
    case: Case
    futures: list[Future] | None
    spec: ScenarioSpec
    checked: CheckedInput = field(repr=False, default=None)


def is_scenario(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SCENARIO_SUFFIXES


def load_input(path: str | Path) -> tuple[Case, list | None]:
    """A workbook or CSV folder, or a scenario file: the case and its futures (None without)."""
    if is_scenario(path):
        scenario = load_scenario(path)
        return scenario.case, scenario.futures
    return load_case(path), None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + ("set" if part == "set_" else str(part))
    return out


def parse(path: Path) -> ScenarioSpec:
    """Read and validate the YAML itself (not the case it names)."""
    where = path.name
    try:
        if path.stat().st_size > MAX_SCENARIO_BYTES * 4:
            raise InputError([error(where, f"the scenario file is {path.stat().st_size:,} bytes; a scenario is at most "
                                           f"{MAX_SCENARIO_BYTES:,} characters")], str(path))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([error(where, f"cannot read the scenario file: {exc}")], str(path))
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise InputError([error(where, f"not valid YAML: {short_text(getattr(exc, 'problem', exc), 200)}", row=row)],
                         str(path))
    except ScenarioTooLarge as exc:
        raise InputError([error(where, str(exc))], str(path))
    if not isinstance(data, dict):
        raise InputError([error(where, "a scenario file is a mapping with at least `name` and `inputs`")], str(path))
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = _path(e["loc"])
            msg = e["msg"].replace("Value error, ", "")
            if e["type"] == "extra_forbidden":
                known = _known_keys(e["loc"])
                guess = nearest(str(e["loc"][-1]), known) if known else None
                msg = "unknown key" + (f"; did you mean '{guess}'?" if guess else "")
            problems.append(error(where, msg, column=loc or None, value=_short(e.get("input"))))
        raise InputError(problems, str(path))


MAX_SCENARIO_BYTES = 2_000_000   # a scenario is a page of changes; megabytes of it are not meant
MAX_YAML_NODES = 200_000         # values after aliases are expanded


class ScenarioTooLarge(ValueError):
    """A scenario file that would expand beyond any sensible size (e.g. nested aliases)."""


def load_yaml(text: str):
    """``yaml.safe_load`` that refuses, in well under a second, a document that would expand
    past MAX_YAML_NODES values (aliases of aliases: the "billion laughs"), refers to itself, or
    is nested deeper than Python can follow. The node graph is measured before anything is built.
    """
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioTooLarge(f"the scenario file is {len(text):,} characters; a scenario is at most "
                               f"{MAX_SCENARIO_BYTES:,}")
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ScenarioTooLarge("the scenario file is nested too deeply to read") from None
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root) -> int:
    """Values under ``root`` with every alias expanded; ScenarioTooLarge past the limit or on a cycle."""
    size: dict[int, int] = {}
    stack = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_YAML_NODES:
                raise ScenarioTooLarge(f"the scenario file expands to more than {MAX_YAML_NODES:,} values "
                                       "(aliases of aliases?); it is refused")
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise ScenarioTooLarge("the scenario file refers to itself through an alias; it is refused")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    return size[id(root)]


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _known_keys(loc: tuple) -> list[str]:
    model = ScenarioSpec
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        fld = model.model_fields.get(part) or next((f for f in model.model_fields.values() if f.alias == part), None)
        if fld is None:
            return []
        ann = fld.annotation
        model = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)),
                     None)
        if model is None:
            for a in getattr(ann, "__args__", ()):
                for b in getattr(a, "__args__", (a,)):
                    if isinstance(b, type) and issubclass(b, BaseModel):
                        model = b
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _short(value: object) -> object:
    """A value for a message, never stringified whole (a rejected value may be huge)."""
    return short_text(value, 40)


def inputs_of(spec: ScenarioSpec, path: Path) -> Path:
    inputs = (path.parent / spec.inputs).resolve()
    if not inputs.exists():
        raise InputError([error(path.name, f"inputs '{spec.inputs}' does not exist (looked for {inputs})",
                                column="inputs", value=spec.inputs)], str(path))
    return inputs


def low_demand_of(spec: ScenarioSpec, path: Path) -> Path | None:
    """The low-demand scenario a scenario names (relative to its file), checked to exist."""
    if not spec.low_demand:
        return None
    other = (path.parent / spec.low_demand).resolve()
    if not other.is_file():
        raise InputError([error(path.name, f"low_demand '{spec.low_demand}' does not exist (looked for {other})",
                                column="low_demand", value=spec.low_demand)], str(path))
    if other == path.resolve():
        raise InputError([error(path.name, "low_demand names this scenario itself; name the low-demand variant",
                                column="low_demand", value=spec.low_demand)], str(path))
    return other


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    spec = parse(path)
    return scenario_from(spec, path, read_checked(inputs_of(spec, path)))


def scenario_from(spec: ScenarioSpec, path: Path, checked: CheckedInput, extra: list[Change] = (),
                  extra_prefix: str = "sweep", text: bytes | None = None) -> Scenario:
    """The scenario's case and futures from its checked base input (which is not changed);
    ``extra`` changes (a sweep variant's) apply after the scenario's own. ``text`` is the
    scenario as written, for the input hash (the file at ``path`` when not given)."""
    where = path.name
    changed, problems, added = apply_changes(checked.copy(), spec.changes, where, "changes")
    if extra:
        changed, more, more_added = apply_changes(changed, list(extra), where, extra_prefix)
        problems += more
        added.update(more_added)
    remap = _remapper(where, added)
    base = finish_case(CheckedInput(changed.raw, changed.tables, changed.settings, changed.problems + problems),
                       str(path), remap)
    base.name = spec.name
    base.sha256 = _digest(text if text is not None else path.read_bytes(), base.sha256)
    futures = None
    if spec.futures:
        futures, future_problems = [], []
        for fname, fspec in spec.futures.items():
            prefix = f"futures.{fname}.changes"
            future_problems += _future_scope(fspec.changes, where, prefix)
            f_checked, f_problems, f_added = apply_changes(changed.copy(), fspec.changes, where, prefix)
            try:
                case_f = finish_case(CheckedInput(f_checked.raw, f_checked.tables, f_checked.settings,
                                                  f_checked.problems + f_problems),
                                     str(path), _remapper(where, {**added, **f_added}))
            except InputError as err:
                future_problems += [p for p in err.problems if p.is_error]
                continue
            futures.append(Future(fname, fspec.probability, case_f))
        if future_problems:
            raise InputError(future_problems, str(path))
    return Scenario(spec.name, path, spec.description, base, futures, spec, changed)


def _digest(text: bytes, inputs_sha: str) -> str:
    h = hashlib.sha256()
    h.update(text)
    h.update(inputs_sha.encode())
    return h.hexdigest()


def scenario_of(case: Case, scenario: dict | str | Path) -> Scenario:
    """``case`` changed by a scenario: a mapping with the keys of a scenario file (``name``,
    ``description``, ``changes``, ``futures``; ``inputs`` is the case itself) or a scenario
    file, whose ``inputs`` is then replaced by ``case``. Checked as a scenario file is."""
    if case.checked is None:
        raise ValueError("the case was not loaded by planner.load_case; load it first")
    if isinstance(scenario, (str, Path)):
        path = Path(scenario)
        spec = parse(path)
        return scenario_from(spec, path, case.checked)
    data = {"name": case.name, **dict(scenario), "inputs": str(case.path)}
    where = Path(f"{data['name']}.yaml")
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError([error(where.name, e["msg"].replace("Value error, ", ""), column=_path(e["loc"]) or None,
                                value=_short(e.get("input"))) for e in exc.errors()], where.name)
    return scenario_from(spec, where, case.checked, text=yaml.safe_dump(data, sort_keys=True).encode())


def _future_scope(changes: list[Change], where: str, prefix: str) -> list[Problem]:
    """A future may change only what is decided after the build plan."""
    problems = []
    for i, ch in enumerate(changes):
        spec = ch.spec
        allowed = spec.sheet in FUTURE_COLUMNS
        cols = FUTURE_COLUMNS.get(spec.sheet)
        column = getattr(spec, "column", None)
        if allowed and cols is not None and ch.kind != "add" and column not in cols:
            allowed = False
        if allowed and ch.kind == "add" and spec.sheet == "regions":
            allowed = False
        if not allowed:
            problems.append(error(where, "a future may change only demand, region_years, workload_years, profiles, "
                                  "workload_profiles and the price and availability columns of regions "
                                  f"({', '.join(TIME_VARYING)}), never timeslices",
                                  column=f"{prefix}[{i}].{ch.kind}", value=f"{spec.sheet}.{column or ''}".rstrip(".")))
    return problems


def apply_changes(checked: CheckedInput, changes: list[Change], where: str, prefix: str):
    """Apply changes in order to the checked tables; return (input, problems, added rows) where
    added rows maps (sheet, spreadsheet row) of each added row to its path in the scenario.

    Every change is checked as it is applied (types, bounds, sensible sizes); what ties rows and
    sheets together (unique keys, known ids, the horizon) is checked again on the changed case,
    and problems on a changed row name the change (``checked.touched``)."""
    problems: list[Problem] = []
    added: dict[tuple[str, int], str] = {}
    before = {_identity(p) for p in checked.problems}
    for i, ch in enumerate(changes):
        path = f"{prefix}[{i}].{ch.kind}"
        spec = ch.spec
        if spec.sheet not in SHEETS:
            guess = nearest(spec.sheet, SHEETS)
            problems.append(error(where, f"unknown sheet '{spec.sheet}'" + (f"; did you mean '{guess}'?" if guess else ""),
                                  column=f"{path}.sheet", value=spec.sheet))
            continue
        sheet = SHEETS[spec.sheet]
        if ch.kind == "add":
            problems += _add_rows(checked, sheet, spec, where, path, added)
        elif sheet.key_value:
            problems += _change_setting(checked, ch.kind, spec, where, path)
        else:
            problems += _change_column(checked, ch.kind, sheet, spec, where, path)
    if changes:
        again = check_consistency(checked.tables, checked.settings, checked.raw)
        problems += _after_changes([p for p in again if _identity(p) not in before], checked.touched, where)
    return checked, problems, added


def _identity(p: Problem) -> tuple:
    return (p.sheet, p.row, p.column, p.message)


def _after_changes(problems: list[Problem], touched: dict, where: str) -> list[Problem]:
    """Problems on rows (or settings) a change wrote are cited at that change in the scenario
    file, one message per change and kind of problem, naming the rows."""
    out, grouped = [], {}
    for p in problems:
        if p.sheet == "settings":
            keys = [p.column, *re.findall(r"\b([a-z_]+_year)\b", p.message)]
            path = next((touched[("settings", k)] for k in keys if ("settings", k) in touched), None)
        else:
            path = touched.get((p.sheet, p.row))
        if path is None:
            out.append(p)
        else:
            grouped.setdefault((path, p.severity, p.sheet, p.message), []).append(p)
    for (path, severity, sheet, message), group in grouped.items():
        rows = sorted({p.row for p in group if p.row})
        place = sheet if not rows or sheet == "settings" else \
            f"{sheet} row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}"
        out.append(Problem(severity, where, f"{message} ({place}, after this change)", None, path, None, group[0].value))
    return out


def _change_setting(checked: CheckedInput, kind: str, spec, where: str, path: str) -> list[Problem]:
    if kind == "growth" or (kind == "scale" and isinstance(spec.by, dict)):
        return [error(where, "a setting has one value, not one per year: give `by` as one number",
                      column=f"{path}.{'sheet' if kind == 'growth' else 'by'}", value=spec.sheet)]
    key = spec.key or spec.column
    names = [c.name for c in SHEETS["settings"].columns]
    if key not in names:
        guess = nearest(str(key), names)
        return [error(where, f"unknown setting '{key}'" + (f"; did you mean '{guess}'?" if guess else ""),
                      column=f"{path}.key", value=key)]
    col = SHEETS["settings"].column(key)
    if kind == "scale":
        fallback = col.default if isinstance(col.default, (int, float)) else None
        current = checked.settings.get(key, fallback)
        if not col.numeric or current is None:
            return [error(where, f"cannot scale {key}: it has no number to scale", column=f"{path}.key", value=key)]
        value = current * spec.by
    else:
        value = spec.value
    typed, why = convert(col, value, True)
    if why:
        return [error(where, f"{key} {why}", column=f"{path}.{'by' if kind == 'scale' else 'value'}",
                      value=_short(spec.by if kind == "scale" else value))]
    if is_blank(typed):
        if col.required:
            return [error(where, f"{key} is required and cannot be set blank", column=f"{path}.value")]
        checked.settings.pop(key, None)
    else:
        checked.settings[key] = int(typed) if col.kind.value == "year" else typed
    checked.touched[("settings", key)] = path
    return []


def _mask(table: pd.DataFrame, conditions: dict | None, where: str, path: str) -> tuple[pd.Series, list[Problem]]:
    mask = pd.Series(True, index=table.index)
    problems = []
    for col, cond in (conditions or {}).items():
        if col not in table.columns:
            guess = nearest(col, [c for c in table.columns if not c.startswith("_")])
            problems.append(error(where, f"no column '{col}' to select on" + (f"; did you mean '{guess}'?" if guess else ""),
                                  column=f"{path}.where.{col}", value=col))
            continue
        values = table[col]
        if isinstance(cond, dict):
            if len(cond) != 1 or next(iter(cond)) not in OPERATORS:
                problems.append(error(where, f"a comparison is one of {', '.join(OPERATORS)} with a value, e.g. {{'>=': 2030}}",
                                      column=f"{path}.where.{col}", value=cond))
                continue
            op, ref = next(iter(cond.items()))
            try:
                ops = {">=": values >= ref, ">": values > ref, "<=": values <= ref, "<": values < ref,
                       "!=": values != ref, "==": values == ref}
            except TypeError:
                problems.append(error(where, f"cannot compare {col} with {ref!r}", column=f"{path}.where.{col}", value=ref))
                continue
            mask &= ops[op]
        elif isinstance(cond, list):
            mask &= values.isin([_match(v) for v in cond])
        else:
            mask &= values == _match(cond)
    return mask, problems


def _match(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _change_column(checked: CheckedInput, kind: str, sheet, spec, where: str, path: str) -> list[Problem]:
    if sheet.name not in checked.tables:
        return [error(where, f"the case has no {sheet.name} sheet to change", column=f"{path}.sheet", value=sheet.name)]
    if spec.column is None:
        return [error(where, "say which column to change", column=f"{path}.column")]
    if spec.column not in sheet.names:
        guess = nearest(spec.column, sheet.names)
        return [error(where, f"{sheet.name} has no column '{spec.column}'" + (f"; did you mean '{guess}'?" if guess else ""),
                      column=f"{path}.column", value=spec.column)]
    col = sheet.column(spec.column)
    table = checked.tables[sheet.name]
    mask, problems = _mask(table, spec.where, where, path)
    if problems:
        return problems
    if spec.where and not mask.any():
        return [warning(where, f"the filter {_short(spec.where)} matches no row of {sheet.name}, so this change does "
                        "nothing; check the names and values it selects on", column=f"{path}.where",
                        value=_short(spec.where))]
    for row in table.loc[mask, ROW]:
        checked.touched[(sheet.name, int(row))] = path
    if kind in ("scale", "growth"):
        if not col.numeric:
            return [error(where, f"cannot scale {spec.column}: it is not a number column", column=f"{path}.column",
                          value=spec.column)]
        yearly = kind == "growth" or isinstance(spec.by, dict)
        if yearly and "year" not in table.columns:
            return [error(where, f"{sheet.name} has no year column: give `by` as one number"
                          if kind == "scale" else f"growth needs a sheet with a year column; {sheet.name} has none",
                          column=f"{path}.{'by' if kind == 'scale' else 'sheet'}", value=sheet.name)]
        if kind == "growth":
            scaled = _slower_growth(table.loc[mask], col.name, [k for k in sheet.key if k != "year"], spec.by)
        elif isinstance(spec.by, dict):
            scaled = table.loc[mask, col.name].astype(float) * _by_year(spec.by, table.loc[mask, "year"])
        else:
            scaled = table.loc[mask, col.name].astype(float) * spec.by
        if col.kind.value == "year":
            return [error(where, f"cannot scale a year column ({spec.column})", column=f"{path}.column", value=spec.column)]
        bad = [x for x in scaled.dropna() if col.violates(x)]
        if bad:
            return [error(where, f"scaling makes {spec.column} {bad[0]:g}, which must be {col.bounds_text()}",
                          column=f"{path}.by", value=spec.by)]
        huge = [x for x in scaled.dropna() if col.beyond_sense(x)]
        if huge:
            return [error(where, f"scaling makes {spec.column} {huge[0]:g}, which {beyond_sense_message(col)}",
                          column=f"{path}.by", value=spec.by)]
        table.loc[mask, col.name] = scaled
    else:
        typed, why = convert(col, spec.value, True)
        if why:
            return [error(where, f"{spec.column} {why}", column=f"{path}.value", value=_short(spec.value))]
        if col.required and is_blank(typed):
            return [error(where, f"{spec.column} is required and cannot be set blank", column=f"{path}.value")]
        table.loc[mask, col.name] = typed
    return []


def _by_year(factors: dict[int, float], years: pd.Series) -> pd.Series:
    """Factors given for some years, interpolated linearly between them, flat outside.

    >>> _by_year({2030: 1.0, 2035: 0.5}, pd.Series([2026, 2030, 2032, 2035, 2040])).tolist()
    [1.0, 1.0, 0.8, 0.5, 0.5]
    """
    import numpy as np

    xs, ys = zip(*sorted(factors.items()))
    return pd.Series(np.interp(years.astype(float), xs, ys), index=years.index)


def _slower_growth(rows: pd.DataFrame, column: str, keys: list[str], by: float) -> pd.Series:
    """Each key's series with its year-on-year growth multiplied by ``by``: v'(y) = v'(y-1) x
    (1 + by x (v(y)/v(y-1) - 1)); the first year stays. A blank keeps its blank; a year after a
    zero grows from zero as the original does (v'(y) = v(y) - v(y-1) scaled by ``by``).

    >>> rows = pd.DataFrame({"w": ["a"] * 3, "year": [2026, 2027, 2028], "v": [100.0, 150.0, 225.0]})
    >>> _slower_growth(rows, "v", ["w"], 0.5).tolist()
    [100.0, 125.0, 156.25]
    """
    out = rows[column].astype(float).copy()
    for _, group in rows.groupby(keys, sort=False, dropna=False) if keys else [(None, rows)]:
        ordered = group.sort_values("year")
        previous_old = previous_new = None
        for index, value in ordered[column].astype(float).items():
            if value != value:   # blank
                continue
            if previous_old is None:
                new = value
            elif previous_old > 0:
                new = previous_new * (1 + by * (value / previous_old - 1))
            else:
                new = previous_new + by * (value - previous_old)
            out[index] = max(0.0, new)
            previous_old, previous_new = value, new
    return out


def _add_rows(checked: CheckedInput, sheet, spec: AddChange, where: str, path: str,
              added: dict[tuple[str, int], str]) -> list[Problem]:
    if sheet.key_value:
        return [error(where, "add rows to a table sheet; change settings with set", column=f"{path}.sheet",
                      value=sheet.name)]
    existing = checked.tables.get(sheet.name)
    first = int(existing[ROW].max()) + 1 if existing is not None and len(existing) else 2
    cells = pd.DataFrame(spec.rows, dtype=object)
    cells.columns = [str(c).strip().lower() for c in cells.columns]
    cells.index = range(first, first + len(cells))
    raw = RawSheet(sheet.name, cells, {c: "" for c in cells.columns}, first - 1, from_text_file=True)
    typed, problems = _check_sheet(sheet, raw)
    for j, row in enumerate(cells.index):
        added[(sheet.name, int(row))] = f"{path}.rows[{j}]"
    if typed is not None:
        typed[ORIGIN] = [f"{where} {added[(sheet.name, int(r))]}" for r in typed[ROW]]
    problems = [_remap_one(p, where, added) for p in problems]
    if typed is None:
        return problems
    typed = typed[~typed[BAD]].drop(columns=BAD)   # a row with a bad cell is reported already
    checked.tables[sheet.name] = typed if existing is None else pd.concat([existing, typed], ignore_index=True)
    return problems


def _remap_one(p: Problem, where: str, added: dict[tuple[str, int], str]) -> Problem:
    origin = added.get((p.sheet, p.row)) if p.row is not None else None
    if origin is None:
        return p
    column = f"{origin}.{p.column}" if p.column and "/" not in p.column else origin
    return Problem(p.severity, where, p.message, None, column, None, p.value)


def _remapper(where: str, added: dict[tuple[str, int], str]):
    return lambda p: _remap_one(p, where, added)
