"""What the officer-facing pages show: the home page, entity profiles, chain pages, target
lists and briefings, as plain view models built from an atlas (no HTML here).

Rule: every view is a pure function of the atlas (and ``today`` for pipeline figures);
:mod:`visual.pages` renders it with escaping Jinja2 templates. Each line that names an
entity carries the entity's page path (:func:`entity_path`), so every item links onward.
Status reasons are shown by their Chinese message only; reason codes stay in the API.
Fields other developers add to the diagnosis (``confidence``, ``assessments``) are read
with ``getattr`` so the pages work with and without them.

Example: ``home_view(atlas, today=dt.date(2026, 11, 1)).chains[0].completeness`` is a share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from graph.analysis.gaps import ChainDiagnosis, GapItem, SegmentStatus, city_gaps, diagnose_chain
from graph.analysis.targets import Recommendation, rank_targets
from graph.coverage import chain_family
from graph.errors import NotFound
from graph.model import (
    Association,
    Atlas,
    Chain,
    Company,
    County,
    Entity,
    Institute,
    Park,
    Project,
    Role,
    Segment,
    Source,
)
from graph.pipeline.conflicts import Clash, find_conflicts
from graph.pipeline.metrics import RATES, Metrics, Slice, pipeline_metrics
from visual.build import FLAG_ZH, home_place
from visual.model import STAGE_ZH, STATUS_COLOR, STATUS_ZH

KIND_ZH: dict[str, str] = {
    "chain": "产业链", "segment": "环节", "company": "企业", "institute": "科研院所/高校",
    "association": "商协会", "county": "县（市、区）", "park": "园区", "project": "项目",
    "product": "产品", "campaign": "招商行动",
}
ROLE_ZH: dict[Role, str] = {Role.anchor: "链主/龙头企业", Role.local: "本地企业",
                            Role.target: "外地目标企业"}
GRADE_ZH = {"strong": "强", "medium": "中", "weak": "弱"}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}
COMPONENT_ZH = {"evidence": "经营证据", "scale": "企业规模", "linkage": "本地配套",
                "region": "重点区域", "connectors": "对接渠道", "pipeline": "在谈项目",
                "chain_fit": "补链契合"}
CLASH_ZH = {"same_target": "同一目标企业", "same_segment": "同一环节"}


def entity_path(kind: str, entity_id: str) -> str:
    """The page of an entity: ``/company/600426.SH`` (id percent-encoded)."""
    return f"/{kind}/{quote(entity_id, safe='')}"


@dataclass
class Line:
    """One listed thing: text, its page, detail lines and an optional status badge."""

    text: str
    link: str | None = None
    notes: list[str] = field(default_factory=list)
    badge: str | None = None
    badge_cls: str = ""


@dataclass
class Cell:
    text: str
    link: str | None = None
    cls: str = ""
    sort: str | float | None = None


@dataclass
class Block:
    """A headed section of a page: a list (``lines``), a table (``headers``/``rows``) or both
    empty (``empty`` is shown)."""

    heading: str
    key: str = ""
    lines: list[Line] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = "无"
    note: str = ""


@dataclass
class Fact:
    label: str
    cells: list[Cell]


@dataclass
class Profile:
    """An entity's page."""

    kind: str
    id: str
    title: str
    kind_label: str
    subtitle: str = ""
    facts: list[Fact] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    actions: list[Line] = field(default_factory=list)


# --- small helpers -------------------------------------------------------------------


def name_of(atlas: Atlas, entity_id: str | None) -> str:
    if not entity_id:
        return ""
    e = atlas.find(entity_id)
    return e.name if e is not None else entity_id


def link_of(atlas: Atlas, entity_id: str | None) -> str | None:
    if not entity_id:
        return None
    e = atlas.find(entity_id)
    return entity_path(e.KIND, e.id) if e is not None else None


def ref(atlas: Atlas, entity_id: str | None) -> Cell:
    """A cell naming an entity and linking to its page."""
    return Cell(name_of(atlas, entity_id), link_of(atlas, entity_id))


def confidence_text(value: Any) -> str | None:
    """A diagnosis confidence (a share, a level word or a model with ``level``/``score``)
    as Chinese text; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{float(value):.0%}"
    if isinstance(value, str):
        return CONFIDENCE_ZH.get(value, value)
    for attr in ("level", "label", "score", "value"):
        inner = getattr(value, attr, None)
        if inner is not None:
            return confidence_text(inner)
    return None


def source_line(atlas: Atlas, src: Source | None, what: str = "") -> Line | None:
    """A source as a line: document and quote, dataset record, or public knowledge."""
    if src is None:
        return None
    grade = GRADE_ZH.get(src.grade.value if src.grade else "", "")
    when = f" · {src.as_of.isoformat()}" if src.as_of else ""
    head = f"{what}：" if what else ""
    if src.doc:
        return Line(f"{head}文件 {src.doc}", notes=[f"「{src.quote}」",
                                                   f"证据等级：{grade}{when}"])
    if src.dataset:
        return Line(f"{head}数据集 {src.dataset}（记录 {src.key}）",
                    notes=[f"证据等级：{grade}{when}"])
    return Line(f"{head}公开信息：{src.public}", notes=[f"证据等级：{grade}{when}"])


def _sources(atlas: Atlas, pairs: Iterable[tuple[str, Source | None]], limit: int = 40
             ) -> Block:
    seen: set[str] = set()
    lines: list[Line] = []
    for what, src in pairs:
        line = source_line(atlas, src, what)
        if line is None:
            continue
        key = line.text + "|".join(line.notes)
        if key in seen:
            continue
        seen.add(key)
        lines.append(line)
    more = f"另有 {len(lines) - limit} 条来源未列出" if len(lines) > limit else ""
    return Block(heading="来源", key="sources", lines=lines[:limit], note=more)


def status_badge(status: str) -> tuple[str, str]:
    return STATUS_ZH[status], f"st-{status}"


def _project_lines(atlas: Atlas, projects: Iterable[Project]) -> list[Line]:
    out = []
    for p in projects:
        notes = [f"投资方：{p.investor}",
                 *(f"{h.at.isoformat()} {h.from_stage.value if h.from_stage else '—'} → "
                   f"{h.to_stage.value}（{h.by}{'：' + h.reason if h.reason else ''}）"
                   for h in p.history)]
        where = "、".join(x for x in (name_of(atlas, p.county), name_of(atlas, p.park)) if x)
        amount = f" · {p.amount:g} 亿元" if p.amount is not None else ""
        out.append(Line(f"{p.name}", entity_path("project", p.id),
                        notes=[f"{p.stage.value}{amount}" + (f" · {where}" if where else ""),
                               *notes], badge=p.stage.value, badge_cls="stage"))
    return out


# --- chains --------------------------------------------------------------------------


@dataclass
class ChainRow:
    id: str
    name: str
    cluster: str
    parent: str | None
    parent_name: str
    completeness: float
    counts: dict[str, int]
    segments: int
    confidence: str | None = None


def chain_rows(atlas: Atlas, county: str | None = None) -> list[ChainRow]:
    """Every chain with its completeness and the number of segments of each status
    (city-wide, or in ``county``), in cluster then id order."""
    out = []
    for cid in sorted(atlas.chains, key=lambda c: (atlas.chains[c].cluster, c)):
        ch = atlas.chains[cid]
        diag = diagnose_chain(atlas, cid, county=county)
        counts = {s: sum(1 for x in diag.segments if x.status == s) for s in STATUS_COLOR}
        out.append(ChainRow(id=cid, name=ch.name, cluster=ch.cluster, parent=ch.parent,
                            parent_name=name_of(atlas, ch.parent), completeness=diag.completeness,
                            counts=counts, segments=len(diag.segments),
                            confidence=confidence_text(getattr(diag, "confidence", None))))
    return out


# --- home ----------------------------------------------------------------------------


@dataclass
class GapView:
    gap: GapItem
    chain_name: str
    confidence: str | None
    reasons: list[str]
    targets: list[Recommendation]


@dataclass
class RateView:
    label: str
    computed: str
    detail: str
    reported: str | None


@dataclass
class HomeView:
    title: str
    counts: dict[str, int]
    chains: list[ChainRow]
    gaps: list[GapView]
    total_gaps: int
    metrics: Metrics
    rates: list[RateView]
    stage_rows: list[tuple[str, int, float]]
    warnings: list[Line]
    conflicts: list[Line]
    total_conflicts: int
    city: str


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def _reported(metrics: Metrics, key: str) -> str | None:
    """A reported figure beside the computed one, when the pipeline provides it
    (``Metrics.reported`` or ``Rate.reported``; read defensively)."""
    rate = metrics.rates.get(key)
    value = getattr(rate, "reported", None)
    if value is None:
        rep = getattr(metrics, "reported", None)
        if isinstance(rep, dict):
            value = rep.get(key)
        elif rep is not None:
            value = getattr(rep, key, None)
    if value is None:
        return None
    if isinstance(value, int | float):
        return _pct(float(value))
    return confidence_text(value) or str(value)


def gap_views(atlas: Atlas, gaps: list[GapItem], n_targets: int = 3) -> list[GapView]:
    out = []
    for g in gaps:
        recs = rank_targets(atlas, g.chain_id, g.segment_id, top=n_targets)
        out.append(GapView(gap=g, chain_name=name_of(atlas, g.chain_id),
                           confidence=confidence_text(getattr(g, "confidence", None)),
                           reasons=[r.message for r in g.reasons], targets=recs))
    return out


def clash_lines(atlas: Atlas, clashes: list[Clash]) -> list[Line]:
    out = []
    for c in clashes:
        kind = "company" if c.kind == "same_target" else "segment"
        out.append(Line(f"{CLASH_ZH.get(c.kind, c.kind)}：{c.subject_name}",
                        entity_path(kind, c.subject_id),
                        notes=[c.message,
                               "涉及：" + "、".join(name_of(atlas, p) for p in c.places)],
                        badge="错位招商", badge_cls="warn"))
    return out


def home_view(atlas: Atlas, *, today: dt.date, top_gaps: int = 10) -> HomeView:
    """The home page: chains, top city-wide gaps with their best targets, pipeline figures,
    warnings and 错位招商 conflicts."""
    gaps = city_gaps(atlas)
    metrics = pipeline_metrics(atlas, Slice(), today=today)
    rates = [RateView(label=label, computed=_pct(metrics.rates[k].by_count),
                      detail=f"{metrics.rates[k].numerator}/{metrics.rates[k].denominator} 个项目",
                      reported=_reported(metrics, k)) for k, (_, _, label) in RATES.items()]
    warnings = [Line(w.name, entity_path("project", w.project_id),
                     notes=[f"{w.stage.value} 已 {w.days} 天" +
                            (f" · {name_of(atlas, w.county)}" if w.county else "") +
                            (f" · {w.team}" if w.team else "")],
                     badge=w.light, badge_cls="red" if w.light == "红灯" else "yellow")
                for w in metrics.warnings[:10]]
    counties = sorted({c.name for c in atlas.counties.values()})
    clashes = find_conflicts(atlas)
    return HomeView(
        title="产业链招商图谱", counts={k: len(atlas.entities(k)) for k in KIND_ZH},
        chains=chain_rows(atlas), gaps=gap_views(atlas, gaps[:top_gaps]),
        total_gaps=len(gaps), metrics=metrics, rates=rates,
        stage_rows=[(s.stage.value, s.count, s.amount) for s in metrics.stages],
        warnings=warnings, conflicts=clash_lines(atlas, clashes[:10]), total_conflicts=len(clashes),
        city=f"{len(counties)} 个县（市、区）")


# --- profiles ------------------------------------------------------------------------


def _targets_for(atlas: Atlas, company: Company) -> list[Line]:
    """Where an outside firm is a recommended target: every gap segment (non-strong, in
    the first chain where it is a gap) it could fill, with its rank, score and reasons."""
    out = []
    segs = sorted({op.segment for op in atlas.operates if op.company == company.id})
    for sid in segs:
        seg = atlas.segments.get(sid)
        if seg is None:
            continue
        for cid in seg.chains:
            if cid not in atlas.chains:
                continue
            st = diagnose_chain(atlas, cid).by_id().get(sid)
            if st is None or st.status == "strong":
                continue
            recs = rank_targets(atlas, cid, sid, top=50)
            hit = next(((i, r) for i, r in enumerate(recs, 1) if r.company_id == company.id),
                       None)
            if hit is None:
                continue
            i, r = hit
            out.append(Line(f"{seg.name}（{atlas.chains[cid].name}）· 第 {i} 名 · "
                            f"评分 {r.score:.2f}",
                            entity_path("segment", sid),
                            notes=[*(FLAG_ZH.get(f, f) for f in r.flags), *r.reasons[:6]],
                            badge=STATUS_ZH[st.status], badge_cls=f"st-{st.status}"))
            break
    return out


def company_profile(atlas: Atlas, c: Company) -> Profile:
    ops = [r for r in atlas.operates if r.company == c.id]
    sup = [r for r in atlas.supplies if c.id in (r.supplier, r.customer)]
    mem = [r for r in atlas.member_of if r.company == c.id]
    coop = [r for r in atlas.cooperates if r.company == c.id]
    projects = sorted((p for p in atlas.projects.values() if p.investor_id == c.id),
                      key=lambda p: p.id)
    facts = [Fact("类型", [Cell(ROLE_ZH[c.role])])]
    if c.role is Role.target:
        facts.append(Fact("所在地", [Cell(home_place(c.province, c.city))]))
    else:
        facts.append(Fact("所在地", [ref(atlas, c.county),
                                     *([ref(atlas, c.park)] if c.park else [])]))
    if c.aliases:
        facts.append(Fact("简称/别名", [Cell("、".join(c.aliases))]))
    if c.tags:
        facts.append(Fact("标签", [Cell(t, cls="tag") for t in c.tags]))
    for label, code in (("股票代码", c.stock_code), ("统一社会信用代码", c.credit_code)):
        if code:
            facts.append(Fact(label, [Cell(code)]))
    blocks = [
        Block("简介", key="about", lines=[Line(c.description)] if c.description else [],
              empty="暂无简介"),
        Block("经营环节与产品", key="segments", lines=[
            Line(name_of(atlas, r.segment), link_of(atlas, r.segment), notes=[
                *([f"产品：{'、'.join(r.products)}"] if r.products else []),
                f"业务占比 {r.weight:.0%}", *([r.evidence] if r.evidence else [])])
            for r in ops]),
        Block("经营数据", key="figures", headers=["指标", "数值", "年份"], rows=[
            [Cell(f.name), Cell(f"{f.value:g} {f.unit}"), Cell(str(f.year or "—"))]
            for f in c.figures], empty="暂无经营数据"),
        Block("对接渠道（乡情、校友、商协会、院所）", key="connectors", lines=[
            *(Line(f"{t.kind}：{t.note}", link_of(atlas, t.county)) for t in c.ties),
            *(Line(f"会员：{name_of(atlas, r.association)}", link_of(atlas, r.association))
              for r in mem),
            *(Line(f"合作院所：{name_of(atlas, r.institute)}", link_of(atlas, r.institute),
                   notes=[r.note] if r.note else []) for r in coop)], empty="暂无已知渠道"),
        Block("供需关系", key="supplies", lines=[
            Line(f"供货给 {name_of(atlas, r.customer)}" if r.supplier == c.id
                 else f"采购自 {name_of(atlas, r.supplier)}",
                 link_of(atlas, r.customer if r.supplier == c.id else r.supplier),
                 notes=[f"产品：{r.product}"] if r.product else []) for r in sup]),
        Block("项目及进展", key="projects", lines=_project_lines(atlas, projects),
              empty="暂无项目"),
    ]
    if c.role is Role.target:
        blocks.append(Block("作为招商目标（环节、排名与理由）", key="targets",
                            lines=_targets_for(atlas, c), empty="当前不在任何缺口环节的推荐名单中"))
    blocks.append(_sources(atlas, [("企业", c.src), *((f"经营 {name_of(atlas, r.segment)}",
                                                       r.src) for r in ops),
                                   *(("经营数据", f.src) for f in c.figures),
                                   *(("渠道", t.src) for t in c.ties),
                                   *(("会员", r.src) for r in mem),
                                   *(("合作", r.src) for r in coop),
                                   *(("供需", r.src) for r in sup)]))
    sub = ROLE_ZH[c.role] + " · " + (home_place(c.province, c.city) if c.role is Role.target
                                      else name_of(atlas, c.county))
    return Profile("company", c.id, c.name, "企业画像", sub, facts, blocks)


def _segment_status_lines(atlas: Atlas, seg: Segment
                          ) -> tuple[list[Line], list[tuple[str, SegmentStatus]]]:
    lines: list[Line] = []
    statuses: list[tuple[str, SegmentStatus]] = []
    for cid in seg.chains:
        if cid not in atlas.chains:
            continue
        st = diagnose_chain(atlas, cid).by_id().get(seg.id)
        if st is None:
            continue
        statuses.append((cid, st))
        conf = confidence_text(getattr(st, "confidence", None))
        badge, cls = status_badge(st.status)
        lines.append(Line(f"{atlas.chains[cid].name}", entity_path("chain", cid),
                          notes=[*(r.message for r in st.reasons),
                                 *([f"可信度：{conf}"] if conf else [])],
                          badge=badge, badge_cls=cls))
    return lines, statuses


def segment_profile(atlas: Atlas, seg: Segment) -> Profile:
    status_lines, statuses = _segment_status_lines(atlas, seg)
    up = [f.source for f in atlas.feeds if f.target == seg.id]
    down = [f.target for f in atlas.feeds if f.source == seg.id]
    ops = [r for r in atlas.operates if r.segment == seg.id]
    local = [r for r in ops if (c := atlas.companies.get(r.company)) and c.role is not Role.target]
    outside = [r for r in ops if (c := atlas.companies.get(r.company)) and c.role is Role.target]
    supports = [r for r in atlas.supports if r.segment == seg.id]
    covers = [r for r in atlas.covers if r.segment == seg.id]
    projects = sorted((p for p in atlas.projects.values() if seg.id in p.segments),
                      key=lambda p: p.id)
    gap = next(((cid, st) for cid, st in statuses if st.status != "strong"), None)
    targets: list[Line] = []
    if gap is not None:
        targets = target_lines(atlas, rank_targets(atlas, gap[0], seg.id, top=10))
    facts = [Fact("环节位置", [Cell(STAGE_ZH[seg.stage])]),
             Fact("所属产业链", [ref(atlas, c) for c in seg.chains]),
             Fact("关键产品", [Cell(p, cls="tag") for p in seg.key_products] or [Cell("—")]),
             Fact("上游环节", [ref(atlas, s) for s in sorted(set(up))] or [Cell("—")]),
             Fact("下游环节", [ref(atlas, s) for s in sorted(set(down))] or [Cell("—")])]

    def firm_line(r: Any) -> Line:
        c = atlas.companies[r.company]
        where = (home_place(c.province, c.city) if c.role is Role.target
                 else name_of(atlas, c.county))
        return Line(c.name, entity_path("company", c.id),
                    notes=[f"{ROLE_ZH[c.role]} · {where}",
                           *([f"产品：{'、'.join(r.products)}"] if r.products else [])])

    blocks = [
        Block("简介", key="about", lines=[Line(seg.description)] if seg.description else [],
              empty="暂无简介"),
        Block("各产业链中的状态（原因）", key="status", lines=status_lines),
        Block(f"本地企业（{len(local)}家）", key="local", lines=[firm_line(r) for r in local]),
        Block("推荐招商目标" + (f"（{name_of(atlas, gap[0])}）" if gap else ""), key="targets",
              lines=targets, empty="本环节为强环节或暂无候选目标"),
        Block(f"外地同业企业（{len(outside)}家）", key="outside",
              lines=[firm_line(r) for r in outside[:30]]),
        Block("支撑院所与商协会（可借力对接）", key="connectors", lines=[
            *(Line(name_of(atlas, r.institute), link_of(atlas, r.institute),
                   notes=[r.note] if r.note else [], badge="院所", badge_cls="kind")
              for r in supports),
            *(Line(name_of(atlas, r.association), link_of(atlas, r.association),
                   badge="商协会", badge_cls="kind") for r in covers)]),
        Block("相关项目及进展", key="projects", lines=_project_lines(atlas, projects)),
        _sources(atlas, [("环节", seg.src), *((f"经营 {name_of(atlas, r.company)}", r.src)
                                              for r in ops[:20]),
                         *(("院所支撑", r.src) for r in supports),
                         *(("商协会覆盖", r.src) for r in covers)]),
    ]
    actions = [Line("环节简报（可打印）", f"/brief/segment/{quote(gap[0], safe='')}/"
                    f"{quote(seg.id, safe='')}")] if gap else []
    actions += [Line(f"{name_of(atlas, c)} 图谱", f"/maps/chains/{quote(c, safe='')}")
                for c in seg.chains if c in atlas.chains]
    return Profile("segment", seg.id, seg.name, "环节", f"{STAGE_ZH[seg.stage]}环节", facts,
                   blocks, actions)


def target_lines(atlas: Atlas, recs: list[Recommendation]) -> list[Line]:
    out = []
    for i, r in enumerate(recs, 1):
        top = sorted(((v, k) for k, v in r.components.items() if v > 0), reverse=True)[:3]
        why = "、".join(f"{COMPONENT_ZH.get(k, k)} {v:.2f}" for v, k in top)
        out.append(Line(f"{i}. {r.name}（{home_place(r.province, r.city)}）评分 {r.score:.2f}",
                        entity_path("company", r.company_id),
                        notes=[*([f"得分构成：{why}"] if why else []),
                               *(FLAG_ZH.get(f, f) for f in r.flags), *r.reasons[:5]]))
    return out


def institute_profile(atlas: Atlas, inst: Institute) -> Profile:
    supports = [r for r in atlas.supports if r.institute == inst.id]
    coop = [r for r in atlas.cooperates if r.institute == inst.id]
    facts = [Fact("类型", [Cell(inst.kind)]),
             Fact("所在地", [Cell(home_place(inst.province, inst.city))])]
    blocks = [
        Block("简介", key="about", lines=[Line(inst.description)] if inst.description else [],
              empty="暂无简介"),
        Block("支撑环节", key="segments", lines=[
            Line(name_of(atlas, r.segment), link_of(atlas, r.segment),
                 notes=[r.note] if r.note else []) for r in supports]),
        Block("合作企业（可作为对接渠道）", key="firms", lines=[
            Line(name_of(atlas, r.company), link_of(atlas, r.company),
                 notes=[r.note] if r.note else []) for r in coop]),
        _sources(atlas, [("院所", inst.src), *(("支撑", r.src) for r in supports),
                         *(("合作", r.src) for r in coop)]),
    ]
    return Profile("institute", inst.id, inst.name, "科研院所/高校",
                   f"{inst.kind} · {home_place(inst.province, inst.city)}", facts, blocks)


def association_profile(atlas: Atlas, a: Association) -> Profile:
    covers = [r for r in atlas.covers if r.association == a.id]
    members = [r for r in atlas.member_of if r.association == a.id]
    facts = [Fact("类型", [Cell(a.kind)]), Fact("范围", [Cell(a.scope or "—")])]
    blocks = [
        Block("简介", key="about", lines=[Line(a.description)] if a.description else [],
              empty="暂无简介"),
        Block("覆盖环节", key="segments", lines=[
            Line(name_of(atlas, r.segment), link_of(atlas, r.segment)) for r in covers]),
        Block("会员企业", key="members", lines=[
            Line(name_of(atlas, r.company), link_of(atlas, r.company)) for r in members]),
        _sources(atlas, [("商协会", a.src), *(("覆盖", r.src) for r in covers),
                         *(("会员", r.src) for r in members)]),
    ]
    return Profile("association", a.id, a.name, "商协会", f"{a.kind} · {a.scope}".strip(" ·"),
                   facts, blocks)


def _firm_lines(atlas: Atlas, firms: list[Company]) -> list[Line]:
    by_firm: dict[str, list[str]] = defaultdict(list)
    for r in atlas.operates:
        by_firm[r.company].append(r.segment)
    return [Line(c.name, entity_path("company", c.id),
                 notes=["、".join(name_of(atlas, s) for s in by_firm.get(c.id, [])[:6])],
                 badge="链主" if c.role is Role.anchor else None, badge_cls="anchor")
            for c in sorted(firms, key=lambda c: (c.role is not Role.anchor, c.id))]


def county_profile(atlas: Atlas, k: County) -> Profile:
    parks = sorted((p for p in atlas.parks.values() if p.county == k.id), key=lambda p: p.id)
    firms = [c for c in atlas.companies.values() if c.county == k.id and c.role is not Role.target]
    projects = sorted((p for p in atlas.projects.values()
                       if p.county == k.id or (p.park in atlas.parks
                                               and atlas.parks[p.park].county == k.id)),
                      key=lambda p: p.id)
    present_chains = {cid for c in firms for r in atlas.operates if r.company == c.id
                      for cid in atlas.segments[r.segment].chains if r.segment in atlas.segments}
    rows = [r for r in chain_rows(atlas, county=k.id) if r.id in present_chains]
    clashes = [c for c in find_conflicts(atlas) if k.id in c.places]
    facts = [Fact("主导产业", [Cell(t, cls="tag") for t in k.lead_industries] or [Cell("—")]),
             Fact("园区", [ref(atlas, p.id) for p in parks] or [Cell("—")]),
             Fact("本地企业", [Cell(f"{len(firms)} 家")]),
             Fact("项目", [Cell(f"{len(projects)} 个")])]
    blocks = [
        Block("本县产业链完整度（按本县重新诊断）", key="chains",
              headers=["产业链", "完整度", "强", "弱", "缺失", "断链"], rows=[
                  [Cell(r.name, f"/chain/{quote(r.id, safe='')}?county={quote(k.id, safe='')}"),
                   Cell(f"{r.completeness:.0%}", sort=r.completeness),
                   *(Cell(str(r.counts[s]), sort=r.counts[s]) for s in STATUS_COLOR)]
                  for r in sorted(rows, key=lambda r: -r.completeness)]),
        Block(f"本地企业（{len(firms)}家）", key="firms", lines=_firm_lines(atlas, firms)),
        Block("项目及进展", key="projects", lines=_project_lines(atlas, projects)),
        Block("错位招商提示", key="conflicts", lines=clash_lines(atlas, clashes), empty="无"),
        _sources(atlas, [("县区", k.src), *(("园区", p.src) for p in parks)]),
    ]
    return Profile("county", k.id, k.name, "县（市、区）", "、".join(k.lead_industries[:4]),
                   facts, blocks, [Line("区域分布图", "/maps/regions")])


def park_profile(atlas: Atlas, p: Park) -> Profile:
    firms = [c for c in atlas.companies.values() if c.park == p.id]
    projects = sorted((x for x in atlas.projects.values() if x.park == p.id), key=lambda x: x.id)
    facts = [Fact("所在县区", [ref(atlas, p.county)]), Fact("类型", [Cell(f"{p.level}{p.kind}")]),
             Fact("主导产业", [Cell(t, cls="tag") for t in p.lead_industries] or [Cell("—")])]
    blocks = [
        Block(f"园区企业（{len(firms)}家）", key="firms", lines=_firm_lines(atlas, firms)),
        Block("项目及进展", key="projects", lines=_project_lines(atlas, projects)),
        _sources(atlas, [("园区", p.src)]),
    ]
    return Profile("park", p.id, p.name, "园区", f"{p.level}{p.kind} · {name_of(atlas, p.county)}",
                   facts, blocks, [Line("区域分布图", "/maps/regions")])


def project_profile(atlas: Atlas, p: Project) -> Profile:
    facts = [Fact("阶段", [Cell(p.stage.value)]),
             Fact("投资方", [Cell(p.investor, link_of(atlas, p.investor_id))]),
             Fact("投资额", [Cell(f"{p.amount:g} 亿元" if p.amount is not None else "—")]),
             Fact("地点", [c for c in (ref(atlas, p.county) if p.county else None,
                                      ref(atlas, p.park) if p.park else None) if c] or [Cell("—")]),
             Fact("环节", [ref(atlas, s) for s in p.segments] or [Cell("—")])]
    if p.team:
        facts.append(Fact("专班", [Cell(p.team)]))
    blocks = [
        Block("简介", key="about", lines=[Line(p.description)] if p.description else [],
              empty="暂无简介"),
        Block("阶段变更记录", key="history", headers=["日期", "从", "到", "经办", "原因"], rows=[
            [Cell(h.at.isoformat()), Cell(h.from_stage.value if h.from_stage else "—"),
             Cell(h.to_stage.value), Cell(h.by), Cell(h.reason or "—")] for h in p.history],
              empty="暂无记录"),
        _sources(atlas, [("项目", p.src)]),
    ]
    return Profile("project", p.id, p.name, "项目", f"{p.stage.value} · {p.investor}", facts,
                   blocks)


def generic_profile(atlas: Atlas, e: Entity) -> Profile:
    return Profile(e.KIND, e.id, e.name, KIND_ZH.get(e.KIND, e.KIND), "",
                   [Fact("别名", [Cell("、".join(e.aliases) or "—")])],
                   [_sources(atlas, [(KIND_ZH.get(e.KIND, ""), e.src)])])


def profile_view(atlas: Atlas, kind: str, entity_id: str) -> Profile:
    """The profile of entity ``entity_id`` of ``kind``; NotFound otherwise."""
    e = atlas.entities(kind).get(entity_id) if kind in KIND_ZH else None
    if e is None:
        raise NotFound(f"no {kind} {entity_id!r}", details=[{"field": "id", "value": entity_id}])
    if isinstance(e, Company):
        return company_profile(atlas, e)
    if isinstance(e, Segment):
        return segment_profile(atlas, e)
    if isinstance(e, Institute):
        return institute_profile(atlas, e)
    if isinstance(e, Association):
        return association_profile(atlas, e)
    if isinstance(e, County):
        return county_profile(atlas, e)
    if isinstance(e, Park):
        return park_profile(atlas, e)
    if isinstance(e, Project):
        return project_profile(atlas, e)
    return generic_profile(atlas, e)


# --- chain page, targets list, briefing ----------------------------------------------


@dataclass
class SegmentRow:
    status: SegmentStatus
    confidence: str | None
    reasons: list[str]
    firms: list[Cell]
    top_target: Cell | None


@dataclass
class ChainView:
    chain: Chain
    diag: ChainDiagnosis
    region: str | None
    region_name: str
    counts: dict[str, int]
    rows: list[SegmentRow]
    children: list[Cell]
    parent: Cell | None
    views: list[Line]
    counties: list[Cell]
    projects: list[Line]
    confidence: str | None


def chain_view(atlas: Atlas, chain_id: str, county: str | None = None,
               top_per_gap: int = 1) -> ChainView:
    """A chain's page: its five views, the status of every segment with reasons and the
    best target of each gap; ``county`` re-diagnoses it there. NotFound for unknown ids."""
    diag = diagnose_chain(atlas, chain_id, county=county)
    ch = atlas.chains[chain_id]
    rows = []
    for s in diag.segments:
        top = None
        if s.status != "strong":
            recs = rank_targets(atlas, chain_id, s.segment_id, top=top_per_gap, county=county)
            if recs:
                top = Cell(recs[0].name, entity_path("company", recs[0].company_id))
        firms = sorted(set(s.local_firms) | set(s.anchors), key=lambda f: (f not in s.anchors, f))
        rows.append(SegmentRow(s, confidence_text(getattr(s, "confidence", None)),
                               [r.message for r in s.reasons], [ref(atlas, f) for f in firms],
                               top))
    q = quote(chain_id, safe="")
    views = [Line("产业链图谱", f"/maps/chains/{q}" + (f"?county={quote(county, safe='')}"
                                                       if county else "")),
             Line("区域分布图", f"/maps/regions?chain={q}"),
             Line("招商目标清单", f"/chain/{q}/targets"),
             Line("技术路线图", f"/maps/chains/{q}/routes"),
             Line("应用领域图", f"/maps/chains/{q}/applications")]
    family = chain_family(atlas, chain_id)
    seg_ids = {s.segment_id for s in diag.segments}
    projects = sorted((p for p in atlas.projects.values() if seg_ids & set(p.segments)
                       and p.stage.value not in ("终止",)), key=lambda p: p.id)
    counties = sorted({c.county for r in atlas.operates if r.segment in seg_ids
                       for c in [atlas.companies.get(r.company)]
                       if c is not None and c.county and c.role is not Role.target})
    return ChainView(
        chain=ch, diag=diag, region=county, region_name=name_of(atlas, county) or "全市",
        counts={s: sum(1 for x in diag.segments if x.status == s) for s in STATUS_COLOR},
        rows=rows, children=[ref(atlas, c) for c in sorted(family - {chain_id})
                             if atlas.chains[c].parent == chain_id],
        parent=ref(atlas, ch.parent) if ch.parent else None, views=views,
        counties=[Cell(name_of(atlas, c), f"/chain/{q}?county={quote(c, safe='')}")
                  for c in counties],
        projects=_project_lines(atlas, projects[:30]),
        confidence=confidence_text(getattr(diag, "confidence", None)))


@dataclass
class TargetGroup:
    status: SegmentStatus
    lines: list[Line]


def targets_view(atlas: Atlas, chain_id: str, top: int = 5) -> list[TargetGroup]:
    """Every gap segment of a chain with its ``top`` targets, highest need first."""
    diag = diagnose_chain(atlas, chain_id)
    order = {"broken": 0, "missing": 1, "weak": 2}
    gaps = sorted((s for s in diag.segments if s.status != "strong"),
                  key=lambda s: (order[s.status], -s.weight, s.segment_id))
    return [TargetGroup(s, target_lines(atlas, rank_targets(atlas, chain_id, s.segment_id,
                                                            top=top))) for s in gaps]


@dataclass
class Brief:
    """A briefing to take into a meeting: a chain, or one gap segment of it."""

    title: str
    subtitle: str
    chain: ChainView
    segment: Profile | None
    groups: list[TargetGroup]
    connectors: list[Line]
    sources: Block
    today: dt.date


def brief_view(atlas: Atlas, chain_id: str, segment_id: str | None = None, *,
               today: dt.date, top: int = 5) -> Brief:
    """The briefing of a chain (every gap with its top targets) or of one of its segments."""
    cv = chain_view(atlas, chain_id)
    groups = targets_view(atlas, chain_id, top=top)
    seg_profile = None
    if segment_id is not None:
        if segment_id not in cv.diag.by_id():
            raise NotFound(f"no segment {segment_id!r} in chain {chain_id!r}",
                           details=[{"field": "segment_id", "value": segment_id}])
        groups = [g for g in groups if g.status.segment_id == segment_id]
        seg_profile = segment_profile(atlas, atlas.segments[segment_id])
    segs = {g.status.segment_id for g in groups}
    connectors = [Line(name_of(atlas, r.institute), link_of(atlas, r.institute),
                       notes=[f"支撑 {name_of(atlas, r.segment)}"], badge="院所", badge_cls="kind")
                  for r in atlas.supports if r.segment in segs]
    connectors += [Line(name_of(atlas, r.association), link_of(atlas, r.association),
                        notes=[f"覆盖 {name_of(atlas, r.segment)}"], badge="商协会",
                        badge_cls="kind") for r in atlas.covers if r.segment in segs]
    seen: set[str] = set()
    uniq = []
    for line in connectors:
        if line.text not in seen:
            seen.add(line.text)
            uniq.append(line)
    srcs = [("产业链", cv.chain.src), *((f"环节 {s.name}", atlas.segments[s.segment_id].src)
                                        for s in cv.diag.segments if s.segment_id in segs)]
    title = (f"{atlas.segments[segment_id].name} 招商简报" if segment_id
             else f"{cv.chain.name} 招商简报")
    sub = f"{cv.chain.name} · 全市完整度 {cv.diag.completeness:.0%} · {today.isoformat()}"
    return Brief(title, sub, cv, seg_profile, groups, uniq[:20], _sources(atlas, srcs, 20),
                 today)
