"""The report in a real browser: every bundled scenario's report.html opens offline in headless
Chromium with no JavaScript error, every chart renders, and the map draws one line per
corridor in use. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clients import need
from conftest import BUNDLED
from planner.cli import app

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars"]
LIMIT_MB = 6.0


def browse(page: Path, workdir: Path, screenshot: Path | None = None) -> dict[str, str]:
    """Open ``page`` in headless Chromium with a fresh profile; return #report-check's attributes."""
    chromium = need("chromium", "chromium")
    args = [chromium, *FLAGS, f"--user-data-dir={workdir / 'profile'}", "--virtual-time-budget=30000"]
    dom = subprocess.run(args + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180)
    match = re.search(r'<div id="report-check"([^>]*)>', dom.stdout)
    assert match, f"no #report-check in the page; chromium said:\n{dom.stderr[-2000:]}"
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', match.group(1)))
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(args + ["--window-size=1300,2400", f"--screenshot={screenshot}", page.as_uri()],
                       capture_output=True, timeout=180)
        assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    return attrs


def corridors_in_use(folder: Path) -> int:
    """What the map must draw: in the last year (the base future, if any), HVDC in service or
    optical carrying remote work."""
    net = pd.read_csv(folder / "network.csv")
    if "future" in net.columns:
        futures = list(dict.fromkeys(net["future"]))
        net = net[net["future"] == ("base" if "base" in futures else futures[0])]
    last = net[net["year"] == net["year"].max()]
    hvdc = last["hvdc_in_service_gw"] > 1e-6
    optical = (last["optical_forward_tbps"] + last["optical_reverse_tbps"]) > 1e-9
    return int(hvdc.sum() + optical.sum())


@pytest.mark.parametrize("name", [p.stem for p in BUNDLED])
def test_bundled_report_renders_offline(bundled_runs, tmp_path, name):
    code, output, folder = bundled_runs[name]
    assert code == 0, output
    page = folder / "report.html"
    assert page.stat().st_size < LIMIT_MB * 1e6, f"{page.stat().st_size / 1e6:.1f} MB"
    assert "cdn.plot.ly" not in page.read_text()[:2000] and "<script src=" not in page.read_text()
    check = browse(page, tmp_path, SHOTS / f"{name}.png")
    assert check.get("data-done") == "yes"
    assert json.loads(check["data-errors"].replace("&quot;", '"')) == []
    assert int(check["data-charts"]) >= 8 and check["data-rendered"] == check["data-charts"]
    assert int(check["data-map-lines"]) == corridors_in_use(folder) > 0
    # the bundled outline is drawn (31 provinces, thousands of points) and flows carry arrows
    assert int(check["data-outline-points"]) > 1000
    assert 0 < int(check["data-map-arrows"]) <= int(check["data-map-lines"])
    if name == "uncertain_demand":
        assert "Futures" in page.read_text() and int(check["data-charts"]) >= 9


def test_report_command_and_comparison(bundled_runs, tmp_path):
    folders = [bundled_runs[n][2] for n in ("base", "low_demand", "deterministic_network")]
    one = CliRunner().invoke(app, ["report", str(folders[0]), "--out", str(tmp_path / "one.html")])
    assert one.exit_code == 0, one.output
    check = browse(tmp_path / "one.html", tmp_path / "a")
    assert json.loads(check["data-errors"].replace("&quot;", '"')) == []
    many = CliRunner().invoke(app, ["report", *map(str, folders), "--out", str(tmp_path / "compare.html")])
    assert many.exit_code == 0, many.output
    check = browse(tmp_path / "compare.html", tmp_path / "b", SHOTS / "comparison.png")
    # cost, difference from the first run, racks by zone, racks by region, network (one unit per
    # chart) and overcapacity
    assert int(check["data-charts"]) == 6 and check["data-rendered"] == "6"
    text = (tmp_path / "compare.html").read_text()
    assert "Difference from base" in text and "low_demand − base" in text and "Inner Mongolia" in text
    for name in ("base", "low_demand", "deterministic_network"):
        assert name in text


def test_stress_page_renders(bundled_runs, tmp_path):
    """`planner stress` writes a page next to its tables; it opens with its chart and no error."""
    base = bundled_runs["base"][2]
    low = ROOT / "inputs" / "scenarios" / "low_demand.yaml"
    result = CliRunner().invoke(app, ["stress", str(base), str(low), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = tmp_path / "stress_base" / "report.html"
    check = browse(page, tmp_path / "s")
    assert json.loads(check["data-errors"].replace("&quot;", '"')) == [] and check["data-rendered"] == "1"
    assert "low_demand" in page.read_text()


def test_report_names_regions_and_hides_absolute_paths(bundled_runs):
    """Display names (not ids) on the map, heatmaps and bars; the input path relative, with its hash;
    the headline says what the plan idles if demand comes in low (base names low_demand)."""
    folder = bundled_runs["base"][2]
    text = (folder / "report.html").read_text()
    meta = json.loads((folder / "run.json").read_text())
    header = re.search(r"<header>(.*?)</header>", text).group(1)
    assert str(ROOT) not in header and not re.search(r"inputs (/|[A-Z]:\\)", header)
    assert meta["inputs_sha256"][:12] in header
    assert "Inner Mongolia" in text and '"inner_mongolia"' not in text.split("Where racks go")[1].split("</section>")[0]
    low = meta["low_demand"]
    assert low["scenario"] == "low_demand" and low["status"] == "optimal"
    line = re.search(r"<p class='low-demand'>(.*?)</p>", text).group(1)
    assert "If demand comes in low" in line and f"{low['idle_cost_sum'] / 1e9:,.1f} bn" in line


def test_report_names_the_published_folder_not_the_staging_one(bundled_runs):
    """A scenario with no low-demand variant: the report tells how to stress the plan, naming the
    results folder as it stands once published (the report is drawn before the folder moves)."""
    folder = bundled_runs["high_demand"][2]
    line = re.search(r"<p class='low-demand'>(.*?)</p>", (folder / "report.html").read_text()).group(1)
    assert f"planner stress {folder.name} &lt;low-demand scenario&gt;" in line
    assert f".{folder.name}.writing" not in (folder / "report.html").read_text()   # the staging name


def test_report_numbers_are_the_exported_numbers(bundled_runs):
    """The headline cards show the objective and costs of run.json, not a recomputation."""
    folder = bundled_runs["base"][2]
    meta = json.loads((folder / "run.json").read_text())
    text = (folder / "report.html").read_text()
    billions = meta["objective"] / 1e9
    assert f"{billions:,.1f} bn {meta['currency']}" in text
