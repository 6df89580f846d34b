import pytest


@pytest.fixture(params=["csv", "xlsx"])
def fmt(request):
    """Every hand-worked case runs from a CSV folder and from a workbook: both must agree."""
    return request.param


from pathlib import Path

BUNDLED = sorted((Path(__file__).resolve().parent.parent / "inputs" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="session")
def bundled_runs(tmp_path_factory):
    """Every bundled scenario run once through the command line; shared by the tests that need
    their results (optimality, reports)."""
    from typer.testing import CliRunner

    from planner.cli import app

    out = tmp_path_factory.mktemp("bundled")
    runs = {}
    for path in BUNDLED:
        result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)], env={"COLUMNS": "200"})
        runs[path.stem] = (result.exit_code, result.output, out / path.stem)
    return runs
