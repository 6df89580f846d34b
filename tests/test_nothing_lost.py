"""Nothing lost: a run killed while writing its results leaves earlier results untouched, and
scenario names cannot place results outside the output folder."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder import region, sheets, write
from planner.results.places import safe_name
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


# ---- a user's files are sacred (issue 11) --------------------------------------------------

def cli(*args, cwd=None, env=None, timeout=300):
    """The real command in a fresh process."""
    return subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def small_case(folder: Path) -> Path:
    return write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=1)]), folder)


def test_out_dot_never_touches_the_input_folder(tmp_path):
    case = small_case(tmp_path)          # tmp_path/case, a CSV folder
    before = tree(tmp_path)
    result = cli("run", "case", "--out", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "input of this run" in result.stdout + result.stderr and "--out" in result.stdout + result.stderr
    assert tree(tmp_path) == before and case.is_dir()
    assert "internal error" not in result.stdout + result.stderr


def test_a_folder_of_user_files_is_never_replaced(tmp_path):
    small_case(tmp_path)
    mine = tmp_path / "out" / "case"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("my own notes")
    (mine / "results.xlsx").write_bytes(b"not the planner's")
    before = tree(tmp_path / "out")
    result = cli("run", tmp_path / "case", "--out", tmp_path / "out")
    assert result.returncode == 2 and "did not write it" in result.stdout + result.stderr
    assert tree(tmp_path / "out") == before


def test_a_results_folder_that_holds_the_input_is_refused(tmp_path):
    """A scenario named like a folder that holds its own case: the results would replace it."""
    small_case(tmp_path / "study")
    scenario = tmp_path / "study.yaml"
    scenario.write_text("name: study\ninputs: study/case\n", encoding="utf-8")
    before = tree(tmp_path)
    result = cli("run", scenario, "--out", tmp_path)
    assert result.returncode == 2 and "input of this run" in result.stdout + result.stderr
    assert tree(tmp_path) == before


def test_the_planners_own_folder_is_replaced(tmp_path):
    small_case(tmp_path)
    assert cli("run", tmp_path / "case", "--out", tmp_path / "out").returncode == 0
    first = json.loads((tmp_path / "out" / "case" / "run.json").read_text())
    assert first["written_by"] == "planner"
    assert cli("run", tmp_path / "case", "--out", tmp_path / "out").returncode == 0


def test_chinese_scenario_names_land_side_by_side(tmp_path):
    case = small_case(tmp_path)
    for name, by in (("低需求", 0.5), ("高需求", 2.0)):
        (tmp_path / f"{by}.yaml").write_text(
            f"name: {name}\ninputs: {case}\nchanges:\n  - scale: {{sheet: demand, column: ttok_per_day, by: {by}}}\n",
            encoding="utf-8")
    inputs = tree(case)
    result = cli("run", tmp_path / "0.5.yaml", tmp_path / "2.0.yaml", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["低需求", "高需求"]
    low, high = (json.loads((tmp_path / "out" / n / "run.json").read_text(encoding="utf-8")) for n in ("低需求", "高需求"))
    assert low["scenario"] == "低需求" and high["scenario"] == "高需求"
    assert high["objective"] > low["objective"]
    assert tree(case) == inputs


def test_two_runs_that_would_share_a_folder_stop_before_solving(tmp_path):
    case = small_case(tmp_path)
    for f in ("a.yaml", "b.yaml"):
        (tmp_path / f).write_text(f"name: same\ninputs: {case}\n", encoding="utf-8")
    result = cli("run", tmp_path / "a.yaml", tmp_path / "b.yaml", "--out", tmp_path / "out")
    text = result.stdout + result.stderr
    assert result.returncode == 2 and "a.yaml" in text and "b.yaml" in text and "Nothing was solved" in text
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_300_character_name_gets_a_folder_the_file_system_accepts(tmp_path):
    case = small_case(tmp_path)
    name = "需求" * 150
    (tmp_path / "long.yaml").write_text(f"name: {name}\ninputs: {case}\n", encoding="utf-8")
    result = cli("run", tmp_path / "long.yaml", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    [folder] = list((tmp_path / "out").iterdir())
    assert len(folder.name.encode()) <= 120 and folder.name.startswith("需求")
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["scenario"] == name


FUTURES_AND_SWEEP = """futures:
  low:
    probability: 0.5
    changes: [{scale: {sheet: demand, column: ttok_per_day, by: 0.5}}]
  high: {probability: 0.5}
sweep:
  settings.discount_rate: [0.05, 0.07]
"""


def test_every_command_refuses_a_users_files(tmp_path):
    """stress, regret, sweep, compare, report and template replace only what the planner wrote."""
    case = small_case(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ninputs: {case}\n" + FUTURES_AND_SWEEP, encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", scenario, "--out", out).returncode == 0
    mine = tmp_path / "mine"
    for folder in ("stress_s", "s_regret", "s_sweep"):
        (mine / folder).mkdir(parents=True)
        (mine / folder / "keep.txt").write_text("mine")
    for f in ("compare.xlsx", "page.html", "template.xlsx"):
        (mine / f).write_bytes(b"mine")
    before = tree(mine)
    commands = [
        ("stress", out / "s", scenario, "--out", mine),
        ("regret", scenario, "--out", mine),
        ("sweep", scenario, "--out", mine, "--workers", "1"),
        ("compare", out / "s", "--out", mine / "compare.xlsx"),
        ("report", out / "s", "--out", mine / "page.html"),
        ("template", mine / "template.xlsx"),
    ]
    for args in commands:
        result = cli(*args)
        assert result.returncode == 2, (args[0], result.stdout + result.stderr)
        assert "internal error" not in result.stdout + result.stderr
    assert tree(mine) == before
    # the report of a run is the planner's own file: drawn again in place
    assert cli("report", out / "s").returncode == 0


# ---- stopping when asked (real signals to a real run) ----------------------------------------

def slow_case(folder: Path) -> Path:
    """A synthetic case big enough that HiGHS works for several seconds."""
    from generate import generate

    target = folder / "slow"
    generate(target, regions=40, years=20, workloads=4)
    return target


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    import sys as _sys

    _sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    return slow_case(tmp_path_factory.mktemp("slow"))


def earlier_result(out: Path, name: str) -> dict[str, bytes]:
    """A results folder the planner would replace, standing where the new run would publish."""
    folder = out / name
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"scenario": name, "written_by": "planner"}))
    (folder / "summary.csv").write_text("item,value,unit\nobjective,1,USD\n")
    return tree(out)


@pytest.mark.parametrize("signum, wait_for", [(signal.SIGINT, "Iter"), (signal.SIGTERM, "Iter"),
                                               (signal.SIGINT, "building the model")])
def test_a_signal_stops_the_run_at_once_and_publishes_nothing(tmp_path, slow, signum, wait_for):
    out = tmp_path / "out"
    before = earlier_result(out, "slow")
    log = tmp_path / "log.txt"
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-c", "from planner.cli import main; main()", "run", str(slow),
                                 "--out", str(out), "--solver-log"], stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while wait_for not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be interrupted:\n" + log.read_text()[-2000:]
        sent = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert code == 130, text[-2000:]
    assert took < 5, f"took {took:.1f} s to stop"
    # HiGHS's log (its own C stdio, another thread) may have left a line unfinished when the
    # signal came, so the planner's one line may follow it on the same line of the file
    last = [line[line.index("planner:"):] for line in text.splitlines() if "planner:" in line]
    assert len(last) == 1 and ("interrupted" in last[0] or "SIGTERM" in last[0])
    assert "Traceback" not in text and "internal error" not in text
    assert tree(out) == before            # nothing published, nothing left behind
    assert sorted(p.name for p in out.iterdir()) == ["slow"]


# ---- a folder that cannot be written ---------------------------------------------------------

def in_namespace(mount: str, command: list[str], target: Path):
    """Run ``command`` where ``target`` is a fresh tmpfs mounted with ``mount`` options, inside a
    user and mount namespace of its own (a real read-only or full file system, no root needed)."""
    if shutil.which("unshare") is None:
        pytest.skip("util-linux unshare is not installed")
    target.mkdir(parents=True, exist_ok=True)
    script = f"mount -t tmpfs -o {mount} none {shlex.quote(str(target))} && exec " + " ".join(map(shlex.quote, command))
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are not available here: {probe.stderr.decode()[:200]}")
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300)


PLANNER = [sys.executable, "-c", "from planner.cli import main; main()"]


@pytest.mark.parametrize("mount, reason", [("ro,size=1m", "Read-only file system"),
                                           ("size=48k", "No space left on device")])
def test_a_read_only_or_full_file_system_is_a_plain_error(tmp_path, mount, reason):
    case = small_case(tmp_path)
    out = tmp_path / "out"
    result = in_namespace(mount, [*PLANNER, "run", str(case), "--out", str(out)], out)
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert reason in text and str(out) in text and "internal error" not in text


def test_a_file_size_limit_is_a_plain_error(tmp_path):
    case = small_case(tmp_path)
    out = tmp_path / "out"
    script = f"ulimit -f 16 && exec {' '.join(map(shlex.quote, [*PLANNER, 'run', str(case), '--out', str(out)]))}"
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=300)
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "File too large" in text and "internal error" not in text
    assert not [p for p in out.iterdir() if not p.name.startswith(".")] if out.exists() else True


def test_out_pointing_at_a_file_is_a_plain_error(tmp_path):
    case = small_case(tmp_path)
    (tmp_path / "taken").write_text("a file")
    result = cli("run", case, "--out", tmp_path / "taken")
    text = result.stdout + result.stderr
    assert result.returncode == 1 and "taken" in text and "internal error" not in text
    assert (tmp_path / "taken").read_text() == "a file"


def test_a_folder_without_write_permission_is_a_plain_error(tmp_path):
    """Permissions bind only a process without root's override: the run is made in a user
    namespace as an ordinary user (who owns the files but has no capabilities), so a folder of
    mode 555 really refuses it, as it would a planner run by anyone but root."""
    if shutil.which("unshare") is None:
        pytest.skip("util-linux unshare is not installed")
    case = small_case(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    command = ["unshare", "--user", "--map-user=1000", "--map-group=1000", *PLANNER, "run", str(case), "--out", str(locked)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    text = result.stdout + result.stderr
    if "unshare failed" in text or "Operation not permitted" in text and "unshare" in text:
        pytest.skip(f"user namespaces are not available here: {text[:200]}")
    assert result.returncode == 1, text
    assert "Permission denied" in text and str(locked) in text and "internal error" not in text
    assert list(locked.iterdir()) == []
