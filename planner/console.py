"""What the command line prints: the run summary and the input-problem report."""
from __future__ import annotations

import math

import pandas as pd

from rich.console import Console
from rich import box
from rich.table import Table

from planner.formatting import money
from planner.case.problems import Problem, collapse
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


def print_outcome(console: Console, outcome: RunOutcome) -> None:
    if outcome.exit_code == 2:
        print_problems(console, outcome.problems, f"{outcome.source}: input problems")
        console.print(f"[red]{outcome.name}: {outcome.status}: {outcome.message}[/]")
        return
    if outcome.results is None:
        console.print(f"[red]{outcome.name}: {outcome.status}[/]: {outcome.message}")
        return
    res = outcome.results
    cur = res.currency
    summary = res.summary().set_index("item")["value"]
    console.rule(f"[bold]{outcome.name}[/]: {outcome.status}")
    costs = res.cost_by_component()
    total = float(summary["objective"])
    parts = ", ".join(f"{k} {money(v, cur)}" for k, v in costs.items() if abs(v) > 0.5)
    expected = "Expected total" if res.data.stochastic else "Total"
    console.print(f"{expected} discounted cost [bold]{money(total, cur)}[/] ({parts})")
    console.print(f"Build plan (first stage) {money(float(summary['first_stage_cost']), cur)}; operations (second stage) "
                  f"{money(float(summary['second_stage_cost']), cur)}"
                  + (f"; the planned builds cost {money(float(summary['cost_of_planned_builds']), cur)} more than the "
                     f"optimum without them" if "cost_of_planned_builds" in summary else ""))
    if res.data.stochastic:
        futures = res.futures()
        console.print("If the future is " + ", ".join(
            f"{f} (p={p:.2f}): {money(c, cur)}, {s:.1%} served" for f, p, c, s in
            zip(futures["future"], futures["probability"], futures["total_cost"], futures["demand_served_share"])))
        if "value_of_stochastic_solution" in summary:
            console.print(f"Planning for the average future instead would cost {money(float(summary['value_of_stochastic_solution']), cur)} "
                          f"more (value of the stochastic solution); knowing the future in advance would save "
                          f"{money(float(summary['expected_value_of_perfect_information']), cur)} (value of perfect information)")
    console.print(f"Demand served {float(summary['demand_served_share']):.1%}; mean rack utilization "
                  f"{float(summary['mean_utilization']):.0%}; optical built {float(summary['optical_built_tbps']):,.1f} Tbps; "
                  f"HVDC built {float(summary['hvdc_built_gw']):,.2f} GW")

    builds = res.builds_by_zone()
    if builds.to_numpy().sum() > 0.5:
        t = Table(title="Racks built by zone and year (thousands)", title_justify="left", header_style="bold",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)
        t.add_column("zone", no_wrap=True)
        for year in builds.columns:
            t.add_column(str(year), justify="right")
        for zone, row in builds.iterrows():
            t.add_row(str(zone), *[thousands(v) for v in row])
        console.print(t)
    else:
        console.print("No new racks are built.")

    risks = res.top_risks(5)
    if len(risks):
        from planner.results.store import idle_cost_by_future

        years = res.data.period_years
        probability = pd.Series(res.data.futures)
        plan = float((idle_cost_by_future(res.risks(), years, "idle_cost_from_plan") * probability).sum())
        before = float((idle_cost_by_future(res.risks(), years) * probability).sum()) - plan
        console.print(f"Idle capacity the plan builds costs {money(plan, cur)} over the horizon; capacity that stood "
                      f"before it, {money(before, cur)}.")
        t = Table(title="Top overcapacity risks (what the plan builds first)", title_justify="left", header_style="bold")
        several = res.data.stochastic
        columns = (["future"] if several else []) + ["flag", "where", "year", "use", "idle", "plan's", "cost per year"]
        for col in columns:
            t.add_column(col, justify="left" if col in ("future", "flag", "where") else "right")
        for r in risks.to_dict("records"):
            t.add_row(*([r["future"]] if several else []), r["flag"], str(r["region"]), str(r["year"]),
                      f"{r['utilization']:.0%}", f"{r['idle']:,.0f} {r['unit']}", f"{r['idle_from_plan']:,.0f}",
                      money(r["idle_cost"], cur))
        console.print(t)
    else:
        console.print("No capacity falls below min_utilization.")
    for note in outcome.notes:
        console.print(f"[yellow]warning:[/] {note}")
    if outcome.problems:
        console.print(f"[yellow]{len(outcome.problems)} input warning(s)[/]; see run.json or `planner validate`.")
    t = outcome.timings
    total = sum(v for k, v in t.items() if k != "solve")
    console.print(f"Results in [bold]{outcome.folder}[/] ({total:.1f} s, of which HiGHS {t.get('highs', 0):.1f} s)")


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
    console.print(f"Written to [bold]{folder}[/]")


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
    console.print(f"Minimax-regret plan: [bold]{table.minimax}[/]. Regret is a plan's cost in a future minus the best "
                  f"cost had that future been known. Written to [bold]{folder}[/]")


def print_comparison(console: Console, table, currency: str, path) -> None:
    t = Table(title="Scenarios side by side", title_justify="left", header_style="bold")
    names = [c for c in table.columns if c not in ("item", "unit")]
    t.add_column("")
    for n in names:
        t.add_column(n, justify="right", overflow="fold")
    for r in table.to_dict("records"):
        t.add_row(r["item"], *[_cell(r[n], r["unit"], currency) for n in names])
    console.print(t)
    console.print(f"Written to [bold]{path}[/]")


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
    console.print(f"Written to [bold]{folder}[/]")


def print_run_summary(console: Console, outcomes: list[RunOutcome]) -> None:
    """One line per case of a multi-case run: what happened and where the results are."""
    t = Table(title=f"{len(outcomes)} cases", title_justify="left", header_style="bold")
    for col in ("case", "scenario", "status", "exit", "results or reason"):
        t.add_column(col, overflow="fold")
    for o in outcomes:
        colour = "green" if o.exit_code == 0 else "red"
        first = (o.message or "").splitlines()[0] if o.message else ""
        t.add_row(str(o.source), o.name, f"[{colour}]{o.status}[/]", str(o.exit_code),
                  str(o.folder) if o.folder else _short(first, 120))
    console.print(t)
