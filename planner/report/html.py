"""The report: one self-contained HTML file a planner can open offline, read and send on.

Every number comes from a run's tables (the same ones the exports write), read either live or
back from a results folder, so the report never computes a figure differently from the
workbook. plotly.js is inlined: the file opens in a browser with no server and no network. The
map is drawn on longitude and latitude (no basemap to fetch). A small script records JavaScript
errors and what rendered in ``#report-check``, so a headless browser can check the page.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from planner.files import GENERATOR_TAG, write_file_atomically
from planner.results.places import folder_name
from planner.formatting import money
from planner.results.store import StoredRun, headline, ranked_risks

# Zones take colours in order of their mean longitude (west first), from a cool palette (blues,
# greens, purples) that keeps clear of the yellow-to-red scale of link use; no zone is grey.
ZONE_PALETTE = ("#1f77b4", "#2ca02c", "#7b4fa6", "#17becf", "#393b79", "#637939", "#a55194", "#6baed6")
NO_ZONE = "#7f7f7f"


def zone_colours(places: pd.DataFrame) -> dict[str, str]:
    """A colour per zone of the case, taken from the data (no zone names are built in).

    >>> zone_colours(pd.DataFrame({"zone": ["east", "west", "", "west"], "lon": [120.0, 95.0, 110.0, 100.0]}))
    {'west': '#1f77b4', 'east': '#2ca02c', '': '#7f7f7f'}
    """
    zone = places["zone"].astype(object).where(places["zone"].notna(), "").astype(str)
    zones = places.assign(zone=zone).groupby("zone")["lon"].mean().sort_values()
    named = [z for z in zones.index if z != ""]
    out = {z: ZONE_PALETTE[i % len(ZONE_PALETTE)] for i, z in enumerate(named)}
    out[""] = NO_ZONE
    return out


def _extent(values: pd.Series, margin: float = 0.08, least: float = 2.0) -> list[float]:
    """An axis range around the data with a margin (at least ``least`` degrees wide)."""
    low, high = float(values.min()), float(values.max())
    pad = max((high - low) * margin, (least - (high - low)) / 2 if high - low < least else 0.0, 0.5)
    return [low - pad, high + pad]
SOURCE_COLOURS = {"grid": "#7f7f7f", "green": "#2ca02c", "imports": "#9467bd"}
COMPONENT_COLOURS = {"rack_capex": "#1f77b4", "rack_fom": "#aec7e8", "optical": "#17becf", "hvdc": "#9467bd",
                     "energy": "#ff7f0e", "unserved": "#d62728"}

CHECK_SCRIPT = """
<script>
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message || e)); });
window.addEventListener('load', function () {
  var plots = document.querySelectorAll('.js-plotly-plot');
  var rendered = 0;
  plots.forEach(function (p) { if (p._fullLayout && p.querySelector('.main-svg')) { rendered += 1; } });
  var map = document.getElementById('map');
  var lines = 0, outline = 0, arrows = 0;
  if (map && map.data) {
    map.data.forEach(function (t) {
      if (t.meta === 'corridor') { lines += 1; }
      if (t.meta === 'outline') { outline += t.x.filter(function (v) { return v !== null; }).length; }
    });
    arrows = map.querySelectorAll('.annotation-arrow-g').length;
  }
  var check = document.getElementById('report-check');
  check.setAttribute('data-charts', String(plots.length));
  check.setAttribute('data-rendered', String(rendered));
  check.setAttribute('data-map-lines', String(lines));
  check.setAttribute('data-outline-points', String(outline));
  check.setAttribute('data-map-arrows', String(arrows));
  check.setAttribute('data-errors', JSON.stringify(window.__reportErrors));
  check.setAttribute('data-done', 'yes');
});
</script>
"""

SORT_SCRIPT = """
<script>
function sortTable(th) {
  var table = th.closest('table'), body = table.tBodies[0], i = Array.prototype.indexOf.call(th.parentNode.children, th);
  var asc = th.getAttribute('data-asc') !== 'true';
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = a.cells[i].getAttribute('data-v'), y = b.cells[i].getAttribute('data-v');
    var nx = parseFloat(x), ny = parseFloat(y);
    var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
    return asc ? c : -c;
  });
  rows.forEach(function (r) { body.appendChild(r); });
  th.parentNode.querySelectorAll('th').forEach(function (h) { h.removeAttribute('data-asc'); });
  th.setAttribute('data-asc', String(asc));
}
</script>
"""

STYLE = """
<style>
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #14324a; color: white; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 24px; }
header p { margin: 0; opacity: 0.85; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 48px; }
section { background: white; border: 1px solid #e3e3e3; border-radius: 6px; padding: 16px 20px; margin: 18px 0; }
section h2 { margin: 0 0 4px 0; font-size: 19px; }
section p.what { margin: 0 0 10px 0; color: #444; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 170px; border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px 14px; background: #fcfcfc; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { color: #555; font-size: 13px; }
p.nothing { color: #777; font-style: italic; padding: 24px 0; text-align: center; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th { background: #eef2f6; text-align: left; padding: 5px 8px; cursor: pointer; position: sticky; top: 0; }
table.data td { border-top: 1px solid #eee; padding: 4px 8px; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { max-height: 480px; overflow: auto; }
footer { color: #666; font-size: 12px; text-align: center; padding: 12px; }
</style>
"""


def _first_future(df: pd.DataFrame, prefer: str = "base") -> pd.DataFrame:
    if not len(df):
        return df
    futures = list(dict.fromkeys(df["future"]))
    return df[df["future"] == (prefer if prefer in futures else futures[0])]


TEMPLATE = "planner"
# what of plotly_white the report's charts use: the page look and the traces it draws
_TEMPLATE_LAYOUT = ("paper_bgcolor", "plot_bgcolor", "colorway", "font", "xaxis", "yaxis", "hovermode",
                    "hoverlabel", "title", "annotationdefaults", "shapedefaults", "autotypenumbers")
_TEMPLATE_TRACES = ("bar", "scatter", "heatmap")


def _template() -> str:
    """plotly_white cut to what the report uses, registered once. Every figure carries its
    template: the whole of plotly_white (defaults for some thirty kinds of chart, 3D scenes, maps)
    took most of the time of drawing the example's report and half the bytes of each chart."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE not in pio.templates:
        white = pio.templates["plotly_white"]
        layout = white.layout.to_plotly_json()
        slim = go.layout.Template(layout={k: layout[k] for k in _TEMPLATE_LAYOUT if k in layout})
        for kind in _TEMPLATE_TRACES:
            slim.data[kind] = white.data[kind]
        pio.templates[TEMPLATE] = slim
    return TEMPLATE


def _figure_html(fig, div_id: str, height: int = 420, legend_y: float = -0.15) -> str:
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=30, b=40), template=_template(),
                      font=dict(size=12), legend=dict(orientation="h", y=legend_y))
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _years_axis(fig, years, **where) -> None:
    """Whole years on the x axes: plotly left to itself puts ticks at half years ("2,026.5")
    when there are few of them."""
    years = [int(y) for y in years]
    span = max(years) - min(years) if years else 0
    fig.update_xaxes(tickformat="d", **({"dtick": 1} if span <= 12 else {}), **where)


NOTHING = '<p class="nothing">Nothing to show: {}.</p>'


def _nothing(why: str) -> str:
    """What a chart says instead of drawing axes over no data."""
    return NOTHING.format(html.escape(why))


def _section(title: str, what: str, body: str, anchor: str) -> str:
    return (f'<section id="section-{anchor}"><h2>{html.escape(title)}</h2><p class="what">{html.escape(what)}</p>'
            f"{body}</section>")


# ---- single run ------------------------------------------------------------------------------

def headline_section(run: StoredRun) -> str:
    t, meta = run.tables, run.meta
    cur = meta.get("currency", "")
    head = headline(t, meta)
    summary = t["summary"].set_index("item")["value"]
    cards = [
        ("total discounted cost", money(head["objective"], cur)),
        ("racks built", f"{sum(v for k, v in head.items() if k.startswith('racks_built_')) / 1e6:,.2f} M"),
        ("HVDC built", f"{head['hvdc_built_gw']:,.1f} GW"),
        ("optical built", f"{head['optical_built_tbps']:,.2f} Tbps"),
        ("demand served", f"{head['demand_served_share']:.1%}"),
        ("mean rack utilisation", f"{head['mean_utilization']:.0%}"),
    ]
    for key, label in (("value_of_stochastic_solution", "value of the stochastic solution"),
                       ("expected_value_of_perfect_information", "value of perfect information"),
                       ("cost_of_planned_builds", "cost of the planned builds")):
        if key in head:
            cards.append((label, money(head[key], cur)))
    cards_html = '<div class="cards">' + "".join(
        f'<div class="card"><div class="v">{html.escape(v)}</div><div class="k">{html.escape(k)}</div></div>'
        for k, v in cards) + "</div>"
    import plotly.graph_objects as go

    costs = {k[5:]: v for k, v in head.items() if k.startswith("cost_") and k != "cost_of_planned_builds"}
    fig = go.Figure([go.Bar(x=[v], y=["cost"], orientation="h", name=k, marker_color=COMPONENT_COLOURS.get(k),
                            hovertemplate=f"{k}: %{{x:,.3s}} {cur}<extra></extra>") for k, v in costs.items()])
    fig.update_layout(barmode="stack", xaxis_title=f"discounted cost, {cur}")
    risks = ranked_risks(t.get("risks", pd.DataFrame())).head(5)
    cost_fig_height = 230
    names = display_names(t["places"])
    risk_list = "".join(f"<li>{html.escape(str(r['flag']))} — {html.escape(_place(r['region'], names))} {int(r['year'])}: "
                        f"{html.escape(money(r['idle_cost'], cur))} a year"
                        + (f", {html.escape(money(r['idle_cost_from_plan'], cur))} of it built by the plan"
                           if float(r.get('idle_cost_from_plan', 0) or 0) > 0 else ", all of it standing before the plan")
                        + f". {html.escape(str(r['reason']))}</li>" for r in risks.to_dict("records"))
    planned = head.get("idle_cost_from_plan_sum", 0.0)
    cause = (f"<p class='idle'>Idle capacity <b>the plan builds</b>: <b>{html.escape(money(planned, cur))}</b> over the "
             f"horizon; idle capacity that stood before the plan: "
             f"{html.escape(money(head['idle_cost_sum'] - planned, cur))}.</p>" + low_demand_line(run))
    body = cards_html + cause + _figure_html(fig, "cost-split", cost_fig_height, legend_y=-0.9) + (
        f"<p><b>Overcapacity risks, what the plan builds first</b></p><ol>{risk_list}</ol>" if risk_list
        else "<p>No overcapacity risk flagged.</p>")
    status = summary.get("status", meta.get("status", ""))
    return _section("Headline", f"Status {status}. Total cost by component, what gets built, and the largest "
                    "overcapacity risks by annual cost.", body, "headline")


def display_names(places: pd.DataFrame) -> dict[str, str]:
    """Region id -> the name a reader knows (the ``name`` column without its bracketed detail).

    >>> display_names(pd.DataFrame({"region": ["inner_mongolia", "x"], "name": ["Inner Mongolia (Ulanqab)", None]}))
    {'inner_mongolia': 'Inner Mongolia', 'x': 'x'}
    """
    names = places["name"] if "name" in places.columns else pd.Series([None] * len(places), index=places.index)
    return {str(r): (str(n).split(" (")[0].strip() or str(r)) if isinstance(n, str) and n.strip() else str(r)
            for r, n in zip(places["region"], names)}


# Link use is warm (yellow to dark red); zones take cool colours, so neither reads as the other.
LINK_USE_SCALE = [[0.0, "#fed976"], [0.5, "#fd8d3c"], [1.0, "#bd0026"]]
MAP_LABELS = 10   # regions named on the map; the rest on hover


def _link_colour(u: float) -> str:
    """The colour of a corridor used to the fraction ``u`` on LINK_USE_SCALE.

    >>> _link_colour(0.0), _link_colour(1.0), _link_colour(float("nan"))
    ('rgb(254,217,118)', 'rgb(189,0,38)', 'rgb(254,217,118)')
    """
    u = 0.0 if u != u else max(0.0, min(1.0, float(u)))
    stops = [(x, tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))) for x, c in LINK_USE_SCALE]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if u <= x1:
            f = (u - x0) / (x1 - x0)
            return "rgb({},{},{})".format(*(round(a + (b - a) * f) for a, b in zip(c0, c1)))
    return "rgb({},{},{})".format(*stops[-1][1])


def _outline_trace(places: pd.DataFrame):
    """The bundled province outline as one filled trace, when the case's regions lie in it."""
    import plotly.graph_objects as go

    from planner.report import outline

    if not len(places) or not outline.covers(places["lon"], places["lat"]):
        return None
    xs: list = []
    ys: list = []
    for rings in outline.provinces().values():
        for ring in rings:
            xs += [p[0] for p in ring] + [ring[0][0], None]
            ys += [p[1] for p in ring] + [ring[0][1], None]
    return go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="#f2f2ee", meta="outline",
                      line=dict(color="#bdbdb5", width=0.7), hoverinfo="skip", showlegend=False)


def _arrow(a, b, colour: str) -> dict:
    """An arrowhead at the middle of the line a -> b, pointing the way the flow goes (an
    annotation for the layout: added one by one, plotly re-checks every earlier one each time)."""
    f0, f1 = 0.42, 0.58
    return dict(x=a["lon"] + f1 * (b["lon"] - a["lon"]), y=a["lat"] + f1 * (b["lat"] - a["lat"]),
                ax=a["lon"] + f0 * (b["lon"] - a["lon"]), ay=a["lat"] + f0 * (b["lat"] - a["lat"]),
                xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                arrowhead=2, arrowsize=1.4, arrowwidth=2, arrowcolor=colour, name="flow")


def _place(where: str, names: dict[str, str]) -> str:
    """A region's display name, or a corridor's ``from-to`` as two names."""
    where = str(where)
    if where in names:
        return names[where]
    for i, ch in enumerate(where):
        if ch == "-" and where[:i] in names and where[i + 1:] in names:
            return f"{names[where[:i]]}–{names[where[i + 1:]]}"
    return where


def low_demand_line(run: StoredRun) -> str:
    """What the plan idles if demand comes in low: the run's stress test in the scenario's
    low-demand variant, or how to get one. Runs with futures show every future instead."""
    meta, cur = run.meta, run.meta.get("currency", "")
    if meta.get("futures"):
        return ""
    low = meta.get("low_demand")
    if not low:
        return ("<p class='low-demand'>What this plan leaves idle if demand comes in low is not measured in this run: "
                f"name a low-demand variant in the scenario (<code>low_demand: low_demand.yaml</code>) or run "
                f"<code>planner stress {html.escape(run.folder.name)} &lt;low-demand scenario&gt;</code> in the output "
                f"folder.</p>")
    if low.get("status") != "optimal":
        return (f"<p class='low-demand'>The plan could not be lived in {html.escape(str(low.get('scenario')))}: "
                f"{html.escape(str(low.get('reason', low.get('status'))))}.</p>")
    return (f"<p class='low-demand'><b>If demand comes in low</b> ({html.escape(str(low['scenario']))}), this plan leaves "
            f"idle capacity costing <b>{html.escape(money(low['idle_cost_sum'], cur))}</b> over the horizon, "
            f"{float(low['idle_rack_years']) / 1e6:,.1f} M idle rack-years; racks are "
            f"{float(low['mean_utilization']):.0%} busy on average, the total cost is "
            f"{html.escape(money(low['total_cost'], cur))} and {float(low['demand_served_share']):.1%} of demand is "
            f"served.</p>")


def map_section(run: StoredRun) -> tuple[str, int]:
    import plotly.graph_objects as go

    t = run.tables
    places = t["places"].set_index("region")
    names = display_names(t["places"])
    colours = zone_colours(t["places"])
    cap = _first_future(t["capacity"])
    net = _first_future(t["network"])
    last = int(cap["year"].max())
    cap_last = cap[cap["year"] == last].set_index("region")
    built = cap.groupby("region")["racks_built"].sum()
    net_last = net[net["year"] == last] if len(net) else net
    fig = go.Figure()
    shape = _outline_trace(t["places"])
    traces, arrows = ([shape] if shape is not None else []), []
    lines = 0
    if len(net_last):
        hvdc = net_last[net_last["hvdc_in_service_gw"] > 1e-6]
        optical = net_last[(net_last["optical_forward_tbps"] + net_last["optical_reverse_tbps"]) > 1e-9]
        top_gw = float(hvdc["hvdc_in_service_gw"].max()) if len(hvdc) else 1.0
        for r in optical.to_dict("records"):
            # work travels from the users' region to where it is served: the larger direction shows
            a, b = places.loc[r["from"]], places.loc[r["to"]]
            forward = r["optical_forward_tbps"] >= r["optical_reverse_tbps"]
            src, dst = (r["from"], r["to"]) if forward else (r["to"], r["from"])
            colour = _link_colour(r["optical_utilization"])
            traces.append(go.Scatter(x=[a["lon"], b["lon"]], y=[a["lat"], b["lat"]], mode="lines", meta="corridor",
                                     line=dict(width=1 + 3 * min(1.0, math.log10(1 + r["optical_in_service_tbps"]) / 3),
                                               color=colour, dash="dot"),
                                     hovertemplate=(f"optical {html.escape(names[src])} → {html.escape(names[dst])}: "
                                                    f"{r['optical_in_service_tbps']:,.3g} Tbps, "
                                                    f"{r['optical_utilization']:.1%} used<extra></extra>"), showlegend=False))
            arrows.append(_arrow(places.loc[src], places.loc[dst], colour))
            lines += 1
        for r in hvdc.to_dict("records"):
            a, b = places.loc[r["from"]], places.loc[r["to"]]
            forward = r["hvdc_forward_mw"] >= r["hvdc_reverse_mw"]
            src, dst = (r["from"], r["to"]) if forward else (r["to"], r["from"])
            net_mw = abs(r["hvdc_forward_mw"] - r["hvdc_reverse_mw"])
            colour = _link_colour(r["hvdc_utilization"])
            traces.append(go.Scatter(x=[a["lon"], b["lon"]], y=[a["lat"], b["lat"]], mode="lines", meta="corridor",
                                     line=dict(width=2 + 10 * r["hvdc_in_service_gw"] / top_gw, color=colour),
                                     hovertemplate=(f"HVDC {html.escape(names[src])} → {html.escape(names[dst])}: "
                                                    f"{r['hvdc_in_service_gw']:,.2f} GW in service, {net_mw:,.0f} MW "
                                                    f"net on average, {r['hvdc_utilization']:.0%} used<extra></extra>"),
                                     showlegend=False))
            if net_mw > 1e-6:
                arrows.append(_arrow(places.loc[src], places.loc[dst], colour))
            lines += 1
    racks = cap_last["racks_in_service"].reindex(places.index).fillna(0.0)
    size = 8 + 40 * (racks / max(racks.max(), 1.0)) ** 0.5
    labelled = set(racks[racks > 0].sort_values(ascending=False).index[:MAP_LABELS])
    for zone, group in places.groupby(places["zone"].fillna(""), sort=True):
        idx = group.index
        traces.append(go.Scatter(
            x=group["lon"], y=group["lat"], mode="markers+text", name=f"{zone or 'no zone'} racks",
            text=[names[r] if r in labelled else "" for r in idx], textposition="top center",
            textfont=dict(size=11, color="#222"),
            marker=dict(size=size[idx], color=colours.get(zone, NO_ZONE), opacity=0.85, line=dict(width=1, color="white")),
            customdata=list(zip([names[r] for r in idx], racks[idx], built.reindex(idx).fillna(0.0),
                                cap_last["utilization"].reindex(idx).fillna(0.0))),
            hovertemplate="%{customdata[0]}: %{customdata[1]:,.0f} racks in service in " + str(last) +
                          ", %{customdata[2]:,.0f} built, %{customdata[3]:.0%} used<extra></extra>"))
    for name, dash in (("HVDC in service (width: GW; arrow: net flow)", "solid"),
                       ("optical carrying work (width: Tbps; arrow: users → servers)", "dot")):
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", name=name, line=dict(color="#555", dash=dash, width=3)))
    traces.append(go.Scatter(x=[None], y=[None], mode="markers", name="link use", showlegend=False,
                             marker=dict(colorscale=LINK_USE_SCALE, cmin=0, cmax=1, color=[0],
                                         colorbar=dict(title="link use", tickformat=".0%", len=0.6))))
    fig.add_traces(traces)
    fig.update_layout(annotations=arrows)
    lon, lat = places["lon"], places["lat"]
    if shape is not None:   # the whole country in view, not only the case's regions
        lon = pd.concat([lon, pd.Series([v for v in shape.x if v is not None])])
        lat = pd.concat([lat, pd.Series([v for v in shape.y if v is not None])])
    fig.update_xaxes(title="longitude", range=_extent(lon, 0.02), showgrid=False, zeroline=False)
    middle = float(places["lat"].mean()) if len(places) else 0.0
    fig.update_yaxes(title="latitude", range=_extent(lat, 0.02), scaleanchor="x",
                     scaleratio=1 / max(0.2, math.cos(math.radians(middle))), showgrid=False, zeroline=False)
    what = (f"Regions sized by racks in service in {last}, coloured by zone (the {MAP_LABELS} largest named, the rest on "
            f"hover); HVDC corridors in service (solid, width by GW, arrow the way the power flows on net) and optical "
            f"corridors carrying remote work (dotted, width by Tbps, arrow from the users to the servers), coloured "
            f"yellow to red by how much of their capacity is used in {last}.")
    if shape is not None:
        from planner.report.outline import SOURCE
        what += f" {SOURCE}."
    return _section("Where racks go, what moves as electrons and what as bits", what,
                    _figure_html(fig, "map", 680), "map"), lines


def racks_section(run: StoredRun) -> str:
    import plotly.graph_objects as go

    cap = run.tables["capacity"]
    cap = cap.assign(zone=cap["zone"].fillna(""))
    colours = zone_colours(run.tables["places"])
    fig = go.Figure()
    futures = list(dict.fromkeys(cap["future"]))
    if len(futures) == 1:
        futures = [None]   # one future: the lines need no label for it
    plan = _first_future(cap)
    for zone, rows in plan.groupby("zone", sort=True):
        by = rows.groupby("year")
        fig.add_trace(go.Scatter(x=list(by.groups), y=by["racks_in_service"].sum(), name=f"{zone or 'no zone'}: in service",
                                 line=dict(color=colours.get(zone, NO_ZONE), width=3)))
    for f in futures:
        rows_f = cap if f is None else cap[cap["future"] == f]
        for zone, rows in rows_f.groupby("zone", sort=True):
            by = rows.groupby("year")
            label = f"{zone or 'no zone'}: busy" + (f" ({f})" if f is not None else "")
            fig.add_trace(go.Scatter(x=list(by.groups), y=by["busy_racks"].sum(), name=label,
                                     line=dict(color=colours.get(zone, NO_ZONE), dash="dot" if f in (None, futures[0]) else "dash")))
    fig.update_layout(yaxis_title="racks", xaxis_title="year")
    _years_axis(fig, cap["year"])
    return _section("Racks in service and busy, by zone",
                    "Solid lines are racks in service (the plan); dotted lines are the racks the work keeps busy"
                    + (" in each future" if futures != [None] else "") + ". The gap between them is idle capacity.",
                    _figure_html(fig, "racks"), "racks")


def _heatmap(cap: pd.DataFrame, column: str, threshold: float, label: str, div_id: str,
             names: dict[str, str] | None = None) -> str:
    import plotly.graph_objects as go

    order = cap.groupby("region")["zone"].first().fillna("").sort_values().index
    grid = cap.pivot(index="region", columns="year", values=column).reindex(order)
    grid.index = [(names or {}).get(r, r) for r in grid.index]
    scale = [[0.0, "#d73027"], [max(0.001, threshold - 0.001), "#fdae61"], [threshold, "#a6d96a"], [1.0, "#1a9850"]]
    fig = go.Figure(go.Heatmap(z=grid.values, x=[str(y) for y in grid.columns], y=list(grid.index), zmin=0, zmax=1,
                               colorscale=scale, colorbar=dict(title=label, tickformat=".0%",
                                                               tickvals=[0, threshold, 1],
                                                               ticktext=["0%", f"min {threshold:.0%}", "100%"]),
                               hovertemplate="%{y} %{x}: %{z:.0%}<extra></extra>"))
    fig.update_layout(xaxis_title="year")
    return _figure_html(fig, div_id, max(420, 18 * len(grid) + 120))


def utilisation_section(run: StoredRun) -> str:
    cap = _first_future(run.tables["capacity"])
    names = display_names(run.tables["places"])
    settings_min = _min_utilisation(run)
    if "occupancy" in cap.columns:   # servers modelled: shells and servers are two risks (SPEC 7.1)
        occupancy = float(run.meta.get("settings", {}).get("min_occupancy", 0.65))
        body = ('<div class="cards"><div class="card">' + _heatmap(cap, "occupancy", occupancy, "fitted", "occupancy", names) +
                '</div><div class="card">' + _heatmap(cap, "server_utilization", settings_min, "used", "utilisation", names) +
                "</div></div>")
        return _section("Occupancy and server utilisation by region and year",
                        f"Left: server MW as a share of shell MW (occupancy); below min_occupancy ({occupancy:.0%}) the "
                        f"shells stand empty. Right: IT MW as a share of server MW; below min_utilization "
                        f"({settings_min:.0%}) the servers stand idle. Regions are grouped by zone.", body, "utilisation")
    return _section("Rack utilisation by region and year",
                    f"Busy racks as a share of racks in service. Red and orange cells are below min_utilization "
                    f"({settings_min:.0%}): the overcapacity risk. Regions are grouped by zone.",
                    _heatmap(cap, "utilization", settings_min, "used", "utilisation", names), "utilisation")


def _min_utilisation(run: StoredRun) -> float:
    return float(run.meta.get("settings", {}).get("min_utilization", 0.65))


def energy_section(run: StoredRun) -> str:
    import plotly.graph_objects as go

    en = _first_future(run.tables["energy"])
    totals = en.groupby("region")[["grid_mw", "green_mw", "imports_mw"]].mean()
    totals = totals.loc[totals.sum(axis=1).sort_values(ascending=False).index]
    totals = totals[totals.sum(axis=1) > 1e-6]
    if not len(totals):
        return _section("Energy by source and region", "Average power over the horizon, by source.",
                        _nothing("no power is bought in this plan"), "energy")
    names = display_names(run.tables["places"])
    labels = [names.get(r, r) for r in totals.index]
    fig = go.Figure([_bars(labels, totals[c], len(labels), name=n, marker_color=SOURCE_COLOURS[n])
                     for c, n in (("grid_mw", "grid"), ("green_mw", "green"), ("imports_mw", "imports"))])
    fig.update_layout(barmode="stack")
    _value_axis(fig, len(labels), "average MW over the horizon")
    return _section("Energy by source and region",
                    "Average power over the horizon: grid and green power bought in the region, and power received over "
                    "HVDC (after losses). Regions that export show their purchases here and the flows on the map.",
                    _figure_html(fig, "energy", _bars_height(len(labels))), "energy")


LONG_LIST = 12   # more regions than this: bars lie down, names on the left


def _bars(labels, values, count: int, **style):
    """A bar trace, horizontal when the list of regions is long (names read across, not tilted)."""
    import plotly.graph_objects as go

    labels, values = list(labels), list(values)
    if count > LONG_LIST:
        return go.Bar(y=labels, x=values, orientation="h", **style)
    return go.Bar(x=labels, y=values, **style)


def _value_axis(fig, count: int, title: str, **where) -> None:
    if count > LONG_LIST:
        fig.update_xaxes(title_text=title, **where)
        fig.update_yaxes(autorange="reversed", **where)   # largest on top
    else:
        fig.update_yaxes(title_text=title, **where)


def _bars_height(count: int, least: int = 420) -> int:
    return max(least, 22 * count + 140) if count > LONG_LIST else least


def serving_section(run: StoredRun) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    srv = _first_future(run.tables["serving"])
    colours = zone_colours(run.tables["places"])
    zones = run.tables["places"].set_index("region")["zone"].fillna("")
    srv = srv.assign(zone=srv["to_region"].map(zones))
    workloads = sorted(srv["workload"].unique())
    if not workloads:
        return _section("Where each workload is served", "Share of each workload's tokens served in each zone, by year.",
                        _nothing("no tokens are served in this plan"), "serving")
    cols = min(3, max(1, len(workloads)))
    rows = math.ceil(len(workloads) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=workloads, shared_xaxes=True)
    for i, w in enumerate(workloads):
        part = srv[srv["workload"] == w].pivot_table(index="year", columns="zone", values="ttok_per_day", aggfunc="sum",
                                                     fill_value=0.0)
        share = part.div(part.sum(axis=1), axis=0)
        for zone in sorted(share.columns):
            fig.add_trace(go.Scatter(x=share.index, y=share[zone], stackgroup=f"w{i}", name=zone or "no zone",
                                     line=dict(color=colours.get(zone, NO_ZONE)), showlegend=(i == 0),
                                     hovertemplate=f"{w}, served in {zone}: %{{y:.0%}}<extra></extra>"),
                          row=i // cols + 1, col=i % cols + 1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    _years_axis(fig, srv["year"])
    return _section("Where each workload is served",
                    "Share of each workload's tokens served in each zone, by year. Latency-bound work stays near its "
                    "users; batch and training go where compute is cheapest, if the network is good enough.",
                    _figure_html(fig, "serving", 260 * rows + 80), "serving")


WORKLOAD_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def typical_day_section(run: StoredRun, year: int | None = None) -> str:
    """With time slices: for one year and each zone, the IT load of each workload, green and grid
    power bought and the power price across the slices of each representative day, so that a
    planner sees shiftable work move into the green or cheap hours."""
    d = run.tables.get("dispatch")
    if d is None:
        return ""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    d = _first_future(d)
    if not len(d):
        return _section("A typical day", "IT load, power and price by time slice.", _nothing("no dispatch rows"), "day")
    year = int(year or d["year"].max())
    d = d[d["year"] == year]
    zones = run.tables["places"].set_index("region")["zone"].astype(object).where(
        run.tables["places"].set_index("region")["zone"].notna(), "").astype(str)
    d = d.assign(zone=d["region"].map(zones).fillna("").replace("", "no zone"))
    slices = d.drop_duplicates("slice")[["day", "slice", "hours"]].reset_index(drop=True)
    labels = [f"{r.day} · {r.slice}" for r in slices.itertuples()]
    workloads = [c for c in d.columns if c.startswith("it_mw_")]
    groups = sorted(d["zone"].unique())
    cur = run.meta.get("currency", "")
    fig = make_subplots(rows=len(groups), cols=1, shared_xaxes=True, subplot_titles=[f"{g}, {year}" for g in groups],
                        specs=[[{"secondary_y": True}] for _ in groups], vertical_spacing=0.08)
    for i, zone in enumerate(groups, start=1):
        part = d[d["zone"] == zone].groupby("slice", sort=False).agg(
            {**{w: "sum" for w in workloads}, "green_mw": "sum", "grid_mw": "sum", "it_mw": "sum"})
        part = part.reindex(slices["slice"])
        price = d[d["zone"] == zone].assign(weighted=lambda x: x["power_price"] * x["it_mw"].clip(lower=1e-9)) \
            .groupby("slice", sort=False).agg(weighted=("weighted", "sum"), it=("it_mw", lambda v: v.clip(lower=1e-9).sum()))
        price = (price["weighted"] / price["it"]).reindex(slices["slice"])
        for k, w in enumerate(workloads):
            fig.add_trace(go.Scatter(x=labels, y=part[w], stackgroup=f"it{i}", name=w[len("it_mw_"):],
                                     line=dict(color=WORKLOAD_PALETTE[k % len(WORKLOAD_PALETTE)], width=0.5),
                                     showlegend=(i == 1), legendgroup=w,
                                     hovertemplate=f"{w[len('it_mw_'):]}: %{{y:,.1f}} MW<extra></extra>"), row=i, col=1)
        for col, colour, label in (("green_mw", "#2ca02c", "green bought"), ("grid_mw", "#7f7f7f", "grid bought")):
            fig.add_trace(go.Scatter(x=labels, y=part[col], name=label, mode="lines", showlegend=(i == 1), legendgroup=col,
                                     line=dict(color=colour, width=2, dash="dot"),
                                     hovertemplate=f"{label}: %{{y:,.1f}} MW<extra></extra>"), row=i, col=1)
        fig.add_trace(go.Scatter(x=labels, y=price, name=f"power price ({cur}/MWh)", mode="lines+markers",
                                 showlegend=(i == 1), legendgroup="price", line=dict(color="#d62728", width=1.5),
                                 hovertemplate=f"price: %{{y:,.1f}} {cur}/MWh<extra></extra>"), row=i, col=1, secondary_y=True)
        fig.update_yaxes(title_text="MW", row=i, col=1, secondary_y=False)
        fig.update_yaxes(title_text=f"{cur}/MWh", row=i, col=1, secondary_y=True, showgrid=False)
    fig.update_xaxes(tickangle=-60, tickfont=dict(size=9))
    return _section(f"A typical day, {year}",
                    "For each zone: the IT load of each workload (stacked), the green and grid power bought (dotted) and "
                    "the marginal power price (right axis, weighted by IT load) across the slices of each representative "
                    "day. Shiftable work moves into the green or cheap slices.",
                    _figure_html(fig, "typical-day", 300 * len(groups) + 120), "day")


def costs_section(run: StoredRun) -> str:
    import plotly.graph_objects as go

    costs = run.tables["costs"]
    cur = run.meta.get("currency", "")
    wide = costs.pivot_table(index="year", columns="component", values="cost", aggfunc="sum", fill_value=0.0)
    fig = go.Figure([go.Bar(x=wide.index, y=wide[c], name=c, marker_color=COMPONENT_COLOURS.get(c)) for c in wide.columns])
    disc = costs.groupby("year")["discounted_cost"].sum()
    fig.add_trace(go.Scatter(x=disc.index, y=disc.values, name="discounted total", line=dict(color="black", width=2)))
    fig.update_layout(barmode="stack", yaxis_title=f"{cur} a year", xaxis_title="year")
    _years_axis(fig, costs["year"])
    return _section("Cost by component over time",
                    "Undiscounted cost in each year by component (bars; expected over futures where there are several) "
                    "and the discounted total, which adds up to the objective.", _figure_html(fig, "costs"), "costs")


def risks_section(run: StoredRun, limit: int = 300) -> str:
    risks = run.tables.get("risks", pd.DataFrame())
    cur = run.meta.get("currency", "")
    if not len(risks):
        return _section("Overcapacity risks", "Nothing is flagged.", "", "risks")
    shown = risks.head(limit)
    cols = [c for c in shown.columns]
    head = "".join(f'<th onclick="sortTable(this)">{html.escape(c)}</th>' for c in cols)
    names = display_names(run.tables["places"])

    def cell(c, v):
        if c == "region":
            return f'<td data-v="{html.escape(str(v))}">{html.escape(_place(v, names))}</td>'
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if v != v:
                return '<td data-v=""></td>'
            text = f"{v:.0%}" if c == "utilization" else (money(v, cur) if c == "idle_cost" else
                                                            (str(int(v)) if c == "year" else f"{v:,.0f}"))
            return f'<td class="num" data-v="{v}">{html.escape(text)}</td>'
        return f'<td data-v="{html.escape(str(v))}">{html.escape(str(v))}</td>'

    body = "".join("<tr>" + "".join(cell(c, r[c]) for c in cols) + "</tr>" for r in shown.to_dict("records"))
    more = f" The {limit} most expensive of {len(risks)} are shown; all are in risks.csv." if len(risks) > limit else ""
    table = f'<div class="scroll"><table class="data" id="risk-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    counts = risks.groupby("flag")["idle_cost"].agg(["size", "sum"])
    summary = ", ".join(f"{f}: {int(n)} rows, {money(c, cur)} a year summed" for f, (n, c) in counts.iterrows())
    return _section("Overcapacity risks", f"Every flagged row, most expensive first; click a header to sort. {summary}.{more}",
                    table, "risks")


def prices_section(run: StoredRun) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    prices = _first_future(run.tables["prices"])
    if not len(prices):
        return _section("Shadow prices", "What one more unit would cost.", _nothing("the run has no shadow prices"), "prices")
    last = int(prices["year"].max())
    p = prices[prices["year"] == last]
    names = display_names(run.tables["places"])
    units = dict(zip(p["price"], p["unit"]))
    # where demand goes unserved, the token cost is the unserved penalty (the LP buys the missing
    # tokens at that price): a bound the data sets, not a cost of serving
    unserved = _first_future(run.tables.get("unserved", pd.DataFrame(columns=["region", "workload", "year", "ttok_per_day"])))
    unserved = unserved[(unserved["year"] == last) & (unserved["ttok_per_day"] > 1e-9)] if len(unserved) else unserved
    at_penalty = {(r, w) for r, w in zip(unserved.get("region", []), unserved.get("workload", []))}
    count = p[p["price"] == "token_cost"]["region"].nunique()
    long = count > LONG_LIST
    titles = [f"token cost ({units.get('token_cost', '')})", f"power price ({units.get('power_price', '')})",
              f"value of a rack ({units.get('rack_value', '')})"]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.12 if long else 0.08)
    tokens = p[p["price"] == "token_cost"]
    order = sorted(tokens["region"].unique(), key=lambda r: names.get(r, r))
    for w, rows in tokens.groupby("workload", sort=True):
        rows = rows.set_index("region").reindex(order).dropna(subset=["value"])
        marks = ["at the unserved penalty" if (r, w) in at_penalty else "" for r in rows.index]
        fig.add_trace(_bars([names.get(r, r) for r in rows.index], rows["value"], count, name=w,
                            customdata=marks, marker_pattern_shape=["/" if m else "" for m in marks],
                            hovertemplate=f"{w}, %{{{'y' if long else 'x'}}}: %{{{'x' if long else 'y'}:,.3g}} "
                                          f"{units.get('token_cost', '')} %{{customdata}}<extra></extra>"), row=1, col=1)
    for col, kind in ((2, "power_price"), (3, "rack_value")):
        rows = p[p["price"] == kind].sort_values("value", ascending=False)
        fig.add_trace(_bars([names.get(r, r) for r in rows["region"]], rows["value"], count, name=kind, showlegend=False,
                            marker_color="#ff7f0e" if kind == "power_price" else "#1f77b4"), row=1, col=col)
    if long:
        fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    else:
        fig.update_xaxes(tickangle=-60, tickfont=dict(size=9))
    note = ""
    if at_penalty:
        where = sorted({f"{names.get(r, r)} ({w})" for r, w in at_penalty})
        note = (f"<p class='penalty-note'><b>Note:</b> hatched token costs sit at the unserved penalty: demand there goes "
                f"unserved in {last}, so the price is the penalty the case sets, not a cost of serving "
                f"({html.escape(', '.join(where[:12]))}{' …' if len(where) > 12 else ''}).</p>")
    return _section(f"Shadow prices in {last}",
                    "What one more unit would cost, in money of its own year: a million tokens of each workload by user "
                    "region, a MWh of power by region, and one more rack in service by region (zero where racks are idle).",
                    _figure_html(fig, "prices", _bars_height(count, 460)) + note, "prices")


def futures_section(run: StoredRun, regret: tuple[pd.DataFrame, pd.DataFrame] | None) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    f = run.tables.get("futures")
    if f is None or not len(f):
        return ""
    cur = run.meta.get("currency", "")
    fig = make_subplots(rows=1, cols=2, subplot_titles=["cost if each future happens", "rack utilisation by future"])
    fig.add_trace(go.Bar(x=f["future"], y=f["first_stage_cost"], name="build plan (first stage)", marker_color="#1f77b4"),
                  row=1, col=1)
    fig.add_trace(go.Bar(x=f["future"], y=f["second_stage_cost"], name="operations (second stage)", marker_color="#ff7f0e"),
                  row=1, col=1)
    cap = run.tables["capacity"]
    for future, rows in cap.groupby("future", sort=False):
        by = rows.groupby("year")
        fig.add_trace(go.Scatter(x=list(by.groups), y=by["busy_racks"].sum() / by["racks_in_service"].sum(), name=future),
                      row=1, col=2)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    _years_axis(fig, cap["year"], row=1, col=2)
    s = run.tables["summary"].set_index("item")["value"]
    extra = ""
    if "value_of_stochastic_solution" in s:
        extra = (f" Planning for the average future would cost {money(float(s['value_of_stochastic_solution']), cur)} more "
                 f"(value of the stochastic solution); knowing the future would save "
                 f"{money(float(s['expected_value_of_perfect_information']), cur)} (value of perfect information).")
    body = _figure_html(fig, "futures", 420)
    if regret is not None:
        cells, plans = regret
        futures = list(dict.fromkeys(cells["future"]))
        head = "<tr><th>plan made for</th>" + "".join(f"<th>{html.escape(x)}</th>" for x in futures) + \
               "<th>expected cost</th><th>worst regret</th></tr>"
        rows = []
        for p in plans.to_dict("records"):
            c = cells[cells["plan"] == p["plan"]].set_index("future")
            mark = " (minimax regret)" if str(p["minimax"]).lower() == "true" else ""
            rows.append(f"<tr><td>{html.escape(str(p['plan']))}{mark}</td>" + "".join(
                f'<td class="num">{html.escape(money(c.at[x, "cost"], cur))} ({html.escape(money(c.at[x, "regret"], cur))})</td>'
                for x in futures) + f'<td class="num">{html.escape(money(p["expected_cost"], cur))}</td>'
                f'<td class="num">{html.escape(money(p["max_regret"], cur))}</td></tr>')
        body += ("<p><b>Regret table</b>: each plan's cost in each future (regret against the best plan for that "
                 f"future, in brackets).</p><table class='data'>{head}{''.join(rows)}</table>")
    return _section("Futures", "One build plan for every future; operations chosen per future." + extra, body, "futures")


def shown_inputs(path: str) -> str:
    """The input path for a page header: as run.json has it (relative to the run's working
    folder), and never absolute, even from a folder written before it was so.

    >>> shown_inputs("inputs/scenarios/base.yaml"), shown_inputs("/home/me/cases/base.yaml")
    ('inputs/scenarios/base.yaml', 'base.yaml')
    """
    text = str(path)
    if text.startswith("/") or (len(text) > 2 and text[1] == ":" and text[2] in "\\/"):
        return Path(text.replace("\\", "/")).name
    return text


def write_report(run: StoredRun, path: str | Path, regret: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Path:
    path = Path(path)
    meta = run.meta
    map_html, _lines = map_section(run)
    sections = [headline_section(run), map_html, racks_section(run), utilisation_section(run), energy_section(run),
                typical_day_section(run), serving_section(run), costs_section(run), futures_section(run, regret),
                risks_section(run), prices_section(run)]
    title = f"planner: {meta.get('scenario', run.folder.name)}"
    sub = (f"Status {meta.get('status', '')} · objective {money(meta.get('objective', float('nan')), meta.get('currency', ''))} "
           f"· inputs {shown_inputs(meta.get('inputs', ''))} (sha256 {str(meta.get('inputs_sha256', ''))[:12]})")
    _write_page(path, title, sub, sections, meta)
    return path


# ---- several runs ----------------------------------------------------------------------------

def write_comparison(runs: list[StoredRun], path: str | Path) -> Path:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    path = Path(path)
    heads = [headline(r.tables, r.meta) for r in runs]
    places = pd.concat([r.tables["places"] for r in runs]).drop_duplicates("region")
    colours = zone_colours(places)
    region_names = display_names(places)
    names = [h["scenario"] for h in heads]
    cur = runs[0].meta.get("currency", "")
    components = list(dict.fromkeys(k for h in heads for k in h if k.startswith("cost_") and k != "cost_of_planned_builds"))
    fig = go.Figure([go.Bar(x=names, y=[h.get(c, 0.0) for h in heads], name=c[5:], marker_color=COMPONENT_COLOURS.get(c[5:]))
                     for c in components])
    fig.update_layout(barmode="stack", yaxis_title=f"discounted cost, {cur}")
    # the difference from the first run, component by component (relative bars: savings below zero)
    first = heads[0]
    diff = go.Figure([go.Bar(x=names[1:], y=[h.get(c, 0.0) - first.get(c, 0.0) for h in heads[1:]], name=c[5:],
                             marker_color=COMPONENT_COLOURS.get(c[5:])) for c in components])
    diff.add_trace(go.Scatter(x=names[1:], y=[h["objective"] - first["objective"] for h in heads[1:]], mode="markers",
                              name="total", marker=dict(color="black", size=12, symbol="diamond")))
    diff.update_layout(barmode="relative", yaxis_title=f"discounted cost minus {names[0]}'s, {cur}")
    zones = sorted({k[len("racks_built_"):] for h in heads for k in h if k.startswith("racks_built_")})
    fig2 = go.Figure([go.Bar(x=names, y=[h.get(f"racks_built_{z}", 0.0) for h in heads], name=z,
                             marker_color=colours.get(z, NO_ZONE)) for z in zones])
    fig2.update_layout(barmode="stack", yaxis_title="racks built over the horizon")
    # one unit per axis: GW, share of demand, share of racks busy
    fig3 = make_subplots(rows=1, cols=3, subplot_titles=["HVDC built (GW)", "demand served", "mean rack utilisation"])
    fig3.add_trace(go.Bar(x=names, y=[h["hvdc_built_gw"] for h in heads], marker_color="#9467bd", showlegend=False,
                          hovertemplate="%{x}: %{y:,.2f} GW<extra></extra>"), row=1, col=1)
    fig3.add_trace(go.Bar(x=names, y=[h["demand_served_share"] for h in heads], marker_color="#2ca02c", showlegend=False,
                          hovertemplate="%{x}: %{y:.1%}<extra></extra>"), row=1, col=2)
    fig3.add_trace(go.Bar(x=names, y=[h["mean_utilization"] for h in heads], marker_color="#1f77b4", showlegend=False,
                          hovertemplate="%{x}: %{y:.0%}<extra></extra>"), row=1, col=3)
    fig3.update_yaxes(title_text="GW", row=1, col=1)
    fig3.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=2)
    fig3.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=3)
    fig4 = go.Figure([go.Bar(x=names, y=[h["idle_cost_from_plan_sum"] for h in heads], name="built by the plan",
                             marker_color="#bd0026"),
                      go.Bar(x=names, y=[h["idle_cost_sum"] - h["idle_cost_from_plan_sum"] for h in heads],
                             name="stood before the plan", marker_color="#fd8d3c")])
    fig4.update_layout(barmode="stack", yaxis_title=f"{cur} a year, summed over years")
    # per region: racks in service in the last year, each run next to the first
    per_region = {}
    for r, h in zip(runs, heads):
        cap = plan_rows_of(r.tables["capacity"])
        last = cap[cap["year"] == cap["year"].max()]
        per_region[h["scenario"]] = last.groupby("region")["racks_in_service"].sum()
    wide = pd.DataFrame(per_region).fillna(0.0)
    wide = wide.loc[wide.max(axis=1).sort_values(ascending=False).index]
    labels = [region_names.get(x, x) for x in wide.index]
    fig5 = go.Figure([_bars(labels, wide[n], len(labels) + LONG_LIST + 1, name=n) for n in wide.columns])
    fig5.update_layout(barmode="group")
    _value_axis(fig5, len(labels) + LONG_LIST + 1, "racks in service in the last year")
    delta = wide.sub(wide[wide.columns[0]], axis=0).drop(columns=wide.columns[0])
    rows = [k for h in heads for k in h if k not in ("scenario",)]
    rows = list(dict.fromkeys(rows))
    head = "<tr><th>figure</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + \
        "".join(f"<th>{html.escape(n)} − {html.escape(names[0])}</th>" for n in names[1:]) + "</tr>"

    def show(k, v):
        if isinstance(v, str):
            return html.escape(v)
        if v is None or v != v:
            return ""
        if "share" in k or "utilization" in k:
            return f"{v:.1%}"
        if "cost" in k or k in ("objective", "value_of_stochastic_solution", "expected_value_of_perfect_information"):
            return html.escape(money(v, cur))
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"

    def change(k, h):
        a, b = first.get(k), h.get(k)
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool):
            return ""
        d = b - a
        if "share" in k or "utilization" in k:
            return f"{d * 100:+.1f} pt"
        return ("+" if d > 0 else "") + show(k, d)

    body = "".join("<tr><td>" + html.escape(k) + "</td>" + "".join(
        f'<td class="num">{show(k, h.get(k, ""))}</td>' for h in heads) + "".join(
        f'<td class="num">{change(k, h)}</td>' for h in heads[1:]) + "</tr>" for k in rows)
    table = f'<div class="scroll"><table class="data">{head}{body}</table></div>'
    region_head = "<tr><th>region</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in wide.columns) + "".join(
        f"<th>{html.escape(n)} − {html.escape(names[0])}</th>" for n in delta.columns) + "</tr>"
    region_body = "".join(
        f"<tr><td>{html.escape(region_names.get(x, x))}</td>"
        + "".join(f'<td class="num" data-v="{wide.at[x, n]}">{wide.at[x, n]:,.0f}</td>' for n in wide.columns)
        + "".join(f'<td class="num" data-v="{delta.at[x, n]}">{delta.at[x, n]:+,.0f}</td>' for n in delta.columns)
        + "</tr>" for x in wide.index)
    region_table = f'<div class="scroll"><table class="data">{region_head}{region_body}</table></div>'
    sections = [
        _section("Total cost by component", "Discounted cost of each scenario, split by component.",
                 _figure_html(fig, "compare-costs"), "costs"),
        _section(f"Difference from {names[0]}", f"Each scenario's discounted cost by component minus {names[0]}'s "
                 "(below zero: cheaper); the diamond is the difference in total cost.",
                 _figure_html(diff, "compare-difference") if len(names) > 1 else _nothing("only one run"), "difference"),
        _section("Racks built by zone", "Where each scenario builds over the horizon.", _figure_html(fig2, "compare-racks"),
                 "racks"),
        _section("Racks in service by region", "Racks in service in the last year of each run, region by region "
                 "(largest first), and the difference from the first run in the table below.",
                 _figure_html(fig5, "compare-regions", max(420, 16 * len(labels) * max(1, len(names)) // 2 + 140))
                 + region_table, "regions"),
        _section("HVDC, demand served and utilisation", "Electrons moved (GW), demand met and how busy the racks are "
                 "(shares): one unit per chart.", _figure_html(fig3, "compare-network"), "network"),
        _section("Overcapacity", "The annual cost of the capacity flagged idle (racks, servers, network), summed over "
                 "the years: what the plan built and what stood before it.", _figure_html(fig4, "compare-risks"), "risks"),
        _section("Side by side", "Every headline figure, and each run's difference from the first; the same numbers "
                 "as `planner compare`.", table, "table"),
    ]
    _write_page(path, "planner: scenarios compared", " · ".join(names), sections, {})
    return path


def plan_rows_of(df: pd.DataFrame) -> pd.DataFrame:
    """The first future's rows (the build plan is the same in every future)."""
    return _first_future(df) if "future" in df.columns else df


def write_stress_report(table: pd.DataFrame, meta: dict, currency: str, path: str | Path) -> Path:
    """The page of `planner stress`: the plan's cost, service and idle capacity in each scenario."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    path = Path(path)
    ok = table[table["status"] == "optimal"] if len(table) else table
    labels = [f"{r.scenario}" + (f" · {r.future}" if str(r.future) not in ("", "base", "nan") else "")
              for r in ok.itertuples()]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[f"total cost ({currency})", "demand served",
                                                        f"idle capacity, {currency} summed over years"])
    fig.add_trace(go.Bar(x=labels, y=ok["total_cost"], marker_color="#1f77b4", showlegend=False), row=1, col=1)
    fig.add_trace(go.Bar(x=labels, y=ok["demand_served_share"], marker_color="#2ca02c", showlegend=False), row=1, col=2)
    fig.add_trace(go.Bar(x=labels, y=ok["idle_cost_sum"], marker_color="#bd0026", showlegend=False), row=1, col=3)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=2)
    cols = ["scenario", "future", "status", "total_cost", "demand_served_share", "mean_utilization", "idle_rack_years",
            "idle_cost_sum", "reason"]
    cols = [c for c in cols if c in table.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)

    def show(c, v):
        if isinstance(v, float) and v != v:
            return ""
        if c in ("total_cost", "idle_cost_sum"):
            return html.escape(money(v, currency))
        if c in ("demand_served_share", "mean_utilization"):
            return f"{v:.1%}"
        if c == "idle_rack_years":
            return f"{v:,.0f}"
        return html.escape(str(v))

    body = "".join("<tr>" + "".join(f"<td>{show(c, r[c])}</td>" for c in cols) + "</tr>" for r in table.to_dict("records"))
    failed = len(table) - len(ok)
    sections = [
        _section("The plan in other scenarios", f"Plan '{meta.get('plan', '')}' (from {shown_inputs(meta.get('plan_folder', ''))}) "
                 "with its builds fixed and operations re-optimised in each scenario: what it costs, what it serves "
                 "and what it leaves idle. One unit per chart." + (f" {failed} scenario(s) failed; see the table." if failed else ""),
                 _figure_html(fig, "stress", 420) if len(ok) else _nothing("no scenario could be lived"), "stress"),
        _section("Every scenario", "The numbers of stress.csv.", f"<table class='data'><tr>{head}</tr>{body}</table>", "table"),
    ]
    _write_page(path, f"planner: stress test of {meta.get('plan', '')}", " · ".join(dict.fromkeys(table["scenario"].astype(str))) if len(table) else "",
                sections, meta)
    return path


def write_regret_report(cells: pd.DataFrame, plans: pd.DataFrame, meta: dict, currency: str, path: str | Path) -> Path:
    """The page of `planner regret`: each plan's regret in each future, the minimax-regret plan."""
    import plotly.graph_objects as go

    path = Path(path)
    futures = list(dict.fromkeys(cells["future"]))
    order = list(plans["plan"])
    grid = cells.pivot(index="plan", columns="future", values="regret").reindex(index=order, columns=futures)
    fig = go.Figure(go.Heatmap(z=grid.values, x=futures, y=order, colorscale="YlOrRd", zmin=0,
                               colorbar=dict(title=f"regret, {currency}"), text=[[money(v, currency) for v in row]
                                                                                 for row in grid.values],
                               texttemplate="%{text}", hovertemplate="plan %{y} in future %{x}: regret %{text}<extra></extra>"))
    fig.update_layout(xaxis_title="the future that happens", yaxis_title="the plan made for", yaxis_autorange="reversed")
    rows = "".join(f"<tr><td>{html.escape(str(p['plan']))}{' (minimax regret)' if str(p['minimax']).lower() == 'true' else ''}"
                   f"</td><td class='num'>{html.escape(money(p['expected_cost'], currency))}</td>"
                   f"<td class='num'>{html.escape(money(p['max_regret'], currency))}</td></tr>" for p in plans.to_dict("records"))
    table = f"<table class='data'><tr><th>plan</th><th>expected cost</th><th>worst regret</th></tr>{rows}</table>"
    best = meta.get("minimax_regret_plan", "")
    sections = [
        _section("Regret", "Each plan's cost in each future minus the best cost with that future known in advance. "
                 f"The minimax-regret plan, whose worst regret is smallest, is '{best}'.",
                 _figure_html(fig, "regret", 120 + 60 * len(order)) + table, "regret"),
    ]
    _write_page(path, f"planner: regret of {meta.get('scenario', '')}", f"minimax-regret plan: {best}", sections, meta)
    return path


def _write_page(path: Path, title: str, subtitle: str, sections: list[str], meta: dict) -> None:
    from plotly.offline import get_plotlyjs

    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{GENERATOR_TAG}"
        f"<title>{html.escape(title)}</title>{STYLE}{CHECK_SCRIPT}{SORT_SCRIPT}"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header><main>"
        + "".join(s for s in sections if s)
        + "</main><footer>Made by planner from the run's tables; every figure is also in results.xlsx.</footer>"
        "<div id='report-check' hidden></div></body></html>"
    )
    write_file_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def regret_next_to(out_dir: str | Path, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The regret table of `planner regret` for this scenario, if one sits in the same output folder."""
    folder = Path(out_dir) / folder_name(scenario, "regret")
    if (folder / "regret.csv").is_file() and (folder / "plans.csv").is_file():
        return pd.read_csv(folder / "regret.csv"), pd.read_csv(folder / "plans.csv")
    return None
