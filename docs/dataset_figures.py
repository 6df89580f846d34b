"""Regenerate the figures of docs/dataset.md and docs/scenarios.md from runs of the bundled case.

    python docs/dataset_figures.py            # about 10 minutes on 2 cores

Runs the base case, its sensitivities and every bundled scenario, measures them with
inputs/china_facts.py (the definitions tests/test_dataset.py pins), and rewrites the blocks between
``<!-- figures:NAME -->`` and ``<!-- /figures -->`` in the two pages. Prose outside the blocks
says what the figures mean; it names no figure that is not in a block.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "inputs")]
import china_facts as facts  # noqa: E402
from planner.run import run_case  # noqa: E402

CASE = ROOT / "inputs" / "china_provinces.xlsx"
SCENARIOS = ROOT / "inputs" / "scenarios"
YEARS_SHOWN = [2026, 2027, 2028, 2030, 2032, 2035]
SENSITIVITIES = [   # (label, changes): the assumptions the review asked about, +-20 %
    ("HVDC capex -20 %", [{"scale": {"sheet": "corridors", "column": "hvdc_capex", "by": 0.8}}]),
    ("HVDC capex +20 %", [{"scale": {"sheet": "corridors", "column": "hvdc_capex", "by": 1.2}}]),
    ("HVDC tariff -20 %", [{"scale": {"sheet": "corridors", "column": "hvdc_tariff", "by": 0.8}}]),
    ("HVDC tariff +20 %", [{"scale": {"sheet": "corridors", "column": "hvdc_tariff", "by": 1.2}}]),
    ("server capex -20 %", [{"scale": {"sheet": "regions", "column": "server_capex", "by": 0.8}}]),
    ("server capex +20 %", [{"scale": {"sheet": "regions", "column": "server_capex", "by": 1.2}}]),
    ("network sensitivity x2", [{"scale": {"sheet": "workloads", "column": "network_sensitivity", "by": 2.0}}]),
]


def bn(x: float) -> str:
    return f"{x / 1e9:,.1f}"


def pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def run_variant(name: str, changes: list, out: Path):
    spec = out / f"{name}.yaml"
    spec.write_text(yaml.safe_dump({"name": name, "inputs": str(CASE), "changes": changes}))
    outcome = run_case(spec, out / "runs")
    assert outcome.status == "optimal", (name, outcome.message)
    return outcome


def headline(o) -> dict:
    cap = o.results.capacity()
    net = o.results.network()
    costs = o.results.costs().groupby("component")["discounted_cost"].sum()
    risks = o.results.risks()
    lines = facts.hvdc_lines(o)
    zone_built = cap.groupby("zone")["racks_built"].sum() / 1e6
    return {
        "cost": costs.sum(), "costs": costs,
        "built": zone_built, "servers_gw": cap["server_mw_built"].sum() / 1000,
        "hvdc_gw": net["hvdc_built_gw"].sum(), "hvdc_hours": lines["full_load_hours"].median() if len(lines) else 0.0,
        "first_hvdc": int(lines["year"].min()) if len(lines) else None,
        "served": 1 - facts.unserved_share(o),
        "west_occ": facts.occupancy(o, facts.WESTERN_HUBS), "east_occ": facts.occupancy(o, facts.EASTERN_HUBS),
        "share": facts.western_share(o),
        "idle_plan": risks["idle_cost_from_plan"].sum() if "idle_cost_from_plan" in risks else 0.0,
        "idle_all": risks["idle_cost"].sum(),
        "traffic": facts.traffic_tbps(o), "twh": facts.electricity_twh(o),
    }


def base_blocks(o) -> dict[str, str]:
    h = headline(o)
    cap = o.results.capacity()
    limits = o.case.regions["max_build_per_year"]
    built = cap[cap["racks_built"] > 1]
    at_cap = built[built["racks_built"] >= built["region"].map(limits) * 0.999]["racks_built"].sum()
    years = YEARS_SHOWN
    facts_rows = pd.DataFrame({
        "": ["western hubs' occupancy", "eastern hubs' occupancy", "data-centre electricity (TWh)",
             "inter-provincial traffic (Tbps)"],
        **{str(y): [pct(h["west_occ"][y]), pct(h["east_occ"][y]), f"{h['twh'][y]:.0f}", f"{h['traffic'][y]:.0f}"]
           for y in years}})
    share = h["share"]
    share_rows = pd.DataFrame({"workload": facts.AI_ORDER + ["general"],
                               **{str(y): [pct(share.at[y, w]) for w in facts.AI_ORDER + ["general"]] for y in years}})
    built_zone = cap.groupby(["zone", "year"])["racks_built"].sum().unstack("year") / 1000
    built_rows = built_zone[years].round(0).astype(int).reset_index().rename(columns={y: str(y) for y in years})
    servers = (cap.groupby(["zone", "year"])["server_mw_built"].sum().unstack("year") / 1000)[years].round(1)
    server_rows = servers.reset_index().rename(columns={y: str(y) for y in years})
    costs = h["costs"].sort_values(ascending=False)
    cost_rows = pd.DataFrame({"component": costs.index, "bn USD": [bn(v) for v in costs]})
    summary = (f"Total discounted cost **{bn(h['cost'])} bn USD**; {pct(h['served'])} of demand served; "
               f"{h['built'].sum():.2f} M racks and {h['servers_gw']:.0f} GW of servers built; "
               f"{h['hvdc_gw']:.1f} GW of HVDC built, the first in {h['first_hvdc']}, at a median "
               f"{h['hvdc_hours']:,.0f} full-load hours a year; {pct(at_cap / built['racks_built'].sum())} of the "
               f"racks built are built at a province's yearly limit; western energy cost "
               f"{facts.west_energy_cost_per_mtok(o, 2026):.4f} USD per million tokens in 2026; idle capacity the "
               f"plan builds costs {bn(h['idle_plan'])} bn USD over the horizon, idle capacity that stood before "
               f"it {bn(h['idle_all'] - h['idle_plan'])} bn USD.")
    return {"base-summary": summary, "base-facts": table(facts_rows), "base-shares": table(share_rows),
            "base-racks": table(built_rows), "base-servers": table(server_rows), "base-costs": table(cost_rows)}


def sensitivity_block(base, out: Path) -> str:
    b = headline(base)
    rows = [("base", bn(b["cost"]), f"{b['hvdc_gw']:.1f}", f"{b['hvdc_hours']:,.0f}", pct(b["share"]["training"].mean()),
             pct(b["share"]["interactive"].mean()), f"{b['built']['west']:.2f}")]
    for label, changes in SENSITIVITIES:
        name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        h = headline(run_variant(name, changes, out))
        rows.append((label, bn(h["cost"]), f"{h['hvdc_gw']:.1f}", f"{h['hvdc_hours']:,.0f}",
                     pct(h["share"]["training"].mean()), pct(h["share"]["interactive"].mean()),
                     f"{h['built']['west']:.2f}"))
    return table(pd.DataFrame(rows, columns=["run", "cost (bn USD)", "HVDC built (GW)", "HVDC median hours",
                                             "training west (mean)", "interactive west (mean)",
                                             "western racks built (M)"]))


def scenario_block(out: Path) -> str:
    rows = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        o = run_case(path, out / "scenarios")
        if o.status != "optimal":
            rows.append((path.stem, o.status, *[""] * 7))
            continue
        h = headline(o)
        b = h["built"]
        rows.append((path.stem, bn(h["cost"]), " / ".join(f"{b.get(z, 0):.2f}" for z in ("east", "central", "west")),
                     f"{h['servers_gw']:.0f}", f"{h['hvdc_gw']:.1f}", pct(h["served"]),
                     f"{pct(h['west_occ'][2026])} → {pct(h['west_occ'][2030])}", bn(h["idle_plan"]),
                     bn(h["idle_all"] - h["idle_plan"])))
    return table(pd.DataFrame(rows, columns=[
        "scenario", "cost (bn USD)", "racks built east / centre / west (M)", "servers built (GW)", "HVDC (GW)",
        "served", "western hubs' occupancy 2026 → 2030", "idle the plan builds (bn USD)",
        "idle that stood before (bn USD)"]))


def regret_block() -> str:
    """planner regret on uncertain_demand: every plan lived in every future."""
    from planner.analysis.robustness import regret
    from planner.case.scenario import load_input
    from planner.optimise.prepare import prepare

    case, futures = load_input(SCENARIOS / "uncertain_demand.yaml")
    t = regret(prepare(case, futures))
    futures_order = list(dict.fromkeys(t.cells["future"]))
    rows = []
    for plan, cells in t.cells.groupby("plan", sort=False):
        by = cells.set_index("future")
        summary = t.plans.set_index("plan").loc[plan]
        label = f"**{plan}**" if plan == t.minimax else plan
        rows.append((label, *[f"{bn(by.at[f, 'cost'])} ({bn(by.at[f, 'regret'])})" for f in futures_order],
                     bn(summary["expected_cost"]), bn(summary["max_regret"])))
    probability = t.cells.drop_duplicates("future").set_index("future")["probability"]
    return table(pd.DataFrame(rows, columns=["plan made for", *[f"{f} (p = {probability[f]:g})" for f in futures_order],
                                             "expected", "worst regret"]))


def rewrite(page: Path, blocks: dict[str, str]) -> None:
    text = page.read_text()
    for name, body in blocks.items():
        pattern = re.compile(rf"(<!-- figures:{re.escape(name)} -->\n).*?(\n<!-- /figures -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{page.name}: no block figures:{name}")
        text = pattern.sub(lambda m: m.group(1) + body + m.group(2), text)
    page.write_text(text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        base = run_case(CASE, out / "base")
        assert base.status == "optimal", base.message
        blocks = base_blocks(base)
        blocks["base-sensitivity"] = sensitivity_block(base, out)
        rewrite(ROOT / "docs" / "dataset.md", blocks)
        rewrite(ROOT / "docs" / "scenarios.md", {"scenarios": scenario_block(out), "regret": regret_block()})


if __name__ == "__main__":
    main()
