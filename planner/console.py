"""What the command line prints: the run summary and the input-problem report."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from rich.console import Console
from rich import box
from rich.table import Table

from planner.formatting import NBSP, money, money_nb, money_scale, scaled
from planner.results.outputs import component_label
from rich.markup import escape as esc
from planner.case.problems import Problem, collapse

if TYPE_CHECKING:   # the run stage imports the model and Pyomo; `planner validate` needs neither
    from planner.run import RunOutcome


def thousands(racks: float) -> str:
    """Racks in thousands, short enough for a ten-year table on an 80-column terminal.

    >>> [thousands(x) for x in (0.2, 412.0, 38_400.0, 1_912_000.0)]
    ['·', '0.4', '38', '1912']
    """
    if racks < 0.5:
        return "·"
    k = racks / 1000
    return f"{k:.1f}" if k < 10 else f"{k:.0f}"


def print_problems(console: Console, problems: list[Problem], title: str) -> None:
    if not problems:
        return
    table = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    for col in ("", "sheet", "cell", "column", "value", "problem"):
        table.add_column(col, overflow="fold")
    for line in collapse(problems):
        mark = "[red]error[/]" if line.severity == "error" else "[yellow]warning[/]"
        table.add_row(mark, line.sheet, line.cells, line.column, _short(line.value), line.message)
    console.print(table)


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def chunked_table(console: Console, title: str, first: str, columns: list[str], rows: list[tuple[str, list[str]]],
                  cell_width: int | None = None) -> None:
    """A table of short numbers laid out by hand (fixed widths, right-aligned), split into as many
    blocks as it takes to fit the console's width (a 25-year plan at 80 columns): no number is
    ever cut or wrapped."""
    label_width = max([len(first)] + [len(r[0]) for r in rows])
    width = max([cell_width or 0] + [len(c) for c in columns] + [len(v) for _, vals in rows for v in vals] + [1])
    per = max(1, (console.width - label_width) // (width + 2))
    lines = [title]
    for start in range(0, max(1, len(columns)), per):
        part = columns[start:start + per]
        header = first.ljust(label_width) + "".join(c.rjust(width + 2) for c in part)
        lines += [header, "─" * len(header)]
        lines += [label.ljust(label_width) + "".join(v.rjust(width + 2) for v in values[start:start + per])
                  for label, values in rows]
    console.print("\n".join(line.rstrip() for line in lines), soft_wrap=True, markup=False, highlight=False)


def _line(console: Console, text: str, style: str | None = None) -> None:
    """Prose, wrapped between words at the console's width; a number and its unit are joined by
    non-breaking spaces, which textwrap keeps together (rich would break them), and printed as
    plain spaces so that logs read and search normally."""
    import textwrap

    wrapped = textwrap.fill(text, width=max(20, console.width), break_long_words=False, break_on_hyphens=False)
    console.print(wrapped.replace(NBSP, " "), soft_wrap=True, markup=False, highlight=False, style=style)


def print_outcome(console: Console, outcome: RunOutcome) -> None:
    if outcome.exit_code == 2:
        print_problems(console, outcome.problems, f"{outcome.source}: input problems")
        console.print(f"{outcome.name}: {outcome.status}: {outcome.message}", style="red", markup=False)
        return
    if outcome.results is None:
        console.print(f"{outcome.name}: {outcome.status}: {outcome.message}", style="red", markup=False)
        return
    res = outcome.results
    cur = res.currency
    summary = res.summary().set_index("item")["value"]
    console.rule(f"[bold]{esc(outcome.name)}[/]: {esc(outcome.status)}")
    costs = {k: v for k, v in res.cost_by_component().items() if abs(v) > 0.5}
    total = float(summary["objective"])
    expected = "Expected total" if res.data.stochastic else "Total"
    _line(console, f"{expected} discounted cost {money_nb(total, cur)}: build plan "
                   f"{money_nb(float(summary['first_stage_cost']), cur)}, operations "
                   f"{money_nb(float(summary['second_stage_cost']), cur)}"
                   + (f"; the planned builds cost {money_nb(float(summary['cost_of_planned_builds']), cur)} more than "
                      f"the optimum without them" if "cost_of_planned_builds" in summary else "") + ".")
    if costs:
        divisor, unit = money_scale(list(costs.values()), cur)
        chunked_table(console, f"Discounted cost by component ({unit})", "", [component_label(k) for k in costs],
                      [("", [scaled(v, divisor) for v in costs.values()])])
    if res.data.stochastic:
        futures = res.futures()
        _line(console, "If the future is " + "; ".join(
            f"{str(f)} (p\u00a0=\u00a0{p:.2f}): {money_nb(c, cur)}, {s:.1%} served" for f, p, c, s in
            zip(futures["future"], futures["probability"], futures["total_cost"], futures["demand_served_share"])) + ".")
        if "value_of_stochastic_solution" in summary:
            _line(console, f"Planning for the average future instead would cost "
                           f"{money_nb(float(summary['value_of_stochastic_solution']), cur)} more (value of the stochastic "
                           f"solution); knowing the future in advance would save "
                           f"{money_nb(float(summary['expected_value_of_perfect_information']), cur)} (value of perfect "
                           f"information).")
    _line(console, f"Demand served {float(summary['demand_served_share']):.1%}; racks "
                   f"{float(summary['mean_utilization']):.0%} busy on average; built over the horizon: "
                   f"{float(summary['hvdc_built_gw']):,.2f}\u00a0GW of HVDC and "
                   f"{float(summary['optical_built_tbps']):,.2f}\u00a0Tbps of optical.")

    builds = res.builds_by_zone()
    if builds.to_numpy().sum() > 0.5:
        chunked_table(console, "New racks per year by zone (thousands of racks built in each period)", "zone",
                      [str(y) for y in builds.columns],
                      [(str(zone), [thousands(v) for v in row]) for zone, row in builds.iterrows()], cell_width=5)
    else:
        _line(console, "No new racks are built.")

    figures = outcome.figures
    if figures:
        _line(console, f"Idle capacity the plan builds costs {money_nb(figures['idle_cost_from_plan'], cur)} "
                       f"over the horizon; idle capacity that stood before it, "
                       f"{money_nb(figures['idle_cost'] - figures['idle_cost_from_plan'], cur)}.")
    low = outcome.low_demand
    if low and low.get("status") == "optimal":
        _line(console, f"If demand comes in low ({str(low['scenario'])}), this plan leaves idle capacity costing "
                       f"{money_nb(low['idle_cost_sum'], cur)} over the horizon; racks "
                       f"{low['mean_utilization']:.0%} busy on average.")
    elif low:
        _line(console, f"The plan could not be lived in {str(low['scenario'])}: {low.get('reason', '')}.")
    risks = res.top_risks(5)
    if len(risks):
        names = _display_names(res)
        divisor, unit = money_scale(risks["idle_cost"], cur)
        several = res.data.stochastic
        _line(console, f"Top overcapacity risks, what the plan builds first (cost in {unit} a year)")
        t = Table(header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1),
                  pad_edge=False, show_edge=False)
        for col in (["future"] if several else []) + ["flag", "where", "year", "use", "idle", "plan's", unit + "/yr"]:
            left = col in ("future", "flag", "where")
            t.add_column(col, justify="left" if left else "right", no_wrap=not col == "where",
                         overflow="fold" if col == "where" else "ellipsis")
        for r in risks.to_dict("records"):
            unit_of_idle = {"racks": "racks"}.get(r["unit"], r["unit"])
            t.add_row(*([str(r["future"])] if several else []), str(r["flag"]), names.get(str(r["region"]), str(r["region"])),
                      str(r["year"]), f"{r['utilization']:.0%}", f"{r['idle']:,.0f}\u00a0{unit_of_idle}",
                      f"{r['idle_from_plan']:,.0f}", scaled(r["idle_cost"], divisor), style=None)
        console.print(t)
    else:
        _line(console, "No capacity falls below min_utilization.")
    for note in outcome.notes:
        _line(console, f"warning: {note}", style="yellow")
    if outcome.problems:
        _line(console, f"{len(outcome.problems)} input warning(s); see run.json or `planner validate`.", style="yellow")
    t = outcome.timings
    # "solve" sums three of the stages; "analysis_beside" ran beside extract and export
    took = sum(v for k, v in t.items() if k not in ("solve", "analysis_beside"))
    _line(console, f"Solved and written in {took:.1f}\u00a0s, of which HiGHS {t.get('highs', 0):.1f}\u00a0s.")
    console.print(f"Results: {outcome.folder}", soft_wrap=True, markup=False, highlight=False)
    report = outcome.folder / "report.html"
    console.print(f"Report:  {report}", soft_wrap=True, markup=False, highlight=False)


def _display_names(res) -> dict[str, str]:
    """Region id -> name without its bracketed detail, for the console."""
    regions = res.data.regions
    if "name" not in regions.columns:
        return {}
    out = {}
    for rid, name in regions["name"].items():
        text = str(name).split(" (")[0].strip() if isinstance(name, str) else ""
        out[str(rid)] = text or str(rid)
    return out


def _cell(value, unit: str, currency: str) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "fraction":
        return f"{value:.1%}"
    if currency and unit.startswith(currency):
        return money(value, currency)
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def print_stress(console: Console, plan: str, table, currency: str, folder) -> None:
    t = Table(title=f"Plan '{plan}' lived in other scenarios", title_justify="left", header_style="bold")
    for col in ("scenario", "future", "cost", "served", "utilization", "idle rack-years", "idle cost"):
        t.add_column(col, justify="left" if col in ("scenario", "future") else "right")
    for r in table.to_dict("records"):
        if r["status"] != "optimal":
            t.add_row(r["scenario"], r.get("future", ""), f"[red]{r['status']}[/]", r.get("reason", ""), "", "", "")
            continue
        t.add_row(r["scenario"], str(r["future"]), money(r["total_cost"], currency), f"{r['demand_served_share']:.1%}",
                  f"{r['mean_utilization']:.0%}", f"{r['idle_rack_years']:,.0f}", money(r["idle_cost_sum"], currency))
    console.print(t)
    console.print(f"Written to {folder}", soft_wrap=True, markup=False, highlight=False)


def print_regret(console: Console, scenario: str, table, currency: str, folder) -> None:
    cells, plans = table.cells, table.plans
    futures = list(dict.fromkeys(cells["future"]))
    t = Table(title=f"{scenario}: cost (regret) of each plan in each future", title_justify="left", header_style="bold")
    t.add_column("plan made for")
    for f in futures:
        p = cells[cells["future"] == f]["probability"].iloc[0]
        t.add_column(f"{f} (p={p:.2f})", justify="right")
    t.add_column("expected cost", justify="right")
    t.add_column("worst regret", justify="right")
    for plan in plans.to_dict("records"):
        row = cells[cells["plan"] == plan["plan"]].set_index("future")
        mark = " [bold green]← minimax regret[/]" if plan["minimax"] else ""
        t.add_row(f"{plan['plan']}{mark}",
                  *[f"{money(row.at[f, 'cost'], currency)} ({money(row.at[f, 'regret'], currency)})" for f in futures],
                  money(plan["expected_cost"], currency), money(plan["max_regret"], currency))
    console.print(t)
    _line(console, f"Minimax-regret plan: {table.minimax}. Regret is a plan's cost in a future minus the "
                   f"best cost had that future been known.")
    console.print(f"Written to {folder}", soft_wrap=True, markup=False, highlight=False)


def print_comparison(console: Console, table, currency: str, path) -> None:
    t = Table(title="Scenarios side by side", title_justify="left", header_style="bold")
    names = [c for c in table.columns if c not in ("item", "unit")]
    t.add_column("")
    for n in names:
        t.add_column(n, justify="right", overflow="fold")
    for r in table.to_dict("records"):
        t.add_row(r["item"], *[_cell(r[n], r["unit"], currency) for n in names])
    console.print(t)
    console.print(f"Written to {path}", soft_wrap=True, markup=False, highlight=False)


def print_sweep(console: Console, scenario: str, table, currency: str, folder) -> None:
    varied = [c for c in table.columns if "." in c]
    t = Table(title=f"{scenario}: {len(table)} variants", title_justify="left", header_style="bold")
    for col in ["variant", *varied, "status", "objective", "served", "HVDC GW", "idle cost"]:
        t.add_column(col, justify="left" if col in ("status",) else "right")
    for r in table.to_dict("records"):
        ok = r["status"] == "optimal"
        t.add_row(str(r["variant"]), *[str(r[c]) for c in varied], r["status"],
                  money(r.get("objective"), currency) if ok else _short(str(r.get("reason", "")), 40),
                  f"{r.get('demand_served_share', 0):.1%}" if ok else "",
                  f"{r.get('hvdc_built_gw', 0):,.1f}" if ok else "", money(r.get("idle_cost_sum"), currency) if ok else "")
    console.print(t)
    console.print(f"Written to {folder}", soft_wrap=True, markup=False, highlight=False)


def print_run_summary(console: Console, outcomes: list[RunOutcome]) -> None:
    """One line per case of a multi-case run: status, cost, demand served and the idle capacity
    the plan builds; the reason where a case failed. Results folders are printed below."""
    currency = next((o.figures.get("currency", "") for o in outcomes if o.figures), "")
    costs = [o.figures["cost"] for o in outcomes if o.figures]
    divisor, unit = money_scale(costs + [o.figures["idle_cost_from_plan"] for o in outcomes if o.figures], currency)
    _line(console, f"{len(outcomes)} cases (money in {unit}, discounted; idle (plan): the idle capacity the plan "
                   f"builds, summed over the years)")
    t = Table(header_style="bold",
              box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False, show_edge=False)
    t.add_column("scenario", overflow="fold")
    t.add_column("status", no_wrap=True)
    for col in ("cost", "served", "idle (plan)"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("or why not", overflow="fold")
    for o in outcomes:
        colour = "green" if o.exit_code == 0 else "red"
        f = o.figures
        first = (o.message or "").splitlines()[0] if o.message else ""
        if f:
            t.add_row(esc(o.name), f"[{colour}]{esc(o.status)}[/]", scaled(f["cost"], divisor), f"{f['served']:.1%}",
                      scaled(f["idle_cost_from_plan"], divisor), "")
        else:
            t.add_row(esc(o.name), f"[{colour}]{esc(o.status)}[/]", "", "", "", esc(_short(first, 120)))
    console.print(t)
    for o in outcomes:
        if o.folder:
            console.print(f"{o.name}: {o.folder / 'report.html'}", soft_wrap=True, markup=False, highlight=False)
