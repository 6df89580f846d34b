"""Nothing lost: a run killed while writing its results leaves earlier results untouched, and
scenario names cannot place results outside the output folder."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder import region, sheets, write
from planner.places import safe_name
from planner.run import run_case

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example"
RUN = [sys.executable, "-c", "from planner.cli import main; main()", "run"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_killed_run_leaves_earlier_results_untouched(tmp_path):
    out = tmp_path / "out"
    first = subprocess.run(RUN + [str(EXAMPLE), "--out", str(out)], capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(out / "example")

    env = {**os.environ, "PLANNER_PAUSE_BEFORE_PUBLISH": "60"}
    proc = subprocess.Popen(RUN + [str(EXAMPLE), "--out", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        staged = []
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [p for p in out.glob(".example.writing-*") if (p / "run.json").exists()]
            if staged:
                break
            time.sleep(0.2)
        assert staged, "the run never reached the point where its results are written aside"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert snapshot(out / "example") == before           # earlier results whole
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["example"]

    again = subprocess.run(RUN + [str(EXAMPLE), "--out", str(out)], capture_output=True, text=True)
    assert again.returncode == 0
    assert list(out.glob(".example.writing-*")) == []    # the killed run's debris is cleared


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "..", "a/../../b", "  spaces and (brackets)  "])
def test_result_folder_names_stay_inside_the_output_folder(tmp_path, name):
    folder = safe_name(name)
    assert "/" not in folder and folder not in (".", "..") and not folder.startswith(".")
    case = sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)])
    outcome = run_case(write(case, tmp_path / "in"), tmp_path / "out", name=name)
    assert outcome.exit_code == 0
    assert outcome.folder.resolve().parent == (tmp_path / "out").resolve()
