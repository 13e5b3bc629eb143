"""Chain map data: a chain's segments laid out upstream → downstream, coloured by status,
sized by local strength, with the local firms on their segments.

Rule: segments come from :func:`graph.analysis.gaps.diagnose_chain` (city-wide), columns from
the chain's feeds (:func:`visual.layout.layers`). A segment's size is ``18 + 30 x strength``;
missing and broken segments have dashed borders. Every local firm of the chain is a node placed
in a grid under its first segment (upstream first), linked to every segment it operates in;
anchors (链主/龙头) are stars. Clicking a segment shows its status reasons, local firms,
pipeline projects and top targets (:func:`graph.analysis.targets.rank_targets`, city-wide).
One filter per county and park with firms in the chain re-diagnoses the chain there: it
recolours the segments and shows only that region's firms.

Example: ``chain_map(atlas, "ch.t.nylon")`` has one node per segment plus one per local firm.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from urllib.parse import quote

from graph.analysis.confidence import CONFIDENCE_ZH
from graph.analysis.gaps import ChainDiagnosis, SegmentStatus, diagnose_chain
from graph.analysis.index import analysis_index
from graph.analysis.targets import rank_targets
from graph.model import Atlas, Company, Operates, Role
from visual.layout import Box, layered_positions, node_box, spread, wrap_label
from visual.model import (
    ANCHOR_COLOR,
    FIRM_COLOR,
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
    NodeStyle,
    Section,
    chain_views,
    status_legend,
)

FIRM_COLS = 3
FIRM_DX, FIRM_DY = 90.0, 46.0
SEGMENT_BLOCK = 90.0


def short_name(c: Company) -> str:
    """A company's short display label: its first alias when it is shorter, else its name."""
    alias = next((a for a in c.aliases if a.strip()), "")
    return alias if alias and len(alias) < len(c.name) else c.name


def place(atlas: Atlas, c: Company) -> str:
    """``河津市 · 河津经济技术开发区`` for a local firm, ``山东省德州市`` for an outside one."""
    if c.role is Role.target:
        return home_place(c.province, c.city)
    parts = [atlas.counties[c.county].name if c.county in atlas.counties else c.county or "",
             atlas.parks[c.park].name if c.park in atlas.parks else c.park or ""]
    return " · ".join(p for p in parts if p)


FLAG_ZH = {"in_contact": "已在对接", "signed_other_segment": "已在其他环节签约",
           "terminated_before": "曾有项目终止"}
ROLE_ZH = {Role.anchor: "链主/龙头企业", Role.local: "本地企业", Role.target: "外地目标企业"}


def role_zh(c: Company) -> str:
    return ROLE_ZH[c.role]


def label_boxes(nodes: list[Node]) -> dict[str, Box]:
    """The page box of every node with its label (see :func:`visual.layout.node_box`)."""
    return {n.id: node_box(n.x, n.y, n.size * (1.3 if n.shape == "star" else 1.0), n.label,
                           n.font_size, n.shape == "box") for n in nodes}


def declutter(nodes: list[Node]) -> None:
    """Move nodes down until no node or label overlaps another (:func:`visual.layout.spread`)."""
    moved = spread(label_boxes(nodes))
    for n in nodes:
        if n.id in moved:
            n.y = round(n.y + moved[n.id], 1)


def page_link(kind: str, entity_id: str) -> str:
    """The same-origin page of an entity (``/company/600426.SH``)."""
    return f"/{kind}/{quote(entity_id, safe='')}"


def headline(region: str, diag: ChainDiagnosis) -> str:
    """``闻喜县完整度 10% · 强3 弱1 缺失20 断链2 · 环节26个``: the map's headline for a region."""
    counts = " ".join(f"{STATUS_ZH[st]}{sum(1 for s in diag.segments if s.status == st)}"
                      for st in STATUS_COLOR)
    return f"{region}完整度 {diag.completeness:.0%} · {counts} · 环节{len(diag.segments)}个"


def home_place(province: str | None, city: str | None) -> str:
    """``山东省德州市``; a municipality is written once (``北京市``, not ``北京市北京市``).

    >>> home_place("北京市", "北京市"), home_place("山东省", "德州市"), home_place(None, None)
    ('北京市', '山东省德州市', '外地')
    """
    p, c = province or "", city or ""
    return (p + ("" if c == p else c)) or "外地"


def segment_size(strength: float) -> float:
    return round(18 + 30 * strength, 1)


def segment_tooltip(s: SegmentStatus, region: str = "全市") -> str:
    firms = len(set(s.local_firms) | set(s.anchors))
    verdicts = "、".join(v.verdict for v in s.assessments)
    return (f"{s.name}（{STAGE_ZH[s.stage]}）\n{region}状态：{STATUS_ZH[s.status]}"
            f"（置信度{CONFIDENCE_ZH[s.confidence]}）\n"
            f"本地企业：{firms}家（链主/龙头{len(s.anchors)}家）\n本地集聚度：{s.strength:.2f}\n"
            + (f"文件判断：{verdicts}{'（与计算结果冲突）' if s.conflicts else ''}\n"
               if verdicts else "") + "点击查看详情")


def firm_items(atlas: Atlas, ids: list[str]) -> list[Item]:
    out = []
    for i in ids:
        c = atlas.companies.get(i)
        if c is not None:
            out.append(Item(text=c.name, notes=[f"{role_zh(c)} · {place(atlas, c)}"],
                            link=page_link("company", c.id)))
    return out


def _segment_sections(atlas: Atlas, s: SegmentStatus, region: str) -> list[Section]:
    firms = sorted(set(s.local_firms) | set(s.anchors),
                   key=lambda f: (f not in s.anchors, f))
    return [
        Section(key="status", heading=f"{region}状态：{STATUS_ZH[s.status]}（原因）",
                items=[Item(text=r.message) for r in s.reasons]),
        Section(key="confidence", heading=f"置信度：{CONFIDENCE_ZH[s.confidence]}",
                items=[Item(text=r.message) for r in s.confidence_basis]),
        Section(key="assessments", heading="文件判断（城市自身评估）", empty="文件未作判断",
                items=[Item(text=f"「{v.verdict}」{'一致' if v.agrees else '与计算结果冲突'}",
                            notes=[v.src.quote or v.src.public or ""]) for v in s.assessments]),
        Section(key="firms", heading=f"本地企业（{region}，{len(firms)}家）",
                items=firm_items(atlas, firms)),
    ]


def _targets_section(atlas: Atlas, chain_id: str, s: SegmentStatus, top: int) -> Section:
    recs = rank_targets(atlas, chain_id, s.segment_id, top=top)
    items = [Item(text=f"{n}. {r.name}（{home_place(r.province, r.city)}）评分 {r.score:.2f}",
                  notes=[*(FLAG_ZH.get(f, f) for f in r.flags), *r.reasons],
                  link=page_link("company", r.company_id))
             for n, r in enumerate(recs, 1)]
    return Section(key="targets", heading=f"推荐招商目标（前{top}名，全市口径）", items=items,
                   empty="暂无候选目标企业")


def _segment_detail(atlas: Atlas, chain_id: str, s: SegmentStatus, top: int) -> Detail:
    projects = [Item(text=atlas.projects[p].name,
                     notes=[f"{atlas.projects[p].stage.value} · {atlas.projects[p].investor}"],
                     link=page_link("project", p))
                for p in s.pipeline_projects if p in atlas.projects]
    doors = [Item(text=atlas.institutes[r.institute].name, notes=["院所" + (f" · {r.note}"
                                                                          if r.note else "")],
                  link=page_link("institute", r.institute))
             for r in atlas.supports
             if r.segment == s.segment_id and r.institute in atlas.institutes]
    doors += [Item(text=atlas.associations[r.association].name, notes=["商协会"],
                   link=page_link("association", r.association))
              for r in atlas.covers
              if r.segment == s.segment_id and r.association in atlas.associations]
    return Detail(
        title=s.name,
        subtitle=f"{STAGE_ZH[s.stage]} · 权重 {s.weight:g} · 本地集聚度 {s.strength:.2f}",
        sections=[*_segment_sections(atlas, s, "全市"),
                  Section(key="projects", heading="在谈/在建项目（不计入本地）", items=projects),
                  _targets_section(atlas, chain_id, s, top),
                  Section(key="doors", heading="可借力的院所与商协会", items=doors),
                  chain_views(chain_id, "chain"),
                  Section(key="profile", heading="更多", items=[
                      Item(text="环节详情页", link=page_link("segment", s.segment_id)),
                      Item(text="本环节招商简报",
                           link=f"/brief/segment/{chain_id}/{s.segment_id}")])])


def _firm_detail(atlas: Atlas, c: Company, segs: list[SegmentStatus]) -> Detail:
    return Detail(title=c.name, subtitle=f"{role_zh(c)} · {place(atlas, c)}", sections=[
        Section(key="segments", heading="本链所在环节",
                items=[Item(text=s.name, notes=[f"状态：{STATUS_ZH[s.status]}"],
                            link=page_link("segment", s.segment_id)) for s in segs]),
        Section(key="profile", heading="企业画像",
                items=[Item(text="打开企业画像", link=page_link("company", c.id))]),
        Section(key="tags", heading="标签", items=[Item(text=t) for t in c.tags]),
        Section(key="about", heading="简介",
                items=[Item(text=c.description)] if c.description else []),
    ])


def _firms_by_segment(diag: ChainDiagnosis) -> dict[str, list[SegmentStatus]]:
    out: dict[str, list[SegmentStatus]] = {}
    for s in diag.segments:
        for f in sorted(set(s.local_firms) | set(s.anchors)):
            out.setdefault(f, []).append(s)
    return out


def _home(ops: Iterable[Operates], segs: list[SegmentStatus]) -> str:
    """The segment a firm is drawn under: where its operates weight is highest (ties: the
    first in stage order)."""
    weight = {op.segment: op.weight for op in ops}
    return max(segs, key=lambda s: (weight.get(s.segment_id, 0.0), -segs.index(s))).segment_id


def _region_filter(atlas: Atlas, chain_id: str, region_id: str, kind: str,
                   seg_ids: list[str], keep: bool) -> Filter | None:
    county, park = (region_id, None) if kind == "county" else (None, region_id)
    diag = diagnose_chain(atlas, chain_id, county=county, park=park)
    firms = sorted({f for s in diag.segments for f in (*s.local_firms, *s.anchors)})
    if not firms and not keep:
        return None
    name = (atlas.counties[region_id] if kind == "county" else atlas.parks[region_id]).name
    return Filter(
        id=region_id, label=name, group="区县" if kind == "county" else "园区",
        show=[*seg_ids, *firms],
        restyle={s.segment_id: NodeStyle(
            color=STATUS_COLOR[s.status], border=STATUS_COLOR[s.status],
            size=segment_size(s.strength), dashed=s.status in ("missing", "broken"),
            title=segment_tooltip(s, name)) for s in diag.segments},
        sections={s.segment_id: _segment_sections(atlas, s, name) for s in diag.segments},
        note=f"{name}：完整度 {diag.completeness:.0%}（环节状态按该区域重新诊断）",
        headline=headline(name, diag))


def region_filters(atlas: Atlas, chain_id: str, seg_ids: list[str], keep: str | None = None
                   ) -> list[Filter]:
    """One filter per county and park that has local firms in the chain (and ``keep``)."""
    out = [_region_filter(atlas, chain_id, c, "county", seg_ids, c == keep)
           for c in sorted(atlas.counties)]
    out += [_region_filter(atlas, chain_id, p, "park", seg_ids, p == keep)
            for p in sorted(atlas.parks)]
    return [f for f in out if f is not None]


def chain_map(atlas: Atlas, chain_id: str, *, county: str | None = None,
              park: str | None = None, top: int = 5, links: bool = False) -> MapData:
    """The chain map of ``chain_id``; ``county``/``park`` (ids) select the initial filter.

    NotFound for an unknown chain, county or park (from ``diagnose_chain``).
    """
    diag = diagnose_chain(atlas, chain_id)
    if county or park:
        diagnose_chain(atlas, chain_id, county=county, park=park)  # validates the region
    idx = analysis_index(atlas)
    scope = idx.chain_scope(chain_id)
    by_firm = _firms_by_segment(diag)
    home = {f: _home(idx.ops_by_company.get(f, ()), segs) for f, segs in by_firm.items()}
    seg_ids = [s.segment_id for s in diag.segments]
    n_home = {sid: sum(1 for h in home.values() if h == sid) for sid in seg_ids}
    heights = {sid: SEGMENT_BLOCK + math.ceil(n / FIRM_COLS) * FIRM_DY
               for sid, n in n_home.items()}
    pos = layered_positions(seg_ids, scope.preds, {s.segment_id: s.stage for s in diag.segments},
                            heights=heights)
    nodes: list[Node] = []
    details: dict[str, Detail] = {}
    for s in diag.segments:
        x, y = pos[s.segment_id]
        color = STATUS_COLOR[s.status]
        nodes.append(Node(id=s.segment_id, label=wrap_label(s.name, 8), group="segment", x=x, y=y,
                          size=segment_size(s.strength), color=color, border=color,
                          border_width=3, dashed=s.status in ("missing", "broken"),
                          font_size=18, title=segment_tooltip(s),
                          search=" ".join(atlas.segments[s.segment_id].key_products)))
        details[s.segment_id] = _segment_detail(atlas, chain_id, s, top)
    slot: dict[str, int] = {}
    for f, segs in by_firm.items():
        c = atlas.companies[f]
        sx, sy = pos[home[f]]
        i = slot[home[f]] = slot.get(home[f], -1) + 1
        x = sx + (i % FIRM_COLS - (FIRM_COLS - 1) / 2) * FIRM_DX
        y = sy + SEGMENT_BLOCK * 0.75 + (i // FIRM_COLS) * FIRM_DY
        anchor = c.role is Role.anchor or any(f in s.anchors for s in segs)
        nodes.append(Node(
            id=f, label=wrap_label(short_name(c), 6), group="anchor" if anchor else "firm",
            x=x, y=y, size=14 if anchor else 8, color=ANCHOR_COLOR if anchor else FIRM_COLOR,
            border=ANCHOR_COLOR if anchor else "#37474f", shape="star" if anchor else "dot",
            font_size=13,
            title=f"{c.name}\n{role_zh(c)}\n{place(atlas, c)}\n环节：" +
                  "、".join(s.name for s in segs),
            search=" ".join([c.name, *c.aliases])))
        details[f] = _firm_detail(atlas, c, segs)
    declutter(nodes)
    edges = [Edge(source=src, target=dst, kind="feeds", color="#607d8b", width=2, arrow=True)
             for dst in seg_ids for src in scope.preds[dst]]
    edges += [Edge(source=f, target=s.segment_id, kind="operates", color="#b0bec5", dashed=True)
              for f, segs in by_firm.items() for s in segs]
    legend = [*status_legend(),
              LegendItem(label="链主/龙头企业", color=ANCHOR_COLOR, shape="star"),
              LegendItem(label="本地企业", color=FIRM_COLOR),
              LegendItem(label="供给关系（上游→下游）", color="#607d8b", shape="line")]
    return MapData(
        kind="chain", title=f"{diag.chain_name} 产业链图谱",
        subtitle=headline("全市", diag) + f" · 本地企业{len(by_firm)}家",
        nodes=nodes, edges=edges, details=details,
        filters=region_filters(atlas, chain_id, seg_ids, park or county), filter_label="区县/园区",
        initial_filter=park or county, legend=legend, links=links,
        note="点击环节查看本地企业、状态原因与推荐招商目标；节点大小表示本地集聚度。")
