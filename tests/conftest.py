import pytest


@pytest.fixture(params=["csv", "xlsx"])
def fmt(request):
    """Every hand-worked case runs from a CSV folder and from a workbook: both must agree."""
    return request.param


from pathlib import Path

BUNDLED = sorted((Path(__file__).resolve().parent.parent / "inputs" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="session")
def bundled_runs(tmp_path_factory):
    """Every bundled scenario run once through the command line, two at a time as a planner with
    two cores would (`planner run ... --workers 2`); shared by the tests that need their results
    (optimality, reports). Each scenario's code is 0 when its run.json says optimal."""
    import json

    from typer.testing import CliRunner

    from planner.cli import app

    out = tmp_path_factory.mktemp("bundled")
    result = CliRunner().invoke(app, ["run", *map(str, BUNDLED), "--out", str(out), "--workers", "2"],
                                env={"COLUMNS": "200"})
    runs = {}
    for path in BUNDLED:
        meta = out / path.stem / "run.json"
        ok = meta.is_file() and json.loads(meta.read_text())["status"] == "optimal"
        runs[path.stem] = (0 if ok else (result.exit_code or 1), result.output, out / path.stem)
    return runs
