"""A static SVG of a map (for briefings, print and the SVG export).

Rule: nodes are drawn at their precomputed positions (the same as the interactive page)
as circles, stars, diamonds or boxes in their colours, missing/broken segments dashed;
edges as straight lines (arrows for feeds); labels under the node. The view box fits the
nodes plus a margin; every text is XML-escaped, so the SVG carries no markup from the data.
County outlines (:mod:`visual.geo`) are drawn under the nodes when the map has them.

Example: ``map_svg(chain_map(atlas, "ch.t.nylon")).startswith("<svg")``.
"""

from __future__ import annotations

import math
from html import escape

from visual.model import Filter, MapData, Node

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


def _star(x: float, y: float, r: float) -> str:
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.45
        pts.append(f"{x + rr * math.cos(a):.1f},{y + rr * math.sin(a):.1f}")
    return " ".join(pts)


def _shape(n: Node) -> str:
    r = max(n.size * 0.7, 4.0)
    dash = ' stroke-dasharray="6 4"' if n.dashed else ""
    common = (f'fill="{escape(n.color)}" stroke="{escape(n.border)}" '
              f'stroke-width="{n.border_width:g}"{dash}')
    if n.shape == "star":
        return f'<polygon points="{_star(n.x, n.y, r * 1.3)}" {common}/>'
    if n.shape == "diamond":
        return (f'<polygon points="{n.x:.1f},{n.y - r:.1f} {n.x + r:.1f},{n.y:.1f} '
                f'{n.x:.1f},{n.y + r:.1f} {n.x - r:.1f},{n.y:.1f}" {common}/>')
    if n.shape in ("box", "square"):
        w = max(len(n.label) * n.font_size * 0.9 + 16, 2 * r)
        h = n.font_size + 14
        return (f'<rect x="{n.x - w / 2:.1f}" y="{n.y - h / 2:.1f}" width="{w:.1f}" '
                f'height="{h:.1f}" rx="4" {common}/>')
    return f'<circle cx="{n.x:.1f}" cy="{n.y:.1f}" r="{r:.1f}" {common}/>'


def _active(data: MapData) -> Filter | None:
    return next((f for f in data.filters if f.id == data.initial_filter), None)


def _shown(data: MapData) -> set[str]:
    f = _active(data)
    return set(f.show) if f is not None and f.show is not None else data.node_ids()


def _outlines(data: MapData) -> str:
    """The map's shapes (county outlines), filled as its initial filter says."""
    f = _active(data)
    fills = f.fills if f is not None else {}
    out = []
    for s in data.shapes:
        d = " ".join("M" + " L".join(f"{x:.0f},{y:.0f}" for x, y in ring) + " Z"
                     for ring in s.rings if ring)
        out.append(f'<path d="{d}" fill="{escape(fills.get(s.id, s.fill))}" '
                   f'stroke="{escape(s.stroke)}" stroke-width="4" fill-rule="evenodd">'
                   f'<title>{escape(s.name)}</title></path>')
    return "\n".join(out)


def map_svg(data: MapData, *, outlines: str = "", max_nodes: int = 5000) -> str:
    """The map as one SVG document (``outlines``: SVG paths drawn underneath, already
    escaped). Maps over ``max_nodes`` nodes draw only their first ``max_nodes``."""
    nodes = [n for n in data.nodes[:max_nodes] if n.id in _shown(data)]
    by_id = {n.id: n for n in nodes}
    xs = [n.x for n in nodes] + [x for sh in data.shapes for r in sh.rings for x, _ in r]
    ys = [n.y for n in nodes] + [y for sh in data.shapes for r in sh.rings for _, y in r]
    if xs:
        x0, x1 = min(xs) - 120, max(xs) + 120
        y0, y1 = min(ys) - 80, max(ys) + 80
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 400.0, 200.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.0f} {y0:.0f} '
           f'{x1 - x0:.0f} {y1 - y0:.0f}" font-family="{FONT}" role="img" '
           f'aria-label="{escape(data.title)}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
           'fill="#607d8b"/></marker></defs>',
           f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" '
           'fill="#ffffff"/>', outlines or _outlines(data)]
    for e in data.edges:
        a, b = by_id.get(e.source), by_id.get(e.target)
        if a is None or b is None:
            continue
        dash = ' stroke-dasharray="4 3"' if e.dashed else ""
        arrow = ' marker-end="url(#arrow)"' if e.arrow else ""
        out.append(f'<line x1="{a.x:.1f}" y1="{a.y:.1f}" x2="{b.x:.1f}" y2="{b.y:.1f}" '
                   f'stroke="{escape(e.color)}" stroke-width="{e.width:g}"{dash}{arrow}/>')
    for n in nodes:
        out.append(_shape(n))
        inside = n.shape in ("box", "square")
        ty = n.y + (n.font_size * 0.35 if inside else max(n.size * 0.7, 4) + n.font_size + 2)
        fill = "#ffffff" if inside else "#263238"
        halo = "" if inside else ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'
        out.append(f'<text x="{n.x:.1f}" y="{ty:.1f}" font-size="{n.font_size}" '
                   f'text-anchor="middle" fill="{fill}"{halo}>{escape(n.label)}</text>')
    out.append("</svg>")
    return "\n".join(out)
