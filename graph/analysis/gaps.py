"""Gap diagnosis: the status of every segment of a chain in a region, with its confidence
and the city's own assessment beside it, and the city-wide gap ranking.

Rule (version in the rules file, thresholds in ``rules.toml``; README "Gap rules"). For
each segment of the chain (and of its descendant chains), presence is computed as in
:mod:`graph.analysis.presence` (firms, producing projects, facts, co-products; inferred
evidence weighs ``presence.inferred_factor``); then, in this order of precedence:

1. **missing** (``no_local_firm``) — nothing counts. Pipeline projects and facts 在建 are
   listed (``in_pipeline``), capacity cut (淘汰) too (``capacity_cut``); neither counts.
2. **broken** (``cuts_chain``) — missing, with a present segment upstream (an ancestor
   along the chain's feeds) and downstream a segment that is present or, with
   ``broken.downstream_pipeline``, being built toward (pipeline projects, facts 在建,
   campaign targets); with ``broken.upstream_pipeline`` also the mirror case (being built
   upstream, present downstream). Broken is always a subset of missing.
3. **strong** — depth: ``dense`` (at least ``status.dense_min_firms`` independent operators,
   credit-weighted, or ``status.dense_min_scale_firms`` above-scale firms not inferred),
   ``documented_scale`` (a fact at ``status.scale_facts`` scale or a 超过百亿 assessment).
4. **weak** (``anchor_outside_supply``) — a (not inferred) anchor, but the segments feeding
   it are locally absent (``status.anchor_supply``): it depends on outside supply.
5. **strong** (``anchored``) — a (not inferred) anchor whose supply is present.
6. **weak** otherwise, with every reason that applies: ``single_firm``,
   ``no_anchor_no_scale``, ``not_dense``, ``facts_only`` (documented output, no named firm),
   ``co_product_only``.

Informational codes on present segments: ``documented_output``, ``co_product``,
``inferred_evidence``, ``inferred_anchor``, ``in_pipeline``, ``capacity_cut``.
Every status carries a **confidence** (:mod:`graph.analysis.confidence`), the applicable
**assessments** and the **conflicts** with them (:mod:`graph.analysis.assessments`).

Completeness is the weight-share of segments present (strong or weak). ``strength`` (for
map sizing) is ``1 - 0.5 ** mass`` (see :mod:`graph.analysis.presence`); 0 when absent.

Example: in a chain 焦化 → 苯 → 己内酰胺 → 尼龙6 with a local anchor in 焦化 and a local firm in
尼龙6, 苯 and 己内酰胺 are *broken*, 焦化 is *strong*, 尼龙6 is *weak* (``single_firm``). With
only a 签约 project on 尼龙6 instead of the firm, 苯 and 己内酰胺 are still broken (built toward).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from graph.analysis.assessments import AssessmentView, Conflict, assessment_views, conflicts
from graph.analysis.confidence import absent_confidence, present_confidence
from graph.analysis.index import AnalysisIndex, ChainScope, analysis_index
from graph.analysis.presence import Presence, RegionFilter, presence, region_filter
from graph.analysis.rules import Confidence, Rules, active_rules
from graph.errors import NotFound
from graph.model import Atlas, Stage

Status = Literal["strong", "weak", "missing", "broken"]
STATUS_LEVEL: dict[str, int] = {"broken": 0, "missing": 0, "weak": 1, "strong": 2}
"""Presence level of a status: adding a local firm never lowers a segment's level. Broken
and missing are the same level (absent); broken only says the absence cuts the chain."""
STAGE_ORDER: dict[Stage, int] = {Stage.upstream: 0, Stage.midstream: 1, Stage.downstream: 2}


class Reason(BaseModel):
    """A machine-readable reason code with a Chinese message."""

    code: str
    message: str


class SegmentStatus(BaseModel):
    """The diagnosis of one segment."""

    segment_id: str
    name: str
    stage: Stage
    weight: float
    status: Status
    reasons: list[Reason]
    confidence: Confidence = Field(description="high / medium / low, from the evidence.")
    confidence_basis: list[Reason] = Field(
        default_factory=list, description="Why the confidence is what it is (reason codes).")
    assessments: list[AssessmentView] = Field(
        default_factory=list, description="The city's own assessments that apply here.")
    conflicts: list[Conflict] = Field(
        default_factory=list, description="Assessments whose class disagrees with the status.")
    local_firms: list[str] = Field(description="Company ids of the counted local firms.")
    anchors: list[str]
    scale_firms: list[str] = Field(default_factory=list)
    inferred_firms: list[str] = Field(
        default_factory=list, description="Counted firms whose presence here was inferred.")
    inferred_anchors: list[str] = Field(
        default_factory=list, description="Anchors not counted as such: inferred.")
    producing_projects: list[str] = Field(default_factory=list)
    pipeline_projects: list[str]
    facts: list[str] = Field(default_factory=list, description="Counted fact ids.")
    pipeline_facts: list[str] = Field(default_factory=list, description="Facts 在建.")
    cut_facts: list[str] = Field(default_factory=list, description="Facts 淘汰 (not counted).")
    co_producers: list[str] = Field(
        default_factory=list, description="Operators of co-producing segments.")
    co_sources: list[str] = Field(default_factory=list,
                                  description="Present segments that co-produce this one.")
    unplaced: list[str] = Field(
        default_factory=list, description="Projects/facts on it not placed in any county or "
        "park (county/park views: they may lie in the region).")
    operators: float = Field(ge=0, description="Independent operators, credit-weighted.")
    strength: float = Field(ge=0, le=1, description="0 absent … 1 very strong (map sizing).")


class Coverage(BaseModel):
    """How much the atlas knows about the chain in the region."""

    present_segments: int
    segments: int
    local_firms: int
    placed_projects: int
    unplaced_projects: int = Field(description="Projects on the chain without county/park "
                                   "(county/park views only).")
    facts: int
    thin: bool = Field(description="No present segment, or more unplaced than placed "
                       "projects: absences here are unsure.")


class ChainDiagnosis(BaseModel):
    """Statuses of a chain's segments in a region."""

    chain_id: str
    chain_name: str
    region: str | None
    rules_version: str
    completeness: float = Field(ge=0, le=1)
    confidence: Confidence = Field(description="low when coverage is thin, else the share of "
                                   "segments at medium or high decides (see README).")
    coverage: Coverage
    conflicts: list[Conflict] = Field(default_factory=list,
                                      description="Every segment's conflicts, in order.")
    segments: list[SegmentStatus]

    def by_id(self) -> dict[str, SegmentStatus]:
        return {s.segment_id: s for s in self.segments}


class GapItem(BaseModel):
    """One city-wide gap (a segment), with the chain where it ranks highest."""

    chain_id: str
    segment_id: str
    segment_name: str
    status: Status
    confidence: Confidence
    priority: float
    reasons: list[Reason]
    confidence_basis: list[Reason] = Field(default_factory=list)
    assessments: list[AssessmentView] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    chains: list[str] = Field(description="Every chain in which the segment is a gap.")


def _names(idx: AnalysisIndex, ids: tuple[str, ...] | list[str], limit: int = 5) -> str:
    names = [idx.name(i) for i in ids[:limit]]
    return "、".join(names) + ("等" if len(ids) > limit else "")


def _absent_reasons(idx: AnalysisIndex, pres: Presence, cut: tuple[list[str], list[str]] | None
                    ) -> list[Reason]:
    out = [Reason(code="no_local_firm", message="本地无企业、投产项目或产能数据在该环节")]
    if cut is not None:
        up, down = cut
        out.append(Reason(code="cuts_chain", message=(
            f"位于本地已有或在建环节「{_names(idx, up)}」与「{_names(idx, down)}」之间的"
            "供给路径上，本地链条在此断开")))
    if pres.inferred_firms:
        out.append(Reason(code="inferred_only_evidence", message=(
            f"仅有推定（非文件明载）的企业或关联，不计为存在：{_names(idx, pres.inferred_firms)}")))
    return out + _side_reasons(idx, pres)


def _side_reasons(idx: AnalysisIndex, pres: Presence) -> list[Reason]:
    out = []
    building = [*pres.pipeline, *pres.pipeline_facts]
    if building:
        out.append(Reason(code="in_pipeline", message=(
            f"在谈/在建项目或产能（尚未投产，不计入）：{_names(idx, building)}")))
    if pres.cut_facts:
        out.append(Reason(code="capacity_cut", message=(
            f"已淘汰产能（不计入）：{_names(idx, pres.cut_facts)}")))
    return out


def _info_reasons(idx: AnalysisIndex, pres: Presence) -> list[Reason]:
    out = []
    if pres.facts:
        out.append(Reason(code="documented_output", message=(
            f"文件记载的产能/产量/规模：{_names(idx, pres.facts)}")))
    if pres.co_producers:
        out.append(Reason(code="co_product", message=(
            f"由本地「{_names(idx, pres.co_sources)}」联产（{_names(idx, pres.co_producers)}）")))
    if pres.inferred_firms:
        out.append(Reason(code="inferred_evidence", message=(
            f"推定（非文件明载）的企业或关联，权重降低：{_names(idx, pres.inferred_firms)}")))
    if pres.inferred_anchors:
        out.append(Reason(code="inferred_anchor", message=(
            f"链主/龙头身份或所在环节为推定，不作为链主计：{_names(idx, pres.inferred_anchors)}")))
    return out


def _present_reasons(idx: AnalysisIndex, pres: Presence, feeders_absent: list[str],
                     has_feeders: bool, rules: Rules) -> tuple[Status, list[Reason]]:
    st = rules.status
    n = pres.operators if st.co_producers_depth else pres.own_operators
    dense = n >= st.dense_min_firms or len(pres.scale_firms) >= st.dense_min_scale_firms
    scale = pres.documented_scale
    anchored = bool(pres.anchors) and n >= st.anchor_min_operators and (
        st.chain_start_anchor or has_feeders)
    if pres.anchors and feeders_absent and not dense and not scale:
        return "weak", [Reason(code="anchor_outside_supply", message=(
            f"链主/龙头（{_names(idx, pres.anchors)}）所需上游环节"
            f"「{_names(idx, feeders_absent)}」本地缺失，依赖外部供给"))]
    if anchored or dense or scale:
        out: list[Reason] = []
        if anchored:
            out.append(Reason(code="anchored", message=(
                f"有链主/龙头且本地配套在：{_names(idx, pres.anchors)}")))
        if dense:
            out.append(Reason(code="dense", message=(
                f"本地独立经营主体折合{n:g}家（规上{len(pres.scale_firms)}家），有纵深")))
        if scale:
            out.append(Reason(code="documented_scale", message=(
                f"文件记载规模：{_names(idx, [*pres.scale_facts, *pres.scale_assessments])}")))
        return "strong", out
    out = []
    if not pres.count and not pres.co_producers:
        out.append(Reason(code="facts_only", message="仅有文件记载的产能/规模数据，无具名企业"))
    elif not pres.count:
        out.append(Reason(code="co_product_only", message="仅作为本地其他环节的联产品存在"))
    elif n <= 1:
        out.append(Reason(code="single_firm", message=(
            f"仅一家本地经营主体：{_names(idx, pres.firms + pres.producing)}")))
    if pres.count and not pres.scale_firms:
        out.append(Reason(code="no_anchor_no_scale", message="无链主/龙头，也无规上企业"))
    if pres.anchors:
        out.append(Reason(code="anchor_alone", message=(
            f"链主/龙头（{_names(idx, pres.anchors)}）单独支撑，无本地配套或其他主体")))
    elif n > 1:
        out.append(Reason(code="not_dense", message=(
            f"本地独立经营主体折合{n:g}家，未达纵深门槛（{st.dense_min_firms}家）且无链主/龙头")))
    return "weak", out


def _feeders_absent(preds: tuple[str, ...], present: set[str], rules: Rules) -> list[str]:
    absent = [p for p in preds if p not in present]
    mode = rules.status.anchor_supply
    if not absent or mode == "off" or (mode == "all" and len(absent) < len(preds)):
        return []
    return absent


def _building(atlas: Atlas, scope: ChainScope, pres: dict[str, Presence], region: RegionFilter
              ) -> set[str]:
    """Segments the region builds toward: pipeline projects or facts 在建, campaign targets."""
    out = {s for s, p in pres.items() if p.pipeline or p.pipeline_facts}
    for camp in atlas.campaigns.values():
        if camp.chain in scope.chain_ids and (region.county is None
                                              or camp.county in (None, region.county)):
            out.update(s for s in camp.segments if s in pres)
    return out


def _cut(sid: str, scope: ChainScope, present: set[str], building: set[str], rules: Rules
         ) -> tuple[list[str], list[str]] | None:
    """(upstream side, downstream side) when missing ``sid`` cuts the chain (rule 2)."""
    up, down = scope.ancestors[sid], scope.descendants[sid]
    b = rules.broken
    up_has, down_has = sorted(up & present), sorted(down & present)
    down_built = sorted(down & building) if b.downstream_pipeline else []
    up_built = sorted(up & building) if b.upstream_pipeline else []
    if up_has and (down_has or down_built):
        return up_has, down_has or down_built
    if up_built and down_has:
        return up_built, down_has
    return None


def _coverage(atlas: Atlas, scope: ChainScope, pres: dict[str, Presence], region: RegionFilter
              ) -> Coverage:
    segs = set(scope.segments)
    placed = unplaced = 0
    for p in atlas.projects.values():
        if p.stage == "终止" or not segs.intersection(p.segments):
            continue
        if region.has_project(p):
            placed += 1
        elif region.unplaced(p.county, p.park):
            unplaced += 1
    n_present = sum(1 for p in pres.values() if p.present)
    return Coverage(
        present_segments=n_present, segments=len(segs),
        local_firms=len({f for p in pres.values() for f in p.firms}), placed_projects=placed,
        unplaced_projects=unplaced, facts=len({f for p in pres.values() for f in p.facts}),
        thin=n_present == 0 or unplaced > placed)


def _chain_confidence(cov: Coverage, segments: list[SegmentStatus]) -> Confidence:
    if cov.thin or not segments:
        return "low"
    sure = sum(1 for s in segments if s.confidence != "low") / len(segments)
    return "high" if sure >= 0.8 else "medium" if sure >= 0.5 else "low"


def _diagnose(atlas: Atlas, chain_id: str, region: RegionFilter, rules: Rules
              ) -> ChainDiagnosis:
    chain = atlas.chains.get(chain_id)
    if chain is None:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "chain_id", "value": chain_id}])
    idx = analysis_index(atlas)
    scope = idx.chain_scope(chain_id)
    pres = {s: presence(idx, s, region, rules) for s in scope.segments}
    present = {s for s, p in pres.items() if p.present}
    building = _building(atlas, scope, pres, region)
    cov = _coverage(atlas, scope, pres, region)
    out: list[SegmentStatus] = []
    total = have = 0.0
    for sid in scope.segments:
        seg = atlas.segments[sid]
        p = pres[sid]
        total += seg.weight
        status: Status
        if p.present:
            have += seg.weight
            feeders = _feeders_absent(scope.preds[sid], present, rules)
            status, reasons = _present_reasons(idx, p, feeders, bool(scope.preds[sid]), rules)
            reasons += _info_reasons(idx, p) + _side_reasons(idx, p)
        else:
            cut = _cut(sid, scope, present, building, rules)
            status = "broken" if cut else "missing"
            reasons = _absent_reasons(idx, p, cut)
        views = assessment_views(idx, sid, region, status)
        clash = conflicts(idx, sid, region, status, views)
        if p.present:
            level, basis = present_confidence(idx, p, views, rules)
        else:
            near = status == "broken" or any(
                n in present for n in (*scope.preds[sid], *scope.succs[sid]))
            level, basis = absent_confidence(idx, p, views, near, sid in building, region)
        out.append(SegmentStatus(
            segment_id=sid, name=seg.name, stage=seg.stage, weight=seg.weight, status=status,
            reasons=reasons,
            confidence=level, confidence_basis=[Reason(code=c, message=m) for c, m in basis],
            assessments=views, conflicts=clash, local_firms=list(p.firms),
            anchors=list(p.anchors), scale_firms=list(p.scale_firms),
            inferred_firms=list(p.inferred_firms), inferred_anchors=list(p.inferred_anchors),
            producing_projects=list(p.producing), pipeline_projects=list(p.pipeline),
            facts=list(p.facts), pipeline_facts=list(p.pipeline_facts),
            cut_facts=list(p.cut_facts), co_producers=list(p.co_producers),
            co_sources=list(p.co_sources), unplaced=list(p.unplaced), operators=p.operators,
            strength=round(1 - 0.5 ** p.mass, 4) if p.present else 0.0))
    out.sort(key=lambda s: (STAGE_ORDER[s.stage], s.segment_id))
    return ChainDiagnosis(chain_id=chain_id, chain_name=chain.name, region=region.id,
                          rules_version=rules.version,
                          completeness=round(have / total, 4) if total else 0.0,
                          confidence=_chain_confidence(cov, out), coverage=cov,
                          conflicts=[c for s in out for c in s.conflicts], segments=out)


def diagnose_chain(atlas: Atlas, chain_id: str, *, county: str | None = None,
                   park: str | None = None, rules: Rules | None = None) -> ChainDiagnosis:
    """Status (strong/weak/missing/broken) with confidence, assessments and conflicts of
    every segment of ``chain_id`` in a region.

    The region is the whole city by default, else ``county`` or ``park`` (ids). Raises
    :class:`~graph.errors.NotFound` for an unknown chain, county or park.
    """
    return _diagnose(atlas, chain_id, region_filter(atlas, county, park),
                     rules or active_rules())


def city_gaps(atlas: Atlas, *, rules: Rules | None = None, county: str | None = None
              ) -> list[GapItem]:
    """Every non-strong segment of every chain, ranked by priority (highest first).

    priority = (``gaps.status_score[status]`` x segment weight + ``gaps.neighbour_bonus`` x
    locally present feeds neighbours in the chain) x ``gaps.confidence_factor[confidence]``.
    A segment in several chains appears once, under the chain where its priority is highest
    (ties: the most specific chain — fewest segments — then chain id); ``chains`` lists them
    all. Ties in priority are broken by segment id.
    """
    rules = rules or active_rules()
    region = region_filter(atlas, county, None)
    idx = analysis_index(atlas)
    best: dict[str, GapItem] = {}
    for chain_id in sorted(atlas.chains, key=lambda c: (len(idx.chain_scope(c).segments), c)):
        diag = _diagnose(atlas, chain_id, region, rules)
        scope = idx.chain_scope(chain_id)
        by_id = diag.by_id()
        for s in diag.segments:
            if s.status == "strong":
                continue
            nbrs = set(scope.preds[s.segment_id]) | set(scope.succs[s.segment_id])
            n_present = sum(1 for n in nbrs if by_id[n].status in ("strong", "weak"))
            prio = round((rules.gaps.status_score[s.status] * s.weight
                          + rules.gaps.neighbour_bonus * n_present)
                         * rules.gaps.confidence_factor[s.confidence], 4)
            old = best.get(s.segment_id)
            chains = sorted({*(old.chains if old else []), chain_id})
            if old is None or prio > old.priority:
                best[s.segment_id] = GapItem(
                    chain_id=chain_id, segment_id=s.segment_id, segment_name=s.name,
                    status=s.status, confidence=s.confidence, priority=prio, reasons=s.reasons,
                    confidence_basis=s.confidence_basis, assessments=s.assessments,
                    conflicts=s.conflicts, chains=chains)
            else:
                old.chains = chains
    return sorted(best.values(), key=lambda g: (-g.priority, g.segment_id))
