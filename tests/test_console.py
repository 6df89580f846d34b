"""The console at 80 columns (a pipe, a CI log): nothing cut, nothing ambiguous, the report named.

Rendered through the real command (CliRunner with COLUMNS=80), on a 25-year case with three
futures (the widest tables the summary prints) and on the bundled base scenario.
"""
from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from builder import region, sheets, write
from planner.cli import app
from planner.formatting import money

ROOT = Path(__file__).resolve().parent.parent


def long_case(tmp_path: Path) -> Path:
    """Two regions over 2026-2050 with demand growing 10 % a year, in three futures; names long
    enough to tempt a table into cutting them."""
    years = list(range(2026, 2051))
    demand = [dict(region=r, workload="w", year=y, ttok_per_day=round(50 * 1.1 ** i, 3))
              for r in ("a_rather_long_region_name", "b") for i, y in enumerate(years)]
    case = write(sheets([region("a_rather_long_region_name", zone="east", existing_racks=40),
                         region("b", lon=5, zone="a_long_zone_name")], demand,
                        settings={"end_year": 2050, "discount_rate": 0.05, "rack_life": 30}), tmp_path)
    path = tmp_path / "long_futures.yaml"
    path.write_text(yaml.safe_dump({"name": "long_futures", "inputs": str(case), "futures": {
        "low": {"probability": 0.3, "changes": [{"growth": {"sheet": "demand", "column": "ttok_per_day", "by": 0.3}}]},
        "base": {"probability": 0.4},
        "high": {"probability": 0.3, "changes": [{"scale": {"sheet": "demand", "column": "ttok_per_day", "by": 1.3}}]}}}))
    return path


def run80(*args: str):
    result = CliRunner().invoke(app, [*args], env={"COLUMNS": "80"})
    return result, result.output.splitlines()


def assert_fits(lines: list[str]) -> None:
    """Every line within 80 columns but the ones naming a folder or file, which stay whole."""
    too_long = [line for line in lines if len(line) > 80 and not re.match(r"^(Results|Report|[\w-]+):\s+/", line)]
    assert not too_long, "\n".join(too_long)
    assert not any("…" in line for line in lines), "\n".join(line for line in lines if "…" in line)


def test_a_long_run_with_futures_fits_80_columns(tmp_path):
    result, lines = run80("run", str(long_case(tmp_path)), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert_fits(lines)
    text = result.output
    # the planner's words, with the unit once in the header
    assert "Discounted cost by component (" in text and "rack build" in text and "rack_capex" not in text
    # 25 periods of new racks: split into tables that fit, every year shown once
    assert "New racks per year by zone" in text
    for year in range(2026, 2051):
        assert len(re.findall(rf"(?<!\d){year}(?!\d)", text)) >= 1, year
    assert "a_long_zone_name" in text
    # money is never split from its unit across lines
    meta = json.loads((tmp_path / "out" / "long_futures" / "run.json").read_text())
    assert any(money(meta["objective"], "USD") in line for line in lines)
    # ends by naming the report file, which exists
    assert lines[-1].startswith("Report:")
    report = Path(lines[-1].split(":", 1)[1].strip())
    assert report.name == "report.html" and report.is_file()


def test_the_bundled_base_run_fits_80_columns(bundled_runs, tmp_path):
    result, lines = run80("run", str(ROOT / "inputs" / "scenarios" / "base.yaml"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert_fits(lines)
    meta = json.loads((tmp_path / "base" / "run.json").read_text())
    assert any(money(meta["objective"], "USD") in line for line in lines)
    low = meta["low_demand"]
    joined = " ".join(lines)
    assert "If demand comes in low (low_demand)" in joined and money(low["idle_cost_sum"], "USD") in joined


def test_several_cases_in_parallel_end_with_one_summary(tmp_path):
    """Two cases on two workers: one summary row each with the cost of its run.json, in the
    unit of the header."""
    first = long_case(tmp_path)
    spec = yaml.safe_load(first.read_text())
    spec.update(name="no_futures")
    spec.pop("futures")
    second = tmp_path / "no_futures.yaml"
    second.write_text(yaml.safe_dump(spec))
    result, lines = run80("run", str(first), str(second), "--workers", "2", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert_fits(lines)
    header = next(i for i, line in enumerate(lines) if line.startswith("2 cases (money in"))
    assert "idle (plan)" in lines[header + 1] or "idle (plan)" in lines[header + 2]
    unit = re.search(r"money in (\w+) USD", lines[header]).group(1)
    divisor = {"k": 1e3, "M": 1e6, "bn": 1e9, "tn": 1e12}[unit]
    rows = {line.split()[0]: line.split() for line in lines[header:] if line.split()[:1] in (["long_futures"], ["no_futures"])}
    for name in ("long_futures", "no_futures"):
        meta = json.loads((tmp_path / "out" / name / "run.json").read_text())
        assert rows[name][1] == "optimal"
        assert float(rows[name][2].replace(",", "")) == pytest.approx(meta["objective"] / divisor, abs=0.051)
    # each case's own summary came back from its worker
    assert sum(line.startswith("Report:") for line in lines) == 2


def test_version_and_choices_in_help():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"planner {metadata.version('planner')}"
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "120"})
    assert "ipm|choose|simplex|pdlp" in result.output and "--workers" in result.output
    assert "[parquet]" in result.output   # rich markup must not eat the extra's name
