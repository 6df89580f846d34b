"""Many variants of a scenario, solved in parallel (`planner sweep SCENARIO --vary sheet.column=a,b`).

Each variant is the scenario plus one `set` per varied column (every row of the sheet, or a
setting), over the Cartesian product of the values given. The parent reads the inputs once and
prepares each variant's model data; each worker builds and solves one model and returns its
headline figures (plain data), so nothing unpicklable crosses processes. The executor is a
``concurrent.futures`` one: local processes by default, or a Dask cluster's
(``Client(address).get_executor()``) with the same code. Iteration is sorted everywhere, so a
variant gives the same numbers whichever process solves it.

Local workers are fresh interpreters (the ``spawn`` start method), never forks: a fork inherits
the parent's HiGHS thread scheduler (set up by any earlier solve in the same process, as in a
notebook or a test session) and its solves then fail; ``spawn`` is also what Windows and macOS
have. A variant that fails carries its reason into the table; the others go on.
"""
from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from planner.case.validated import read_checked
from planner.optimise.prepare import ModelData, prepare
from planner.case.problems import InputError, error
from planner.case.scenario import Change, Scenario, parse, inputs_of, scenario_from
from planner.optimise.solver import SolverOptions


@dataclass
class Variant:
    index: int
    values: dict[str, object]   # "sheet.column" -> value
    data: ModelData | None = None
    scenario: Scenario | None = None   # the checked scenario, until its model data is prepared

    def model_data(self) -> ModelData:
        """The variant's model data, prepared now if ``variants(..., prepared=False)`` left it."""
        if self.data is None:
            self.data = prepare(self.scenario.case, self.scenario.futures)
            self.scenario = None
        return self.data


def parse_vary(texts: list[str], where: str = "--vary") -> dict[str, list]:
    """``sheet.column=v1,v2`` (or ``settings.key=...``) into {"sheet.column": [v1, v2]}.

    >>> parse_vary(["corridors.efficiency=0.6, 0.8", "settings.currency=CNY"])
    {'corridors.efficiency': [0.6, 0.8], 'settings.currency': ['CNY']}
    """
    out: dict[str, list] = {}
    problems = []
    for text in texts:
        name, sep, values = text.partition("=")
        if not sep or "." not in name or not values:
            problems.append(error(where, "write --vary sheet.column=value1,value2,...", value=text))
            continue
        parsed = []
        for v in values.split(","):
            try:
                value = yaml.safe_load(v) if v.strip() else None
            except yaml.YAMLError:
                value = None
            if value is None or isinstance(value, (dict, list)):
                problems.append(error(where, f"'{v.strip()}' is not a value: write --vary {name.strip()}=value1,value2,...",
                                      column=name.strip(), value=text))
                continue
            parsed.append(value)
        out[name.strip()] = parsed
    if problems:
        raise InputError(problems, where)
    return out


def _change(name: str, value) -> Change:
    sheet, column = name.split(".", 1)
    field = "key" if sheet == "settings" else "column"
    return Change.model_validate({"set": {"sheet": sheet, field: column, "value": value}})


def variants(path: Path, vary: dict[str, list], prepared: bool = True) -> tuple[str, list[Variant]]:
    """Check every variant (reading the inputs once) and raise InputError on any bad one, before
    anything is solved. ``prepared=False`` leaves each variant's model data to be prepared when it
    is sent to a worker (``run_sweep``), so the workers start while the parent prepares the rest."""
    spec = parse(path)
    vary = {**(spec.sweep or {}), **vary}
    if not vary:
        raise InputError([error(path.name, "nothing to vary: give --vary sheet.column=values or a sweep section")],
                         str(path))
    empty = [error(path.name, f"sweep.{name}: give at least one value to vary it over", column=name, value="[]")
             for name, values in vary.items() if not values]
    if empty:
        raise InputError(empty, str(path))
    checked = read_checked(inputs_of(spec, path))
    names = sorted(vary)
    out, problems = [], []
    for i, combo in enumerate(itertools.product(*(vary[n] for n in names))):
        values = dict(zip(names, combo))
        try:
            scenario = scenario_from(spec, path, checked, [_change(n, v) for n, v in values.items()],
                                     extra_prefix=f"--vary (variant {i})")
        except InputError as err:
            problems += err.problems
            continue
        item = Variant(i, values, scenario=scenario)
        out.append(item)
        if prepared:
            item.model_data()
    if problems:
        raise InputError(problems, str(path))
    return spec.name, out


def scenario_inputs(path: Path) -> list[Path]:
    """The files a sweep reads: the scenario and the case it names."""
    return [path, inputs_of(parse(path), path)]


def solve_variant(index: int, values: dict, data: ModelData, options: SolverOptions) -> dict:
    """Worker: build, solve and summarise one variant. Top-level so that processes can run it.
    A failure is a row with status ``error`` and its reason, never an exception."""
    row = {"variant": index, **values}
    try:
        with heap_kept_while_solving():
            return {**row, **_solved_variant(data, options)}
    except Exception as err:   # this variant fails; the sweep goes on
        return {**row, "status": "error", "reason": f"{type(err).__name__}: {err}"[:500]}


def _solved_variant(data: ModelData, options: SolverOptions) -> dict:
    from planner.models import build_model

    from planner.results.tables import Results
    from planner.optimise.solver import objective_value, solve
    from planner.results.store import headline

    model = build_model(data)
    sol = solve(model, options)
    row = {"status": sol.status, "reason": "" if sol.optimal else sol.message}
    if not sol.optimal:
        return row
    results = Results(model, data, sol)
    meta = {"scenario": data.name, "status": sol.status, "objective": objective_value(model),
            "costs": results.cost_by_component()}
    head = headline(results.tables(), meta)
    head.pop("scenario", None)
    head.pop("status", None)
    return {**row, **head}


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_DEFAULT, _MMAP_THRESHOLD_MAX = 128 * 1024, 32 * 1024 * 1024


@contextmanager
def heap_kept_while_solving():
    """A variant's allocations stay in the heap while it is solved, when glibc's trim threshold was fixed.

    Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536`` so that freed memory goes
    back to the system. Fixing that threshold also stops glibc from raising its mmap threshold as
    it sees large blocks freed, so every block over 128 kB (HiGHS's vectors, Pyomo's arrays) is a
    fresh mmap: a national variant took four times the page faults and 1.1 s more system time
    (docs/performance.md). For the length of the variant the heap keeps blocks up to 32 MB (glibc's
    own ceiling for that threshold) and freed memory up to 64 MB; afterwards the worker's settings
    come back and ``malloc_trim`` returns what is free, as Dask intends. Elsewhere (no fixed
    threshold, not glibc) nothing changes. The settings are the process's: with several variants
    at once in one worker, the first to finish restores them for the others (slower, never wrong)."""
    fixed = os.environ.get("MALLOC_TRIM_THRESHOLD_", "")
    libc = _glibc() if fixed.isdigit() else None   # glibc ignores a value that is not a number
    if libc is None:
        yield
        return
    trim = int(fixed)
    libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    libc.mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_DEFAULT)
        libc.mallopt(_M_TRIM_THRESHOLD, trim)
        libc.malloc_trim(0)


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:   # musl and others: no libc.so.6
        return None


def _worker_started() -> None:
    """Ctrl-C in a terminal reaches every process of the group; the parent alone decides what
    stops, and ends its workers itself. The worker then imports what a variant needs (Pyomo,
    HiGHS, pandas: about two seconds) once, before its first variant."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import planner.models  # noqa: F401
    import planner.optimise.solver  # noqa: F401
    import planner.results.tables  # noqa: F401


def local_executor(workers: int | None = None) -> Executor:
    """Fresh worker processes (``spawn``): see the module docstring for why not ``fork``."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_started)


def stop_workers(executor: Executor) -> None:
    """End a local pool's workers now (a sweep asked to stop must not wait for running variants)."""
    executor.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass


def run_sweep(items: list[Variant], executor: Executor, options: SolverOptions,
              progress=lambda done, total: None) -> pd.DataFrame:
    opts = options.quiet(threads=1)   # one process per core: HiGHS threads would compete
    jobs, rows = {}, []
    try:
        for v in items:   # each sent as soon as it is prepared: the first worker starts meanwhile
            jobs[executor.submit(solve_variant, v.index, v.values, v.model_data(), opts)] = v
        for done, job in enumerate(as_completed(jobs), start=1):
            variant = jobs[job]
            try:
                rows.append(job.result())
            except Exception as err:   # the worker itself died (killed, out of memory)
                rows.append({"variant": variant.index, **variant.values, "status": "error",
                             "reason": f"the worker stopped: {type(err).__name__}: {err}"[:500]})
            progress(done, len(jobs))
    except BaseException:
        stop_workers(executor)
        raise
    return pd.DataFrame(rows).sort_values("variant").reset_index(drop=True)
