"""The house grows by new rooms (issue 12): a new feature is one module; no refactor changes a
number; features own their outputs; packages import only earlier stages."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest
from pyomo.environ import Constraint, Expression, NonNegativeReals, Var

from builder import region, sheets, write
from planner.analysis.plans import fix_plan, plan_of
from planner.case.validated import load_case
from planner.models import FEATURES, build_model, costs
from planner.models.registry import Build, Feature
from planner.optimise.prepare import prepare
from planner.optimise.solver import solve
from planner.results.tables import Results

ROOT = Path(__file__).resolve().parent.parent
ONE = [dict(region="a", workload="w", year=2026, ttok_per_day=1)]


# ---- a toy feature, written here and nowhere else ---------------------------------------------

def _add_licences(m, data):
    """Every rack built needs a licence bought in the same period, at 2 currency each."""
    m.licences_bought = Var(m.REGIONS, m.PERIODS, within=NonNegativeReals, dense=True)
    m.licence_needed = Constraint(m.REGIONS, m.PERIODS, rule=lambda m, r, p: m.licences_bought[r, p] >= m.racks_built[r, p])
    m.licence_cost = Expression(m.PERIODS, rule=lambda m, p: sum(2.0 * m.licences_bought[r, p] for r in m.REGIONS))
    costs.register(m, "licences", "licence_cost", per_future=False)
    m.registry.builds.append(Build("licences_bought", "licences_bought", ("region",), "licences"))


LICENCES = Feature("licences", _add_licences, requires=("racks",))


def test_a_new_feature_is_one_module(tmp_path):
    """One rack of 1 MW serves 1 ttok/day: rack 100 + energy 8760 x 10 = 87,700; the licence adds
    2 for the one rack built, in the objective, the cost table (as a plan cost) and the plan."""
    data = prepare(load_case(write(sheets([region("a")], ONE), tmp_path)))
    m = build_model(data, features=FEATURES + (LICENCES,))
    solution = solve(m)
    assert solution.optimal and solution.objective == pytest.approx(87_702.0)
    results = Results(m, data, solution)
    by = results.cost_by_component()
    assert by["licences"] == pytest.approx(2.0) and by["rack_capex"] == pytest.approx(100.0)
    summary = results.summary().set_index("item")["value"]
    assert float(summary["first_stage_cost"]) == pytest.approx(102.0)
    plan = plan_of(m, "with licences")
    assert plan.builds["licences_bought"] == {("a", 2026): pytest.approx(1.0)}
    again = build_model(data, features=FEATURES + (LICENCES,))
    fix_plan(again, plan)
    assert again.licences_bought["a", 2026].fixed and again.licences_bought["a", 2026].value == pytest.approx(1.0)


def test_features_are_built_in_the_order_they_declare():
    from planner.models.build import ordered

    names = [f.name for f in ordered(reversed(FEATURES))]
    assert names.index("racks") < names.index("workloads") < names.index("optical")
    assert names.index("balance") > max(names.index(n) for n in ("workloads", "hvdc", "power"))
    with pytest.raises(ValueError, match="requires"):
        ordered([LICENCES])


# ---- no refactor changes a number ---------------------------------------------------------

def test_the_example_case_writes_the_same_bytes_as_before(tmp_path):
    """bench/same_outputs.py checks every bundled scenario; the example is kept here."""
    sys.path.insert(0, str(ROOT / "bench"))
    from same_outputs import differences, digests

    expected = json.loads((ROOT / "tests" / "data" / "example_digests.json").read_text())
    found = {"inputs/example": digests(ROOT / "inputs" / "example", tmp_path)}
    assert differences(expected, found) == []


# ---- the packages show the pipeline ----------------------------------------------------------

STAGES = ["case", "optimise", "models", "results", "analysis", "report"]   # each may import only earlier ones
LEAVES = {"finance", "formatting", "interrupt", "files"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "planner" and node.level == 0:
            found.update(f"planner.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("planner."):
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and path.parent.name == "models":
            found.add("planner.models")
    return found


def test_no_import_points_to_a_later_stage():
    files = {**{p: p.parent.name for p in (ROOT / "planner").glob("*/*.py")},
             **{p: "models" for p in (ROOT / "models").glob("*.py")}}
    for path, stage in files.items():
        for module in _imports(path):
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target in LEAVES or target == stage:
                continue
            assert target in STAGES, f"{path.relative_to(ROOT)} imports {module}: above every stage"
            assert STAGES.index(target) <= STAGES.index(stage), \
                f"{path.relative_to(ROOT)} ({stage}) imports {module}, a later stage"


def test_no_top_level_models_package_is_installed():
    import importlib.util

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"planner.models" = "models"' in pyproject
    spec = importlib.util.find_spec("planner.models")
    assert spec is not None and Path(spec.origin).parent == ROOT / "models"


def test_outputs_doc_is_generated_from_the_declarations():
    from planner.results import outputs

    committed = (ROOT / "docs" / "outputs.md").read_text()
    assert committed == outputs.render(), "docs/outputs.md is stale: run python -m planner.results.outputs > docs/outputs.md"


def test_every_column_written_is_declared(tmp_path):
    """The workbook writer refuses an undeclared column, so every table of a run is checked here."""
    from planner.results.outputs import column_of
    from planner.run import run_case

    outcome = run_case(ROOT / "inputs" / "example", tmp_path)
    for name, table in outcome.results.tables().items():
        for col in table.columns:
            assert column_of(name, col) is not None, (name, col)
