"""Atlas overview (all chains) and regional view (区域分布图) map data.

Atlas overview rule: one row per chain (id order), a chain node at the row's left and the
chain's own segments (``Segment.chains``) laid out upstream → downstream to its right
(:func:`visual.layout.layered_positions`); rows are stacked into columns so the whole is
about 16:9. A segment in several chains is drawn once, in the first of its chains, with a
membership edge from every chain and an orange border (共享环节); a dashed arrow links a
parent chain to its sub-chains. Segments are coloured by their status in the chain where
they are drawn. One filter per cluster (产业集群) shows only its chains and their segments.

Regional view rule: counties at their coordinates; parks on a ring around their county in
the direction of their own coordinates; local firms (anchor/local) on a spiral around their
park, or their county when they have none. One filter per chain shows the firms operating in
the chain (and its sub-chains); one per county shows that county alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from graph.analysis.gaps import ChainDiagnosis, SegmentStatus, diagnose_chain
from graph.analysis.index import analysis_index
from graph.coverage import chain_family
from graph.errors import NotFound
from graph.model import Atlas, County, Role
from visual.build import declutter, page_link, place, role_zh, segment_size, short_name
from visual.geo import SOURCE_NOTE, county_outlines
from visual.layout import layered_positions, project, spiral, wrap_label
from visual.model import (
    ANCHOR_COLOR,
    CHAIN_COLOR,
    COUNTY_COLOR,
    FIRM_COLOR,
    PARK_COLOR,
    SHARED_BORDER,
    STAGE_ZH,
    STATUS_COLOR,
    STATUS_ZH,
    Detail,
    Edge,
    Filter,
    Item,
    LegendItem,
    MapData,
    Node,
    Section,
    Shape,
    status_legend,
)

ROW_GAP = 120.0
CHAIN_X = -320.0


def _counts(statuses: Sequence[str]) -> str:
    return " ".join(f"{STATUS_ZH[s]}{statuses.count(s)}" for s in STATUS_COLOR)


class _Block(NamedTuple):
    """One chain's row: its diagnosis, the segments drawn in it and their relative spots."""

    chain_id: str
    diag: ChainDiagnosis
    own: list[str]
    pos: dict[str, tuple[float, float]]
    width: float
    height: float


def _blocks(atlas: Atlas, member: dict[str, list[str]]) -> list[_Block]:
    preds: dict[str, list[str]] = defaultdict(list)
    for f in atlas.feeds:
        preds[f.target].append(f.source)
    out = []
    for cid in sorted(atlas.chains):
        diag = diagnose_chain(atlas, cid)
        by_id = diag.by_id()
        own = [s for s in sorted(member) if member[s][0] == cid and s in by_id]
        pos = layered_positions(own, {s: [p for p in preds[s] if p in own] for s in own},
                                {s: atlas.segments[s].stage for s in own}, dx=220, gap=30,
                                heights=dict.fromkeys(own, 50.0), max_height=400)
        top = min((y for _, y in pos.values()), default=0.0)
        pos = {s: (x, y - top) for s, (x, y) in pos.items()}
        width = max((x for x, _ in pos.values()), default=0.0) - CHAIN_X + 260
        height = max((y for _, y in pos.values()), default=0.0) + 50
        out.append(_Block(cid, diag, own, pos, width, height))
    return out


def _pack(blocks: list[_Block]) -> list[tuple[float, float]]:
    """Top-left corners: blocks stacked in columns, about as many columns as make the whole
    roughly 16:9."""
    total = sum(b.height + ROW_GAP for b in blocks)
    wide = max((b.width for b in blocks), default=1.0)
    limit = total / max(1, round(math.sqrt(16 / 9 * total / wide)))
    out, x, y, col_w = [], 0.0, 0.0, 0.0
    for b in blocks:
        if y > 0 and y + b.height > limit:
            x, y, col_w = x + col_w, 0.0, 0.0
        out.append((x, y))
        y += b.height + ROW_GAP
        col_w = max(col_w, b.width)
    return out


def _roots(atlas: Atlas) -> dict[str, str]:
    """Chain id → the id of its top-level chain."""
    root: dict[str, str] = {}
    for c in atlas.chains.values():
        top, seen = c, {c.id}
        while top.parent in atlas.chains and top.parent not in seen:
            top = atlas.chains[str(top.parent)]
            seen.add(top.id)
        root[c.id] = top.id
    return root


def _family_pack(atlas: Atlas, blocks: list[_Block]) -> list[tuple[float, float]]:
    """Top-left corners when each top-level chain's family is shown alone: every family
    packed by :func:`_pack` from the origin (families overlap; one is shown at a time)."""
    root = _roots(atlas)
    corner: dict[str, tuple[float, float]] = {}
    for r in sorted(set(root.values())):
        fam = [b for b in blocks if root[b.chain_id] == r]
        corner.update(zip((b.chain_id for b in fam), _pack(fam), strict=True))
    return [corner[b.chain_id] for b in blocks]


def _chain_detail(atlas: Atlas, b: _Block, direct: list[str], links: bool) -> Detail:
    chain, by_id = atlas.chains[b.chain_id], b.diag.by_id()
    return Detail(title=chain.name, subtitle=f"{chain.cluster} · 完整度 "
                  f"{b.diag.completeness:.0%}", sections=[
        Section(key="map", heading="产业链图谱", items=[Item(
            text="打开本链图谱", link=f"chains/{b.chain_id}" if links else None,
            notes=[] if links else [f"命令：chain-atlas map {b.chain_id} -o 文件.html"])]),
        *(Section(key=st, heading=f"{STATUS_ZH[st]}环节", items=[
            Item(text=by_id[s].name) for s in direct if by_id[s].status == st])
          for st in STATUS_COLOR)])


def _segment_node(atlas: Atlas, st: SegmentStatus, chains: list[str], x: float, y: float,
                  links: bool) -> tuple[Node, Detail]:
    seg = atlas.segments[st.segment_id]
    shared = len(chains) > 1
    names = "、".join(atlas.chains[c].name for c in chains)
    node = Node(
        id=seg.id, label=wrap_label(seg.name, 8), group="shared" if shared else "segment",
        x=x, y=y,
        size=segment_size(st.strength) * 0.6, color=STATUS_COLOR[st.status],
        border=SHARED_BORDER if shared else STATUS_COLOR[st.status],
        border_width=5 if shared else 1.5, dashed=st.status in ("missing", "broken"),
        font_size=16, title=f"{seg.name}（{STAGE_ZH[seg.stage]}）\n状态：{STATUS_ZH[st.status]}"
        f"\n所属产业链：{names}", search=" ".join(seg.key_products))
    detail = Detail(title=seg.name, subtitle=f"{STAGE_ZH[seg.stage]} · 状态："
                    f"{STATUS_ZH[st.status]}（{atlas.chains[chains[0]].name}）", sections=[
        Section(key="chains", heading="所属产业链", items=[
            Item(text=atlas.chains[c].name, link=f"chains/{c}" if links else None)
            for c in chains]),
        Section(key="status", heading="状态原因", items=[Item(text=r.message) for r in st.reasons]),
        Section(key="firms", heading="本地企业", items=[
            Item(text=atlas.companies[f].name) for f in st.local_firms if f in atlas.companies])])
    return node, detail


AGG_CLASSES = ((0.6, "#2e7d32", "大类完整度 ≥60%"), (0.3, "#e65100", "30%–60%"),
               (0.0, "#b71c1c", "低于30%"))
AGG_COLS = 5
AGG_DX, AGG_DY = 440.0, 230.0


def _aggregates(atlas: Atlas, blocks: list[_Block], owner: dict[str, str], links: bool
                ) -> tuple[list[Node], dict[str, Detail], dict[str, list[str]]]:
    """One node per top-level chain (its family aggregated), in a grid; what a click on
    each shows (the family's chain nodes and the segments drawn in their rows)."""
    roots = sorted((c for c in atlas.chains.values()
                    if c.parent is None or c.parent not in atlas.chains), key=lambda c: c.id)
    by_chain = {b.chain_id: b for b in blocks}
    nodes: list[Node] = []
    details: dict[str, Detail] = {}
    expand: dict[str, list[str]] = {}
    for i, root in enumerate(roots):
        family = sorted(chain_family(atlas, root.id))
        segs = sorted(s for s, c in owner.items() if c in family)
        diag = by_chain[root.id].diag
        counts = {st: sum(1 for x in diag.segments if x.status == st) for st in STATUS_COLOR}
        agg = f"agg:{root.id}"
        expand[agg] = [*family, *segs]
        x, y = (i % AGG_COLS) * AGG_DX, (i // AGG_COLS) * AGG_DY
        color = next(c for low, c, _ in AGG_CLASSES if diag.completeness >= low)
        nodes.append(Node(
            id=agg, label=f"{wrap_label(root.name, 10)}\n完整度 {diag.completeness:.0%}",
            group="cluster", x=x, y=y, size=40, color=color, border="#263238", shape="box",
            font_size=24, title=f"{root.name}（{root.cluster}）\n完整度 {diag.completeness:.0%}"
            f"\n子链{len(family) - 1}条 · 环节{len(diag.segments)}个："
            f"{_counts([st.status for st in diag.segments])}"
            "\n点击展开", search=" ".join([root.name, *(atlas.chains[c].name for c in family)])))
        details[agg] = Detail(
            title=root.name, subtitle=f"{root.cluster} · 完整度 {diag.completeness:.0%} · "
            + " ".join(f"{STATUS_ZH[st]}{n}" for st, n in counts.items()), sections=[
                Section(key="chains", heading="本链及子链", items=[
                    Item(text=atlas.chains[c].name, link=f"chains/{c}" if links else None,
                         notes=[f"完整度 {by_chain[c].diag.completeness:.0%}"])
                    for c in family]),
                Section(key="page", heading="更多", items=[
                    Item(text="产业链页面", link=page_link("chain", root.id))])])
    return nodes, details, expand


def atlas_map(atlas: Atlas, *, links: bool = False, collapsed: bool = True) -> MapData:
    """The overview of every chain, shared segments highlighted. ``collapsed``: at first
    one node per top-level chain (aggregated, legible at the default zoom); a click shows
    that family's rows."""
    member: dict[str, list[str]] = defaultdict(list)
    for seg in sorted(atlas.segments.values(), key=lambda s: s.id):
        member[seg.id] = [c for c in seg.chains if c in atlas.chains]
    blocks = _blocks(atlas, member)
    nodes: list[Node] = []
    details: dict[str, Detail] = {}
    owner: dict[str, str] = {}
    for b, (bx, by) in zip(blocks, _family_pack(atlas, blocks) if collapsed else _pack(blocks),
                           strict=True):
        chain, by_id = atlas.chains[b.chain_id], b.diag.by_id()
        direct = [s for s in member if b.chain_id in member[s] and s in by_id]
        sts = [by_id[s].status for s in direct]
        nodes.append(Node(
            id=b.chain_id, label=chain.name, group="chain", x=bx, y=by, size=24,
            color=CHAIN_COLOR, border=CHAIN_COLOR, shape="box", font_size=16,
            title=f"{chain.name}（{chain.cluster}）\n完整度 {b.diag.completeness:.0%}\n"
                  f"环节{len(direct)}个：{_counts(sts)}", search=" ".join(chain.tags)))
        details[b.chain_id] = _chain_detail(atlas, b, direct, links)
        for s in b.own:
            owner[s] = b.chain_id
            x, y = b.pos[s]
            node, details[s] = _segment_node(atlas, by_id[s], member[s], bx - CHAIN_X + x,
                                             by + y, links)
            nodes.append(node)
    # the row shows a segment's own chain; only shared segments need membership edges
    edges = [Edge(source=c, target=s, kind="member", color=SHARED_BORDER, width=2)
             for s, cs in member.items() if s in owner and len(cs) > 1 for c in cs]
    edges += [Edge(source=str(c.parent), target=c.id, kind="parent", color=CHAIN_COLOR,
                   dashed=True, arrow=True)
              for c in sorted(atlas.chains.values(), key=lambda c: c.id)
              if c.parent in atlas.chains]
    seen = {(f.source, f.target) for f in atlas.feeds if f.source in owner and f.target in owner}
    edges += [Edge(source=a, target=b, kind="feeds", color="#607d8b", arrow=True)
              for a, b in sorted(seen)]
    clusters: dict[str, list[str]] = defaultdict(list)
    for cid in sorted(atlas.chains):
        clusters[atlas.chains[cid].cluster].append(cid)
    filters = [Filter(id=f"cluster:{name}", label=name, group="产业集群",
                      show=[*cs, *(s for s in owner if set(member[s]) & set(cs))])
               for name, cs in sorted(clusters.items())]
    n_shared = sum(1 for s in owner if len(member[s]) > 1)
    if collapsed:  # families overlap on the page (one is shown at a time): one by one
        top = _roots(atlas)
        fam_of = {n.id: top[owner.get(n.id, n.id)] for n in nodes}
        for r in sorted(set(fam_of.values())):
            declutter([n for n in nodes if fam_of[n.id] == r])
    else:
        declutter(nodes)
    expand: dict[str, list[str]] = {}
    if collapsed:
        agg_nodes, agg_details, expand = _aggregates(atlas, blocks, owner, links)
        nodes = [*agg_nodes, *nodes]
        details.update(agg_details)
        for f in filters:
            shown = set(f.show or [])
            f.show = [*(a for a, ids in expand.items() if shown & set(ids)), *(f.show or [])]
    focus = {b.chain_id: [b.chain_id, *b.own] for b in blocks} if collapsed else {}
    return MapData(collapsed=collapsed, expand=expand, focus=focus,
        kind="atlas", title="运城市产业链招商图谱总览",
        subtitle=f"产业链{len(atlas.chains)}条 · 环节{len(owner)}个（共享环节{n_shared}个）",
        nodes=nodes, edges=edges, details=details, filters=filters, filter_label="产业集群",
        legend=[*status_legend(), LegendItem(label="产业链", color=CHAIN_COLOR, shape="box"),
                LegendItem(label="共享环节（多条链共有）", color="#ffffff", border=SHARED_BORDER),
                LegendItem(label="上级链→子链", color=CHAIN_COLOR, shape="line", dashed=True),
                *(LegendItem(label=label, color=c, shape="box") for _, c, label in AGG_CLASSES
                  if collapsed)],
        links=links, note=("先显示各产业链大类（按完整度着色），点击展开其子链与环节，"
                           "“返回总览”收起；" if collapsed else "")
        + "每行一条产业链；橙色粗边框为多条产业链共享的环节。")


CHOROPLETH: tuple[tuple[float, str, str], ...] = (
    (0.6, "#81c784", "本链县域完整度 ≥60%"), (0.3, "#c5e1a5", "30%–60%"),
    (1e-9, "#fff59d", "低于30%"), (0.0, "#ffccbc", "0（本链在该县无企业）"))
"""Choropleth classes of a chain filter on the regional view: (lower bound, fill, label)."""


def choropleth_fill(completeness: float) -> str:
    """The fill of a county whose completeness in the selected chain is ``completeness``.

    >>> choropleth_fill(0.75), choropleth_fill(0.0)
    ('#81c784', '#ffccbc')
    """
    return next(fill for low, fill, _ in CHOROPLETH if completeness >= low)


def regions_map(atlas: Atlas, *, links: bool = False, chain: str | None = None) -> MapData:
    """The regional view: county outlines, parks, their local firms and chains; ``chain``
    selects that chain's filter (its choropleth) at first."""
    idx = analysis_index(atlas)
    counties = sorted(atlas.counties.values(), key=lambda c: c.id)
    lat0 = sum(c.lat for c in counties) / len(counties) if counties else 35.0
    lon0 = sum(c.lon for c in counties) / len(counties) if counties else 111.0
    pos = {c.id: project(c.lat, c.lon, lat0, lon0, 2600.0) for c in counties}
    firm_chains: dict[str, set[str]] = defaultdict(set)
    for cid in atlas.chains:
        for s in idx.chain_scope(cid).segments:
            for op in idx.ops_by_segment.get(s, ()):
                firm_chains[op.company].add(cid)
    firms = sorted((c for c in atlas.companies.values()
                    if c.role is not Role.target and c.county in atlas.counties),
                   key=lambda c: (c.role is not Role.anchor, c.id))
    nodes: list[Node] = []
    edges: list[Edge] = []
    details: dict[str, Detail] = {}
    by_place: dict[str, list[str]] = defaultdict(list)
    home = {c.id: c.park if c.park in atlas.parks and atlas.parks[c.park].county in pos
            else str(c.county) for c in firms}
    for c in firms:
        by_place[home[c.id]].append(c.id)
    parks_of: dict[str, list[str]] = defaultdict(list)
    for p in sorted(atlas.parks.values(), key=lambda p: p.id):
        if p.county in pos:
            parks_of[p.county].append(p.id)
    for cid, plist in parks_of.items():
        cx, cy = pos[cid]
        for i, pid in enumerate(plist):
            p = atlas.parks[pid]
            dx, dy = project(p.lat, p.lon, lat0, lon0, 2600.0)
            ang = math.atan2(dy - cy, dx - cx) if (dx, dy) != (cx, cy) else \
                2 * math.pi * i / len(plist)
            pos[pid] = (round(cx + 260 * math.cos(ang), 1), round(cy + 260 * math.sin(ang), 1))
    for pl, ids in by_place.items():
        if pl in pos:
            start = 80.0 if pl in atlas.counties else 40.0  # clear of the county's label box
            for f, (x, y) in zip(ids, spiral(*pos[pl], len(ids), start=start), strict=True):
                pos[f] = (x, y)

    def chain_items(ids: list[str]) -> list[Item]:
        count: dict[str, int] = defaultdict(int)
        for f in ids:
            for ch in firm_chains[f]:
                count[ch] += 1
        return [Item(text=f"{atlas.chains[ch].name}：{n}家",
                     link=f"chains/{ch}" if links else None)
                for ch, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))]

    for k in counties:
        ids = [f.id for f in firms if f.county == k.id]
        nodes.append(Node(id=k.id, label=k.name, group="county", x=pos[k.id][0],
                          y=pos[k.id][1], size=30, color=COUNTY_COLOR, border=COUNTY_COLOR,
                          shape="box", font_size=50,
                          title=f"{k.name}\n园区{len(parks_of[k.id])}个 · 本地企业{len(ids)}家"))
        details[k.id] = Detail(title=k.name, subtitle=f"本地企业{len(ids)}家", sections=[
            Section(key="industries", heading="主导产业",
                    items=[Item(text=t) for t in k.lead_industries]),
            Section(key="parks", heading="园区", items=[
                Item(text=atlas.parks[p].name, notes=[atlas.parks[p].level])
                for p in parks_of[k.id]]),
            Section(key="chains", heading="企业所在产业链", items=chain_items(ids)),
            Section(key="profile", heading="更多", items=[
                Item(text="县区详情页", link=page_link("county", k.id))])])
    for cid, plist in parks_of.items():
        for pid in plist:
            p = atlas.parks[pid]
            ids = by_place.get(pid, [])
            nodes.append(Node(id=pid, label=wrap_label(p.name, 7), group="park", x=pos[pid][0],
                              y=pos[pid][1], size=24, color=PARK_COLOR, border=PARK_COLOR,
                              shape="diamond", font_size=38,
                              title=f"{p.name}（{p.level}{p.kind}）\n"
                              f"{atlas.counties[cid].name} · 本地企业{len(ids)}家"))
            edges.append(Edge(source=cid, target=pid, kind="located", color="#9575cd", width=2))
            details[pid] = Detail(title=p.name, subtitle=f"{p.level}{p.kind} · "
                                  f"{atlas.counties[cid].name}", sections=[
                Section(key="industries", heading="主导产业",
                        items=[Item(text=t) for t in p.lead_industries]),
                Section(key="chains", heading="企业所在产业链", items=chain_items(ids)),
                Section(key="profile", heading="更多", items=[
                    Item(text="园区详情页", link=page_link("park", pid))])])
    declutter(nodes)  # counties and parks: their labels must not collide at any zoom
    for n in nodes:
        pos[n.id] = (n.x, n.y)
    for pl, ids in by_place.items():
        if pl in pos:
            start = 110.0 if pl in atlas.counties else 60.0
            for f, (x, y) in zip(ids, spiral(*pos[pl], len(ids), start=start), strict=True):
                pos[f] = (x, y)
    for c in firms:
        anchor = c.role is Role.anchor
        chains = sorted(firm_chains[c.id])
        nodes.append(Node(
            id=c.id, label=short_name(c), group="anchor" if anchor else "firm",
            x=pos[c.id][0], y=pos[c.id][1], size=12 if anchor else 6,
            color=ANCHOR_COLOR if anchor else FIRM_COLOR,
            border=ANCHOR_COLOR if anchor else "#37474f",
            shape="star" if anchor else "dot", font_size=14,
            title=f"{c.name}\n{role_zh(c)}\n{place(atlas, c)}\n产业链：" +
                  ("、".join(atlas.chains[ch].name for ch in chains) or "无"),
            search=" ".join([c.name, *c.aliases])))
        edges.append(Edge(source=home[c.id], target=c.id, kind="located", color="#e0e0e0"))
        details[c.id] = Detail(title=c.name, subtitle=f"{role_zh(c)} · {place(atlas, c)}",
                               sections=[Section(key="chains", heading="所在产业链", items=[
                                   Item(text=atlas.chains[ch].name,
                                        link=f"chains/{ch}" if links else None)
                                   for ch in chains]),
                                   Section(key="profile", heading="企业画像", items=[
                                       Item(text="打开企业画像",
                                            link=page_link("company", c.id))])])
    places = [*(c.id for c in counties), *(p for ps in parks_of.values() for p in ps)]
    filters = [Filter(id=c.id, label=c.name, group="区县",
                      show=[c.id, *parks_of[c.id], *(f.id for f in firms if f.county == c.id)],
                      headline=f"{c.name} · 园区{len(parks_of[c.id])}个 · 本地企业"
                               f"{sum(1 for f in firms if f.county == c.id)}家",
                      fills={c.id: "#b2ebf2"})
               for c in counties]
    filters += [_chain_filter(atlas, ch, places, [f.id for f in firms
                                                  if ch in firm_chains[f.id]], counties)
                for ch in sorted(atlas.chains)]
    if chain is not None and chain not in atlas.chains:
        raise NotFound(f"no chain {chain!r}", details=[{"field": "chain", "value": chain}])
    outlines = county_outlines(atlas, lambda la, lo: project(la, lo, lat0, lon0, 2600.0))
    shapes = [Shape(id=cid, name=atlas.counties[cid].name,
                    rings=[[(x, y) for x, y in r] for r in rings])
              for cid, rings in outlines.items()]
    return MapData(
        kind="regions", title="运城市产业区域分布图",
        subtitle=f"区县{len(counties)}个 · 园区{sum(map(len, parks_of.values()))}个 · "
                 f"本地企业{len(firms)}家",
        nodes=nodes, edges=edges, details=details, filters=filters,
        filter_label="区县/产业链", links=links, initial_filter=chain, shapes=shapes,
        shapes_source=SOURCE_NOTE if shapes else "",
        legend=[LegendItem(label="区县", color=COUNTY_COLOR, shape="box"),
                LegendItem(label="园区", color=PARK_COLOR, shape="diamond"),
                LegendItem(label="链主/龙头企业", color=ANCHOR_COLOR, shape="star"),
                LegendItem(label="本地企业", color=FIRM_COLOR),
                *(LegendItem(label=label, color=fill, border="#78909c", shape="area")
                  for _, fill, label in CHOROPLETH)],
        note="选择产业链后各县按该链本县完整度着色；园区环绕所在区县，企业环绕所在园区；放大可见"
             "企业名称。"
             + (f"{SOURCE_NOTE}。" if shapes else "未找到县区边界数据，仅按坐标摆放。"))


def _chain_filter(atlas: Atlas, chain_id: str, places: list[str], firm_ids: list[str],
                  counties: list[County]) -> Filter:
    """A chain's filter on the regional view: its firms, and each county filled by the
    chain's completeness there (:func:`choropleth_fill`)."""
    comp = {k.id: diagnose_chain(atlas, chain_id, county=k.id).completeness for k in counties}
    best = max(counties, key=lambda k: (comp[k.id], k.id), default=None)
    name = atlas.chains[chain_id].name
    lead = f"，最高 {best.name} {comp[best.id]:.0%}" if best is not None else ""
    return Filter(id=chain_id, label=name, group="产业链", show=[*places, *firm_ids],
                  fills={k: choropleth_fill(v) for k, v in comp.items()},
                  headline=f"{name}：本地企业{len(firm_ids)}家 · 各县完整度见着色{lead}",
                  note="县区颜色：" + "、".join(f"{atlas.counties[k].name}{v:.0%}"
                                            for k, v in sorted(comp.items(),
                                                               key=lambda kv: -kv[1]) if v))
