"""Gap diagnosis: the status of every segment of a chain in a region, and city-wide gaps.

Rule (version in the rules file, thresholds in ``rules.toml``; README "Gap rules"). For
each segment of the chain (and of its descendant chains), presence is computed as in
:mod:`graph.analysis.presence`; then, in this order of precedence:

1. **missing** — no local operator (firm or producing project). Pipeline projects are
   listed (reason ``in_pipeline``) but do not count.
2. **broken** — missing, and the segment has a locally present ancestor *and* a locally
   present descendant in the chain's feeds graph: the local chain is cut there.
   Broken is always a subset of missing.
3. **strong** — dense (``dense``: ``dense_min_firms`` operators or ``dense_min_scale_firms``
   above-scale ones).
4. **weak** (``anchor_outside_supply``) — not dense, an anchor operates there but the
   segments that feed it are locally absent (all of them; ``status.anchor_supply``), so it
   depends on outside supply.
5. **strong** — anchored (``anchored``).
6. **weak** otherwise, with every reason that applies: ``single_firm``,
   ``no_anchor_no_scale``, ``not_dense``.

Completeness is the weight-share of segments present (strong or weak). ``strength`` (for
map sizing) is ``1 - 0.5 ** mass``, mass summing the operators' operates weights x 2
(anchor), 1.5 (above-scale) or 1, plus 1 per producing project; 0 when absent.

Example: in a chain 焦化 → 苯 → 己内酰胺 → 尼龙6 with a local anchor in 焦化 and a local firm in
尼龙6, 苯 and 己内酰胺 are *broken*, 焦化 is *strong*, 尼龙6 is *weak* (``single_firm``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from graph.analysis.index import AnalysisIndex, analysis_index
from graph.analysis.presence import Presence, RegionFilter, presence, region_filter
from graph.analysis.rules import Rules, active_rules
from graph.errors import NotFound
from graph.model import Atlas, Stage

Status = Literal["strong", "weak", "missing", "broken"]
STATUS_LEVEL: dict[str, int] = {"broken": 0, "missing": 0, "weak": 1, "strong": 2}
"""Presence level of a status: adding a local firm never lowers a segment's level."""
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
    local_firms: list[str] = Field(description="Company ids of the counted local firms.")
    anchors: list[str]
    scale_firms: list[str] = Field(default_factory=list)
    producing_projects: list[str] = Field(default_factory=list)
    pipeline_projects: list[str]
    strength: float = Field(ge=0, le=1, description="0 absent … 1 very strong (map sizing).")


class ChainDiagnosis(BaseModel):
    """Statuses of a chain's segments in a region."""

    chain_id: str
    chain_name: str
    region: str | None
    rules_version: str
    completeness: float = Field(ge=0, le=1)
    segments: list[SegmentStatus]

    def by_id(self) -> dict[str, SegmentStatus]:
        return {s.segment_id: s for s in self.segments}


class GapItem(BaseModel):
    """One city-wide gap (a segment), with the chain where it ranks highest."""

    chain_id: str
    segment_id: str
    segment_name: str
    status: Status
    priority: float
    reasons: list[Reason]
    chains: list[str] = Field(description="Every chain in which the segment is a gap.")


def _names(idx: AnalysisIndex, ids: tuple[str, ...] | list[str], limit: int = 5) -> str:
    names = [idx.name(i) for i in ids[:limit]]
    return "、".join(names) + ("等" if len(ids) > limit else "")


def _absent_reasons(idx: AnalysisIndex, pres: Presence, cut: tuple[list[str], list[str]] | None
                    ) -> list[Reason]:
    out = [Reason(code="no_local_firm", message="本地无企业在该环节经营")]
    if cut is not None:
        up, down = cut
        out.append(Reason(code="cuts_chain", message=(
            f"位于本地已有环节「{_names(idx, up)}」与「{_names(idx, down)}」之间的供给路径上，"
            "本地链条在此断开")))
    return out + _pipeline_reason(idx, pres)


def _pipeline_reason(idx: AnalysisIndex, pres: Presence) -> list[Reason]:
    if not pres.pipeline:
        return []
    return [Reason(code="in_pipeline", message=(
        f"在谈/在建项目（尚未投产，不计入）：{_names(idx, pres.pipeline)}"))]


def _present_reasons(idx: AnalysisIndex, pres: Presence, feeders_absent: list[str],
                     rules: Rules) -> tuple[Status, list[Reason]]:
    st = rules.status
    n = pres.count
    dense = n >= st.dense_min_firms or len(pres.scale_firms) >= st.dense_min_scale_firms
    if pres.anchors and feeders_absent and not dense:
        return "weak", [Reason(code="anchor_outside_supply", message=(
            f"链主/龙头（{_names(idx, pres.anchors)}）所需上游环节"
            f"「{_names(idx, feeders_absent)}」本地缺失，依赖外部供给"))]
    if pres.anchors or dense:
        out: list[Reason] = []
        if pres.anchors:
            out.append(Reason(code="anchored", message=f"有链主/龙头：{_names(idx, pres.anchors)}"))
        if dense:
            out.append(Reason(code="dense", message=(
                f"本地经营主体{n}家（规上{len(pres.scale_firms)}家），集聚度高")))
        return "strong", out
    out = []
    if n == 1:
        out.append(Reason(code="single_firm", message=(
            f"仅一家本地经营主体：{_names(idx, pres.firms + pres.producing)}")))
    if not pres.scale_firms:
        out.append(Reason(code="no_anchor_no_scale", message="无链主/龙头，也无规上企业"))
    if n > 1:
        out.append(Reason(code="not_dense", message=(
            f"本地经营主体{n}家，未达集聚门槛（{st.dense_min_firms}家）且无链主/龙头")))
    return "weak", out


def _feeders_absent(preds: tuple[str, ...], present: set[str], rules: Rules) -> list[str]:
    absent = [p for p in preds if p not in present]
    mode = rules.status.anchor_supply
    if not absent or mode == "off" or (mode == "all" and len(absent) < len(preds)):
        return []
    return absent


def _diagnose(atlas: Atlas, chain_id: str, region: RegionFilter, rules: Rules
              ) -> ChainDiagnosis:
    chain = atlas.chains.get(chain_id)
    if chain is None:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "chain_id", "value": chain_id}])
    idx = analysis_index(atlas)
    scope = idx.chain_scope(chain_id)
    pres = {s: presence(idx, s, region, rules) for s in scope.segments}
    present = {s for s, p in pres.items() if p.present}
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
            status, reasons = _present_reasons(idx, p, feeders, rules)
            reasons += _pipeline_reason(idx, p)
        else:
            up = sorted(scope.ancestors[sid] & present)
            down = sorted(scope.descendants[sid] & present)
            cut = (up, down) if up and down else None
            status = "broken" if cut else "missing"
            reasons = _absent_reasons(idx, p, cut)
        out.append(SegmentStatus(
            segment_id=sid, name=seg.name, stage=seg.stage, weight=seg.weight, status=status,
            reasons=reasons, local_firms=list(p.firms), anchors=list(p.anchors),
            scale_firms=list(p.scale_firms), producing_projects=list(p.producing),
            pipeline_projects=list(p.pipeline),
            strength=round(1 - 0.5 ** p.mass, 4) if p.present else 0.0))
    out.sort(key=lambda s: (STAGE_ORDER[s.stage], s.segment_id))
    return ChainDiagnosis(chain_id=chain_id, chain_name=chain.name, region=region.id,
                          rules_version=rules.version,
                          completeness=round(have / total, 4) if total else 0.0, segments=out)


def diagnose_chain(atlas: Atlas, chain_id: str, *, county: str | None = None,
                   park: str | None = None, rules: Rules | None = None) -> ChainDiagnosis:
    """Status (strong/weak/missing/broken) of every segment of ``chain_id`` in a region.

    The region is the whole city by default, else ``county`` or ``park`` (ids). Raises
    :class:`~graph.errors.NotFound` for an unknown chain, county or park.
    """
    return _diagnose(atlas, chain_id, region_filter(atlas, county, park),
                     rules or active_rules())


def city_gaps(atlas: Atlas, *, rules: Rules | None = None, county: str | None = None
              ) -> list[GapItem]:
    """Every non-strong segment of every chain, ranked by priority (highest first).

    priority = ``gaps.status_score[status]`` x segment weight + ``gaps.neighbour_bonus`` x
    (locally present feeds neighbours in the chain). A segment in several chains appears
    once, under the chain where its priority is highest (ties: the most specific chain —
    fewest segments — then chain id); ``chains`` lists them all. Ties in priority are broken
    by segment id.
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
            prio = round(rules.gaps.status_score[s.status] * s.weight
                         + rules.gaps.neighbour_bonus * n_present, 4)
            old = best.get(s.segment_id)
            chains = sorted({*(old.chains if old else []), chain_id})
            if old is None or prio > old.priority:
                best[s.segment_id] = GapItem(chain_id=chain_id, segment_id=s.segment_id,
                                             segment_name=s.name, status=s.status,
                                             priority=prio, reasons=s.reasons, chains=chains)
            else:
                old.chains = chains
    return sorted(best.values(), key=lambda g: (-g.priority, g.segment_id))
