"""Precomputed layouts: no physics, so a map is drawn once and stays put.

* :func:`layers` — the column of each segment, left (upstream) to right (downstream).
* :func:`layered_positions` — x by column, y spread within a column.
* :func:`spiral` — positions around a centre for many small nodes (firms).
* :func:`project` — longitude/latitude to page coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import median

from graph.model import Stage

STAGE_RANK: dict[Stage, int] = {Stage.upstream: 0, Stage.midstream: 1, Stage.downstream: 2}


def layers(nodes: Sequence[str], preds: Mapping[str, Sequence[str]],
           stage: Mapping[str, Stage]) -> dict[str, int]:
    """The column of every node: the longest feeds path ending at it.

    Rule: a node fed by others sits one column right of its rightmost feeder (Kahn order;
    nodes left on a cycle are placed after their placed feeders). A node with no feeds at
    all sits by its stage: upstream in column 0, midstream in the median column of the
    connected midstream nodes (1 when there are none), downstream in the last column.

    >>> sorted(layers(["a", "b", "c", "d"], {"b": ["a"], "c": ["b"]},
    ...               {"a": Stage.upstream, "b": Stage.midstream, "c": Stage.downstream,
    ...                "d": Stage.downstream}).items())
    [('a', 0), ('b', 1), ('c', 2), ('d', 2)]
    """
    node_set = set(nodes)
    p = {n: [x for x in preds.get(n, ()) if x in node_set and x != n] for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for n, ps in p.items():
        for x in ps:
            succs[x].append(n)
    linked = {n for n in nodes if p[n] or succs[n]}
    indeg = {n: len(p[n]) for n in nodes}
    todo = sorted(n for n in linked if indeg[n] == 0)
    out: dict[str, int] = {}
    while todo:
        n = todo.pop()
        out[n] = max((out[x] + 1 for x in p[n] if x in out), default=0)
        for s in succs[n]:
            indeg[s] -= 1
            if indeg[s] == 0:
                todo.append(s)
    for n in sorted(linked - out.keys()):  # on a cycle
        out[n] = max((out[x] + 1 for x in p[n] if x in out), default=0)
    last = max(out.values(), default=2 if nodes else 0)
    mids = [out[n] for n in linked if stage[n] is Stage.midstream]
    mid = round(median(mids)) if mids else min(1, last)
    column = {Stage.upstream: 0, Stage.midstream: mid, Stage.downstream: max(last, mid)}
    for n in nodes:
        if n not in linked:
            out[n] = column[stage[n]]
    return out


def layered_positions(nodes: Sequence[str], preds: Mapping[str, Sequence[str]],
                      stage: Mapping[str, Stage], *, heights: Mapping[str, float] | None = None,
                      dx: float = 300.0, gap: float = 40.0, max_height: float = 760.0
                      ) -> dict[str, tuple[float, float]]:
    """Page positions: x by :func:`layers`, y stacked within a column and centred on 0.

    Within a column nodes are ordered by the mean rank of their feeders (so edges cross
    little), then stage, then id; ``heights`` gives each node's block height (default 80).
    A column taller than ``max_height`` is dealt into side-by-side sub-columns (each
    ``dx`` wide) so long chains stay wide rather than tall.
    """
    col = layers(nodes, preds, stage)
    rank: dict[str, float] = {}
    out: dict[str, tuple[float, float]] = {}
    x = 0.0
    for c in sorted(set(col.values())):
        members = [n for n in nodes if col[n] == c]

        def key(n: str) -> tuple[float, int, str]:
            ranks = [rank[p] for p in preds.get(n, ()) if p in rank]
            return (sum(ranks) / len(ranks) if ranks else -1.0, STAGE_RANK[stage[n]], n)

        members.sort(key=key)
        hs = {n: (heights or {}).get(n, 80.0) for n in members}
        total = sum(hs.values()) + gap * (len(hs) - 1)
        n_sub = max(1, math.ceil(total / max_height))
        per = math.ceil(len(members) / n_sub)
        for j in range(n_sub):
            part = members[j * per:(j + 1) * per]
            height = sum(hs[n] for n in part) + gap * (len(part) - 1)
            y = -height / 2
            for n in part:
                rank[n] = len(rank)
                out[n] = (x + j * dx * 0.6, round(y, 1))
                y += hs[n] + gap
        x += dx + (n_sub - 1) * dx * 0.6
    return out


def spiral(cx: float, cy: float, n: int, *, start: float = 40.0, step: float = 26.0
           ) -> list[tuple[float, float]]:
    """``n`` points on a sunflower spiral around (cx, cy), ~``step`` apart, the first
    ``start`` away from the centre."""
    golden = math.pi * (3 - math.sqrt(5))
    out = []
    for i in range(n):
        r = start + step * math.sqrt(i) * 0.9
        a = i * golden
        out.append((round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1)))
    return out


def project(lat: float, lon: float, lat0: float, lon0: float, scale: float
            ) -> tuple[float, float]:
    """Equirectangular projection around (lat0, lon0): ``scale`` page units per degree of
    latitude, north up."""
    x = (lon - lon0) * scale * math.cos(math.radians(lat0))
    return round(x, 1), round(-(lat - lat0) * scale, 1)


Box = tuple[float, float, float, float]


def text_width(line: str, font: float) -> float:
    """Approximate drawn width of one line: CJK and full-width characters 1 em, others 0.6 em."""
    return sum(font if ord(ch) >= 0x2E80 else font * 0.6 for ch in line)


def wrap_label(text: str, per_line: int, max_lines: int = 2) -> str:
    """``text`` broken into lines of at most ``per_line`` characters (at ``·``/``、`` when
    one falls in the line), at most ``max_lines`` lines, the last cut with ``…``.

    >>> wrap_label("铜杆线·架空导线·精密线缆", 8)
    '铜杆线·架空导线\\n精密线缆'
    >>> wrap_label("很长很长很长很长很长很长很长很长很长", 6)
    '很长很长很长\\n很长很长很…'
    """
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        if len(rest) <= per_line:
            lines.append(rest)
            rest = ""
            break
        cut = max((rest.rfind(sep, 1, per_line + 1) for sep in "·、/ "), default=-1)
        ok = cut >= per_line // 2
        end = cut if ok else per_line
        lines.append(rest[:end].rstrip("·、/ ") if ok else rest[:end])
        rest = rest[end:].lstrip("·、/ ") if ok else rest[end:]
    if rest:
        lines[-1] = lines[-1][:max(per_line - 1, 1)] + "…"
    return "\n".join(lines)


def node_box(x: float, y: float, size: float, label: str, font: float, inside: bool,
             margin: float = 8.0) -> Box:
    """The box a node and its label take on the page (vis-network draws a dot's, star's or
    diamond's label under it, a box's inside)."""
    lines = label.split("\n") if label else []
    w = max((text_width(line, font) for line in lines), default=0.0)
    h = len(lines) * font * 1.25
    if inside:
        half_w, half_h = w / 2 + margin, h / 2 + margin
        return (x - half_w, y - half_h, x + half_w, y + half_h)
    half = max(w / 2, size)
    return (x - half, y - size, x + half, y + size + 3 + h)


def overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def collisions(boxes: Mapping[str, Box]) -> list[tuple[str, str]]:
    """Every pair of ids whose boxes overlap (sorted)."""
    items = sorted(boxes.items())
    return [(a, b) for i, (a, ba) in enumerate(items) for b, bb in items[i + 1:]
            if overlap(ba, bb)]


def spread(boxes: dict[str, Box], *, gap: float = 4.0, passes: int = 400) -> dict[str, float]:
    """Vertical shifts that remove every overlap: repeatedly, of two overlapping boxes the
    lower (then the later id) moves down until clear by ``gap``. Returns id → dy (only moved
    ids); ``boxes`` is updated in place."""
    moved: dict[str, float] = {}
    for _ in range(passes):
        clash = False
        order = sorted(boxes, key=lambda k: (boxes[k][1], k))
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                ba, bb = boxes[a], boxes[b]
                if bb[1] > ba[3] + gap:
                    break
                if overlap(ba, bb, gap):
                    dy = ba[3] + gap - bb[1] + 0.5
                    boxes[b] = (bb[0], bb[1] + dy, bb[2], bb[3] + dy)
                    moved[b] = moved.get(b, 0.0) + dy
                    clash = True
        if not clash:
            break
    return moved
