"""Bad input that used to slip through validation, and options that used to crash (issue 11).

Every problem is found before anything is solved, named at its cell or its place in the
scenario file, once; legal oddities (blank rows, thousands of note columns) are warnings, never
floods.
"""
from __future__ import annotations

import time
import tracemalloc

import pandas as pd
import pytest
from typer.testing import CliRunner

from builder import region, sheets, write
from planner.case.validated import load_case
from planner.cli import app
from planner.case.problems import InputError
from planner.case.scenario import load_scenario
from planner.optimise.solver import SolverOptionError, SolverOptions, highs_with

ONE = [dict(region="a", workload="w", year=2026, ttok_per_day=1)]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def case_folder(tmp_path, **extra):
    return write(sheets([region("a", zone="east"), region("b", lon=1.0, zone="west")], ONE, **extra), tmp_path / "in")


def scenario(tmp_path, body: str, case=None):
    case = case or case_folder(tmp_path)
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\ninputs: {case}\n{body}", encoding="utf-8")
    return path


def problems_of(path):
    with pytest.raises(InputError) as err:
        load_scenario(path)
    return err.value.problems


# ---- scenario changes get the whole validation ----------------------------------------------

def test_a_horizon_broken_by_a_change_is_an_error_at_the_change(tmp_path):
    path = scenario(tmp_path, "changes:\n  - set: {sheet: settings, key: end_year, value: 2020}\n")
    [p] = [p for p in problems_of(path) if p.is_error]
    assert p.column == "changes[0].set" and "after end_year 2020" in p.message
    result = invoke("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "internal error" not in result.output
    assert invoke("validate", path).exit_code == 2


def test_a_change_that_makes_an_unknown_id_or_a_duplicate_is_an_error(tmp_path):
    path = scenario(tmp_path, "changes:\n  - set: {sheet: demand, column: region, value: nowhere}\n"
                              "  - set: {sheet: regions, where: {region: b}, column: region, value: a}\n")
    found = {p.column: p.message for p in problems_of(path) if p.is_error}
    assert "unknown region 'nowhere'" in found["changes[0].set"]
    assert "duplicate" in found["changes[1].set"]


def test_numbers_beyond_any_sensible_size_are_errors_at_their_place(tmp_path):
    path = scenario(tmp_path, "changes:\n  - scale: {sheet: demand, column: ttok_per_day, by: 1.0e+308}\n"
                              "  - set: {sheet: regions, column: rack_capex, value: 1.0e+308}\n"
                              "  - scale: {sheet: settings, key: unserved_penalty, by: 1.0e+300}\n")
    found = {p.column for p in problems_of(path) if p.is_error}
    assert found == {"changes[0].scale.by", "changes[1].set.value", "changes[2].scale.by"}


def test_a_scale_that_overflows_to_infinity_is_an_error(tmp_path):
    path = scenario(tmp_path, "changes:\n  - scale: {sheet: demand, column: ttok_per_day, by: 1.0e+308}\n"
                              "  - scale: {sheet: demand, column: ttok_per_day, by: 1.0e+308}\n")
    assert any(p.column == "changes[0].scale.by" for p in problems_of(path))


def test_a_filter_that_matches_nothing_is_a_warning_naming_it(tmp_path):
    path = scenario(tmp_path, "changes:\n  - set: {sheet: regions, where: {zone: wets}, column: grid_price, value: 5}\n")
    warnings = load_scenario(path).case.warnings
    [w] = [w for w in warnings if w.column == "changes[0].set.where"]
    assert "wets" in str(w.value) and "matches no row" in w.message


def test_a_yaml_bomb_is_refused_at_once_with_little_memory(tmp_path):
    bomb = 'name: x\ninputs: y\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for level in "bcdefghi":
        bomb += f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = level
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load_scenario(path)
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "expands to more than" in err.value.problems[0].message
    # not a timing test of speed: a bomb left to expand takes minutes and gigabytes
    assert took < 5 and peak < 50e6


@pytest.mark.parametrize("text, words", [("changes: &c [*c]\n", "refers to itself"),
                                         ("description: " + "[" * 20000 + "]" * 20000 + "\n", "nested too deeply")])
def test_self_referring_and_deep_yaml_are_refused(tmp_path, text, words):
    path = tmp_path / "odd.yaml"
    path.write_text("name: x\ninputs: y\n" + text)
    result = invoke("validate", path)
    assert result.exit_code == 2 and words in result.output and "internal error" not in result.output


def test_a_rejected_value_is_never_shown_whole(tmp_path):
    path = scenario(tmp_path, "changes:\n  - set: {sheet: regions, column: grid_price, value: [" +
                    ", ".join(str(i) for i in range(5000)) + "]}\n")
    result = invoke("validate", path)
    assert result.exit_code == 2 and "4999" not in result.output


# ---- the command line's own options ----------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--algorithm", "ipx"], "ipx"),
    (["--time-limit", "0"], "time-limit"),
    (["--time-limit", "-3"], "time-limit"),
])
def test_bad_solver_options_are_exit_2_before_anything_is_read(tmp_path, args, words):
    missing = tmp_path / "does-not-exist.xlsx"   # never read: the option is refused first
    result = invoke("run", missing, *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "does-not-exist" not in result.output


def test_an_option_highs_refuses_is_named():
    with pytest.raises(SolverOptionError, match="threads"):
        highs_with(SolverOptions(threads=-5))
    with pytest.raises(SolverOptionError, match="algorithm"):
        highs_with(SolverOptions(algorithm="barrier"))


def test_vary_values_that_do_not_parse_are_exit_2_naming_the_option(tmp_path):
    path = scenario(tmp_path, "")
    for bad in ("corridors.efficiency=[0.5", "settings.discount_rate=0.05,,0.07", "nonsense"):
        result = invoke("sweep", path, "--vary", bad, "--out", tmp_path / "out")
        assert result.exit_code == 2, (bad, result.output)
        assert "--vary" in result.output and "internal error" not in result.output


# ---- cells ----------------------------------------------------------------------------------

def test_an_unknown_id_in_a_wide_sheet_is_reported_once(tmp_path):
    case = sheets([region("a")], ONE)
    case["demand"] = pd.DataFrame([{"region": "zz", "workload": "w", "2026": 1, "2027": 2, "2028": 3}])
    with pytest.raises(InputError) as err:
        load_case(write(case, tmp_path / "in"))
    unknown = [p for p in err.value.problems if "unknown region" in p.message]
    assert len(unknown) == 1 and unknown[0].row == 2


def test_blank_rows_inside_data_are_skipped_with_one_warning(tmp_path):
    case = sheets([region("a"), region("b", lon=1.0), region("c", lon=2.0)], ONE)
    blank = pd.DataFrame([{}])
    case["regions"] = pd.concat([case["regions"].iloc[:1], blank, case["regions"].iloc[1:2], blank, blank,
                                 case["regions"].iloc[2:]], ignore_index=True)
    loaded = load_case(write(case, tmp_path / "in"))
    assert list(loaded.regions.index) == ["a", "b", "c"]
    [w] = [w for w in loaded.warnings if "blank row" in w.message]
    assert "3, 5, 6" in w.message and w.row == 3


def test_thousands_of_note_columns_give_no_flood(tmp_path):
    case = sheets([region("a"), region("b", lon=1.0)], ONE)
    notes = pd.DataFrame({f"note {i}": ["source"] * 2 for i in range(3000)})
    case["regions"] = pd.concat([case["regions"], notes], axis=1)
    for fmt in ("csv", "xlsx"):
        loaded = load_case(write(case, tmp_path / fmt, fmt))
        assert len(loaded.warnings) <= 2
        assert float(loaded.regions.at["b", "rack_capex"]) == 100.0


def test_values_under_blank_headers_give_one_warning(tmp_path):
    case = sheets([region("a"), region("b", lon=1.0)], ONE)
    path = write(case, tmp_path / "in")
    text = (path / "regions.csv").read_text().splitlines()
    (path / "regions.csv").write_text("\n".join([text[0] + ",,,"] + [line + ",x,y,z" for line in text[1:]]) + "\n")
    loaded = load_case(path)
    headless = [w for w in loaded.warnings if "without a header" in w.message]
    assert len(headless) == 1 and "3 columns" in headless[0].message
