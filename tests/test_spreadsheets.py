"""Template, generated docs, named infeasibility, warnings, and id matching."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from builder import region, sheets, solve_sheets, write
from planner.case import inputs_doc
from planner.case.validated import load_case
from planner.cli import app
from planner.run import run_case
from planner.case.schema import SHEETS
from planner.case.template import write_template
from planner.case.problems import InputError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inputs" / "example"


def same_case(a, b):
    assert a.settings == b.settings
    for t in ("regions", "region_years", "workloads", "demand", "corridors", "policies", "planned_builds"):
        x, y = getattr(a, t).reset_index(drop=True), getattr(b, t).reset_index(drop=True)
        cols = [c for c in x.columns if c != "_row"]
        key = [c for c in cols[:3]]
        pd.testing.assert_frame_equal(x[cols].sort_values(key).reset_index(drop=True),
                                      y[cols].sort_values(key).reset_index(drop=True), check_dtype=False, obj=t)


def test_template_has_every_sheet_and_column_annotated(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert set(SHEETS) <= set(book.sheetnames)
    for name, sheet in SHEETS.items():
        ws = book[name]
        assert ws.freeze_panes == ("A2" if sheet.key_value else "A3")
        if sheet.key_value:
            keys = [ws.cell(row=i, column=1).value for i in range(2, len(sheet.columns) + 2)]
            assert keys == list(sheet.names)
            continue
        header = [c.value for c in ws[1]]
        assert header[: len(sheet.columns)] == list(sheet.names)
        for j, col in enumerate(sheet.columns, start=1):
            note = ws.cell(row=1, column=j).comment.text
            assert (col.unit in note) and (("Required" in note) if col.required else ("Default" in note))
            # the unit in view without hovering, in the row under the header
            assert (ws.cell(row=2, column=j).value or "") == col.unit
    regions_dropdowns = {str(dv.sqref): dv.formula1 for dv in book["demand"].data_validations.dataValidation}
    assert any("regions!$A$3" in (f or "") for f in regions_dropdowns.values())
    # dropdowns reach a national case's 62 regions x 6 workloads x 25 years = 9,300 demand rows
    region_rule = next(dv for dv in book["demand"].data_validations.dataValidation if "regions!" in (dv.formula1 or ""))
    assert str(region_rule.sqref).startswith("A3:") and int(str(region_rule.sqref).split(":")[1][1:]) >= 9_302
    kinds = [dv.formula1 for dv in book["planned_builds"].data_validations.dataValidation]
    assert any("fixed,min,max" in (f or "") for f in kinds)


def test_filled_template_reads_as_the_same_case(tmp_path):
    path = write_template(tmp_path / "filled.xlsx", load_case(EXAMPLE))
    same_case(load_case(EXAMPLE), load_case(path))


def test_template_and_results_take_the_users_file_mode(tmp_path):
    """Written with the user's normal permissions (umask 022: 644 files, 755 folders), not the
    owner-only mode of a temporary file."""
    import os
    import stat

    from planner import files

    old = os.umask(0o022)
    files._UMASK.clear()
    try:
        path = write_template(tmp_path / "t.xlsx")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        outcome = run_case(EXAMPLE, tmp_path / "out")
        assert outcome.exit_code == 0
        assert stat.S_IMODE(outcome.folder.stat().st_mode) == 0o755
        assert {stat.S_IMODE(f.stat().st_mode) for f in outcome.folder.iterdir()} == {0o644}
    finally:
        os.umask(old)
        files._UMASK.clear()


def test_a_units_row_under_the_header_is_skipped_and_data_is_not(tmp_path):
    """A row that names the declared units (as the template writes it, or in brackets) is not
    data; rows keep their spreadsheet numbers in messages. A first row of numbers is data."""
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=2)]), tmp_path)
    demand = (case / "demand.csv").read_text().splitlines()
    units = ",".join({"region": "id", "workload": "id", "year": "year", "ttok_per_day": "(trillion tokens/day)"}.get(c, "")
                     for c in demand[0].split(","))
    assert SHEETS["demand"].column("ttok_per_day").unit == "trillion tokens/day"
    (case / "demand.csv").write_text("\n".join([demand[0], units, *demand[1:]]) + "\n")
    loaded = load_case(case)
    assert loaded.demand["ttok_per_day"].tolist() == [2.0] and loaded.demand["_row"].tolist() == [3]
    (case / "demand.csv").write_text("\n".join([demand[0], demand[1].replace(",2", ",x"), *demand[1:]]) + "\n")
    with pytest.raises(InputError) as err:
        load_case(case)
    assert any(p.sheet == "demand" and p.row == 2 for p in err.value.problems)


@pytest.mark.parametrize("sheet", ["regions", "workloads", "demand"])
def test_an_empty_required_sheet_is_an_error(tmp_path, sheet):
    case = write(sheets([region("a")], [dict(region="a", workload="w", year=2026, ttok_per_day=2)]), tmp_path)
    header = (case / f"{sheet}.csv").read_text().splitlines()[0]
    (case / f"{sheet}.csv").write_text(header + "\n")
    with pytest.raises(InputError) as err:
        load_case(case)
    mine = [p for p in err.value.problems if p.sheet == sheet and "no rows" in p.message]
    assert mine and mine[0].is_error


def test_template_never_replaces_a_file(tmp_path):
    """A file the planner did not write is refused (exit 2, issue 11) unless --force; a template
    the planner wrote is replaced; the --from input itself never is, even with --force."""
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"precious")
    result = CliRunner().invoke(app, ["template", str(target)])
    assert result.exit_code == 2 and target.read_bytes() == b"precious"
    assert CliRunner().invoke(app, ["template", str(target), "--force"]).exit_code == 0
    assert load_case is not None and target.read_bytes() != b"precious"
    assert CliRunner().invoke(app, ["template", str(target)]).exit_code == 0   # its own template: replaced
    case = tmp_path / "case.xlsx"
    write_template(case, load_case(EXAMPLE))
    before = case.read_bytes()
    assert CliRunner().invoke(app, ["template", str(case), "--from", str(case), "--force"]).exit_code == 2
    assert case.read_bytes() == before


def test_inputs_doc_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "inputs.md").read_text()
    assert committed == inputs_doc.render(), "docs/inputs.md is stale: run python -m planner.case.inputs_doc > docs/inputs.md"
    for sheet in SHEETS.values():
        assert f"## {sheet.name}" in committed
        for col in sheet.columns:
            assert f"`{col.name}`" in committed


def test_ids_match_after_trimming_spaces(tmp_path):
    case = sheets([region("a"), region("b", lon=1)], [dict(region=" a ", workload="w ", year=2026, ttok_per_day=1)])
    solved = solve_sheets(case, tmp_path, "xlsx")
    assert solved.data.demand.index.get_level_values("region").tolist() == ["a"]


def test_infeasible_plan_names_the_rows_that_cannot_be_met(tmp_path):
    """East has 10 racks that must stand and a planned build of 5 more; west must hold half of all
    racks but may hold none: the zone share is short by 0.5 x 15 = 7.5 racks."""
    case = sheets([region("e", zone="east", existing_racks=10), region("w", lon=1, zone="west", max_racks=0)],
                  [dict(region="e", workload="w", year=2026, ttok_per_day=1)],
                  policies=[dict(policy="min_zone_capacity_share", year=2026, value=0.5, zone="west")],
                  planned_builds=[dict(region="e", year=2026, racks=5, kind="min")])
    outcome = run_case(write(case, tmp_path), tmp_path / "out")
    assert outcome.exit_code == 1 and outcome.status == "infeasible"
    [short] = outcome.shortfalls
    assert short.row == "min_zone_capacity_share" and short.amount == pytest.approx(7.5)
    assert "policies row 2" in outcome.message and "zone west, 2026" in outcome.message
    assert not (tmp_path / "out" / "case").exists()


def test_infeasible_planned_build_is_named(tmp_path):
    """A fixed build of 5 racks in the east with a west share of 100 % and no room in the west:
    the cheapest way to give is to build nothing in the east (5 racks short) rather than move the
    share (which would need 5 racks in the west)."""
    case = sheets([region("e", zone="east"), region("w", lon=1, zone="west", max_racks=0)],
                  [dict(region="e", workload="w", year=2026, ttok_per_day=1)],
                  policies=[dict(policy="min_zone_capacity_share", year=2026, value=1.0, zone="west")],
                  planned_builds=[dict(region="e", year=2026, racks=5, kind="fixed")])
    outcome = run_case(write(case, tmp_path), tmp_path / "out")
    assert outcome.status == "infeasible"
    total = sum(s.amount for s in outcome.shortfalls)
    assert total == pytest.approx(5.0)
    assert any("planned_builds row 2" in s.message or "policies row 2" in s.message for s in outcome.shortfalls)


def test_policy_met_only_by_unserved_demand_is_warned(tmp_path):
    """No green power and a carbon cap of 0.0438 Mt: only 5 of 10 MW can run; the rest is unserved."""
    case = sheets([region("a", grid_co2=1.0)], [dict(region="a", workload="w", year=2026, ttok_per_day=10)],
                  policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0438)])
    outcome = run_case(write(case, tmp_path), tmp_path / "out")
    assert outcome.exit_code == 0
    [note] = outcome.notes
    assert "carbon_cap" in note and "2026" in note and "unserved" in note
    assert any("carbon_cap" in w for w in __import__("json").loads((outcome.folder / "run.json").read_text())["warnings"])


def test_no_policy_check_skips_the_counterfactual_and_says_so(tmp_path):
    """The same carbon cap with `--no-policy-check`: the plan is the same (5 of 10 trillion
    tokens/day unserved) but no re-solve runs, so the warning becomes the note that the check is
    off, in the summary and in run.json."""
    import json

    from typer.testing import CliRunner

    from planner.cli import app
    from planner.run import POLICY_CHECK_OFF

    case = sheets([region("a", grid_co2=1.0)], [dict(region="a", workload="w", year=2026, ttok_per_day=10)],
                  policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0438)])
    result = CliRunner().invoke(app, ["run", str(write(case, tmp_path)), "--out", str(tmp_path / "out"),
                                      "--no-policy-check"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    [folder] = [p for p in (tmp_path / "out").iterdir() if p.is_dir()]
    meta = json.loads((folder / "run.json").read_text())
    assert meta["warnings"] == [POLICY_CHECK_OFF] and meta["solver"]["options"]["policy_check"] is False
    assert "policy check off" in result.output and "carbon_cap" not in " ".join(meta["warnings"])
    unserved = pd.read_csv(folder / "unserved.csv")
    assert unserved["ttok_per_day"].sum() == pytest.approx(5.0, rel=1e-6)


def test_policy_counterfactual_on_the_live_lp_matches_a_rebuilt_model(tmp_path):
    """The run drops the policy's rows from HiGHS's copy of the LP and re-solves from the basis;
    rebuilding the model without the policy must say the same. Carbon cap 0.0438 Mt at 1 t/MWh
    is 5 MW a year (0.0438e6 / 8760): half of the 10 MW the demand needs, so 5 of the 10
    trillion tokens/day go unserved, and without the cap all 10 are served."""
    from planner.models import build_model
    from planner.analysis.diagnose import policies_forcing_unserved
    from planner.optimise.prepare import prepare
    from planner.run import load_input
    from planner.optimise.solver import solve

    case = sheets([region("a", grid_co2=1.0)], [dict(region="a", workload="w", year=2026, ttok_per_day=10)],
                  policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0438),
                            dict(policy="min_green_share", year=2026, value=0.0)])
    data = prepare(*load_input(write(case, tmp_path)))
    m = build_model(data)
    solution = solve(m, keep_live=True)
    assert m.tokens_unserved["base", "a", "w", 2026].value == pytest.approx(5.0, rel=1e-6)
    live = policies_forcing_unserved(data, m, live=solution.live)
    rebuilt = policies_forcing_unserved(data, m)
    assert live == rebuilt and len(live) == 1
    assert "carbon_cap_mt for the whole system in 2026" in live[0] and "5 trillion tokens/day more" in live[0]
    # the main solution is untouched by the what-if
    assert m.tokens_unserved["base", "a", "w", 2026].value == pytest.approx(5.0, rel=1e-6)


def test_the_policy_check_says_which_re_solve_runs(tmp_path):
    """The carbon cap alone binds (5 of 10 trillion tokens/day unserved, as above): one re-solve,
    announced before it starts, and the check says it is done afterwards."""
    from planner.analysis.diagnose import PolicyCheck
    from planner.models import build_model
    from planner.optimise.prepare import prepare
    from planner.optimise.solver import solve
    from planner.run import load_input

    case = sheets([region("a", grid_co2=1.0)], [dict(region="a", workload="w", year=2026, ttok_per_day=10)],
                  policies=[dict(policy="carbon_cap_mt", year=2026, value=0.0438)])
    data = prepare(*load_input(write(case, tmp_path)))
    m = build_model(data)
    check = PolicyCheck(data, m, live=solve(m, keep_live=True).live)
    said = []
    check.solve(said.append)
    assert said == ["policy check 1 of 1: without carbon_cap_mt, whole system"]
    assert check.status() == "policy check: done"
    [note] = check.notes()
    assert "5 trillion tokens/day more" in note


def test_a_run_waiting_for_the_policy_check_says_which_re_solve_runs():
    """While the main thread waits for the re-solves running beside it, its progress line names
    the one running (a run of 24 time slices waits minutes there). The stand-in re-solve finishes
    only once the waiting thread has said so, which fixes the order."""
    import threading

    from planner.run import Beside

    class Check:
        solved = 0

        def __init__(self):
            self.said = threading.Event()

        def status(self):
            self.said.set()
            return f"re-solve {self.solved + 1} of 1"

        def solve(self):
            assert self.said.wait(10)
            self.solved = 1

        def notes(self):
            return ["a warning"]

        def cancel(self):
            pass

    heard = []
    assert Beside(Check()).wait(heard.append) == ["a warning"]
    assert heard == ["re-solve 1 of 1"]
