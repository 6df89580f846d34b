"""planner: plans national AI compute infrastructure as one linear program (Pyomo + HiGHS).

The same pipeline as the command line, in memory, for notebooks (SPEC 7.7). Nothing is
written unless asked.

>>> import planner
>>> case = planner.load_case(planner.EXAMPLE)
>>> result = planner.solve(case)
>>> result.status, sorted(result.costs) == sorted(planner.COST_COMPONENTS)
('optimal', True)
>>> capacity = result.table("capacity")
>>> capacity[["region", "year", "racks_in_service"]].head(2).to_string(index=False)
' region  year  racks_in_service\\nbeijing  2026          450000.0\\nbeijing  2027          500000.0'

The bundled cases are in a source checkout: ``planner.EXAMPLE`` (four regions, every sheet)
and ``planner.NATIONAL`` (China's 31 provinces).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLE = _INPUTS / "example"
NATIONAL = _INPUTS / "china_provinces"
COST_COMPONENTS = ("rack_capex", "rack_fom", "optical", "hvdc", "energy", "unserved")

__all__ = ["load_case", "load_scenario", "apply_scenario", "solve", "load_run", "Result", "SolverOptions",
           "InputError", "EXAMPLE", "NATIONAL", "__version__"]


def load_case(source, name: str | None = None):
    """A validated case from a workbook, a CSV folder, or DataFrames (one per sheet; ``settings``
    with columns ``key`` and ``value``). Bad input raises :class:`InputError` listing every
    problem with its sheet, row and column.

    >>> import pandas as pd, planner
    >>> frames = {"settings": pd.DataFrame({"key": ["start_year", "end_year"], "value": [2026, 2027]}),
    ...           "regions": pd.DataFrame([{"region": "a", "lat": 0, "lon": 0, "pue": 1.2, "rack_capex": 1e4,
    ...                                     "grid_price": 60}]),
    ...           "workloads": pd.DataFrame([{"workload": "chat", "mwh_per_ttok": 1000}]),
    ...           "demand": pd.DataFrame([{"region": "a", "workload": "chat", "year": 2026, "ttok_per_day": 2}])}
    >>> case = load_case(frames, name="tiny")
    >>> case.name, list(case.regions.index), case.settings.end_year
    ('tiny', ['a'], 2027)
    >>> frames["regions"].loc[0, "pue"] = 0.9
    >>> try:
    ...     load_case(frames)
    ... except planner.InputError as err:
    ...     print(err.problems[0].sheet, err.problems[0].row, err.problems[0].column, err.problems[0].message)
    regions 2 pue pue must be >= 1
    """
    from planner.case.validated import case_from_frames
    from planner.case.validated import load_case as from_files

    if isinstance(source, dict):
        return case_from_frames(source, name or "case")
    path = Path(source)
    if path.suffix.lower() in (".yaml", ".yml"):
        raise ValueError(f"{path} is a scenario: use planner.load_scenario, or planner.apply_scenario on a case")
    case = from_files(path)
    if name:
        case.name = name
    return case


def load_scenario(path):
    """A scenario file: its case with the changes applied, and its futures (``.futures``, None
    without).

    >>> s = load_scenario(EXAMPLE.parent / "scenarios" / "uncertain_demand.yaml")
    >>> s.name, [f.name for f in s.futures]
    ('uncertain_demand', ['low', 'base', 'high'])
    """
    from planner.case.scenario import load_scenario as from_file

    return from_file(path)


def apply_scenario(case, scenario):
    """``case`` changed by a scenario: a mapping with the keys of a scenario file (``name``,
    ``changes``, ``futures``, ``description``) or a scenario file, whose ``inputs`` is replaced
    by ``case``. The changes get every check a workbook gets.

    >>> case = load_case(EXAMPLE)
    >>> s = apply_scenario(case, {"name": "dear", "changes": [
    ...     {"scale": {"sheet": "regions", "column": "grid_price", "by": 2}}]})
    >>> s.name, float(s.case.regions.at["beijing", "grid_price"] / case.regions.at["beijing", "grid_price"])
    ('dear', 2.0)
    """
    from planner.case.scenario import scenario_of

    return scenario_of(case, scenario)


@dataclass
class Result:
    """A solved case in memory: status, objective, cost by component and every result table
    (planner/results/outputs.py declares their columns and units). Per-future tables carry a
    ``future`` column (``base`` for a case without futures)."""

    name: str
    status: str
    objective: float | None
    run: object

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def results(self):
        """The :class:`planner.results.tables.Results` behind the tables."""
        return self.run.results

    @property
    def costs(self) -> dict[str, float]:
        """Discounted total by component; the values add up to the objective."""
        return self.results.cost_by_component() if self.optimal else {}

    @property
    def tables(self) -> dict:
        """Every result table, by name."""
        return self.results.tables() if self.optimal else {}

    def table(self, name: str):
        """One result table as a DataFrame (a copy: change it freely)."""
        tables = self.tables
        if name not in tables:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(tables)}")
        return tables[name]

    def write(self, out="outputs") -> Path:
        """Publish the results folder ``out/<name>/`` (workbook, CSVs, report, run.json), with the
        command line's rules: written aside and moved into place, never over a user's files."""
        from planner.run import write_result

        if not self.optimal:
            raise ValueError(f"{self.name} is {self.status}: there is nothing to write")
        return write_result(self.run, Path(out))


def solve(what, options=None, **solver) -> Result:
    """Solve a case, a scenario (from :func:`load_scenario` or :func:`apply_scenario`) or a path
    to either, in memory. ``options`` is a :class:`SolverOptions`; or give its fields as keywords
    (``algorithm="choose"``, ``time_limit=60``).

    >>> result = solve(EXAMPLE, algorithm="ipm")
    >>> result.status, round(sum(result.costs.values()) / result.objective, 9)
    ('optimal', 1.0)
    """
    from planner.optimise.solver import SolverOptions as Options
    from planner.run import solve_in_memory

    options = options or Options(**solver)
    return solve_in_memory(what, options)


def load_run(folder):
    """A finished run read back from its results folder: ``.meta`` (run.json) and ``.tables``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     folder = solve(EXAMPLE).write(out)
    ...     run = load_run(folder)
    ...     print(run.name, run.meta["status"], "capacity" in run.tables)
    example optimal True
    """
    from planner.results.store import load_run as from_folder

    return from_folder(folder)


def __getattr__(name):
    # heavy classes load when first asked for, so that `import planner` stays quick
    if name == "SolverOptions":
        from planner.optimise.solver import SolverOptions

        return SolverOptions
    if name == "InputError":
        from planner.case.problems import InputError

        return InputError
    if name == "__version__":   # importlib.metadata would cost every command about 30 ms
        from importlib import metadata

        try:
            return metadata.version("planner")
        except metadata.PackageNotFoundError:   # run from a source tree that is not installed
            return "0.0.0"
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
