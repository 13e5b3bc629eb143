"""Target ranking: whom to approach to fill a gap segment.

Rule (weights and scores in ``rules.toml``, README "Gap rules"). Candidates are outside
firms (role target) that operate in the segment or make one of its key products. Each gets
components in [0, 1]:

* ``evidence`` — best link: grade score x (base + (1 - base) x operates weight); a firm that
  only makes a key product gets ``product_match`` x grade score.
* ``scale`` — the highest tag score (世界500强 1.0 … 规上 0.3).
* ``linkage`` — supplies edges with local firms of the region: to/from an anchor,
  a firm in a segment feeding or fed by the gap, or another local firm.
* ``region`` — home in a focus region (京津冀, 长三角, 粤港澳大湾区; 黄河金三角 lower).
* ``connectors`` — shared association with a local firm, an association covering the
  segment, an institute tie (supports the segment or cooperates with a local firm), a
  乡情 tie, other ties; summed and capped at 1.
* ``pipeline`` — 1 when a project of the firm is at 线索/对接 (flag ``in_contact``). A firm
  with a project at 签约 or later on this segment is excluded (signed elsewhere: flag
  ``signed_other_segment``; a 终止 project: flag ``terminated_before``).
* ``chain_fit`` — n/(n+1) for the n other locally absent segments of the chain it operates in.

Score = sum(weight x component) / sum(weight), rounded to 4 places; ties by company id.
Every recommendation explains its components with graph paths in plain Chinese, e.g.
``华鲁恒升 —生产→ 己内酰胺 —供给→ 尼龙6（本地：某某公司）``.
"""

from __future__ import annotations

import heapq

from pydantic import BaseModel

from graph.analysis.gaps import SegmentStatus, diagnose_chain
from graph.analysis.index import AnalysisIndex, analysis_index, norm_product, products_match
from graph.analysis.presence import RegionFilter, is_anchor, region_filter
from graph.analysis.regions import focus_regions
from graph.analysis.rules import Rules, Weights, active_rules
from graph.errors import NotFound
from graph.model import PROJECT_STAGE_ORDER, Atlas, Company, Grade, ProjectStage, Role

GRADE_ZH = {Grade.strong: "强", Grade.medium: "中", Grade.weak: "弱"}
SIGNED = set(PROJECT_STAGE_ORDER[PROJECT_STAGE_ORDER.index(ProjectStage.signed):])


class Recommendation(BaseModel):
    """One ranked target firm for a gap segment."""

    company_id: str
    name: str
    province: str | None
    city: str | None
    score: float
    components: dict[str, float]
    flags: list[str]
    reasons: list[str]


class _Ctx:
    """What every candidate is scored against."""

    def __init__(self, idx: AnalysisIndex, seg_id: str, statuses: dict[str, SegmentStatus],
                 region: RegionFilter, rules: Rules, preds: tuple[str, ...],
                 succs: tuple[str, ...]) -> None:
        self.idx, self.seg_id, self.rules, self.region = idx, seg_id, rules, region
        self.seg_name = idx.name(seg_id)
        self.statuses = statuses
        self.preds, self.succs = preds, succs
        self.local = idx.local_firms(region)
        self.adjacent_local = {f for s in (*preds, *succs) for f in statuses[s].local_firms}
        self.gaps = {s for s, st in statuses.items()
                     if st.status in ("missing", "broken") and s != seg_id}

    def local_names(self, seg: str) -> str:
        return "、".join(self.idx.name(f) for f in self.statuses[seg].local_firms[:3])


def _evidence(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    t = ctx.rules.targets
    best, why = 0.0, []
    key = ctx.idx.key_products.get(ctx.seg_id, ())
    for op in ctx.idx.ops_by_company.get(c.id, ()):
        g = op.src.grade or Grade.medium
        if op.segment == ctx.seg_id:
            v = t.grade_score[g] * (t.weight_base + (1 - t.weight_base) * op.weight)
            prods = f"产品：{'、'.join(op.products)}；" if op.products else ""
            line = f"{c.name} —经营→ {ctx.seg_name}（{prods}证据：{GRADE_ZH[g]}）"
        else:
            hits = [p for p in op.products if any(products_match(norm_product(p), k) for k in key)]
            if not hits:
                continue
            v = t.product_match * t.grade_score[g]
            line = f"{c.name} —生产→ {'、'.join(hits)}（属「{ctx.seg_name}」关键产品）"
        if v > best:
            best, why = v, [line]
    return best, why


def _chain_paths(ctx: _Ctx, c: Company) -> list[str]:
    out = [f"{c.name} —生产→ {ctx.seg_name} —供给→ {ctx.idx.name(s)}（本地：{ctx.local_names(s)}）"
           for s in ctx.succs if ctx.statuses[s].local_firms]
    out += [f"{ctx.idx.name(s)}（本地：{ctx.local_names(s)}） —供给→ {ctx.seg_name} ←生产— {c.name}"
            for s in ctx.preds if ctx.statuses[s].local_firms]
    return out[:3]


def _linkage(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    lk = ctx.rules.targets.linkage
    best, why = 0.0, []
    partners = [(p, "out") for p in sorted(ctx.idx.supplies_to.get(c.id, ()))]
    partners += [(p, "in") for p in sorted(ctx.idx.supplied_by.get(c.id, ()))]
    for pid, direction in partners:
        p = ctx.idx.company(pid)
        if p is None or pid not in ctx.local:
            continue
        if is_anchor(p, ctx.rules):
            v, tag = lk.anchor, "本地链主/龙头"
        elif pid in ctx.adjacent_local:
            v, tag = lk.adjacent, "本地相邻环节企业"
        else:
            v, tag = lk.other, "本地企业"
        line = (f"{c.name} —供货→ {p.name}（{tag}）" if direction == "out"
                else f"{p.name}（{tag}） —供货→ {c.name}")
        why.append(line)
        best = max(best, v)
    return best, why[:3]


def _region(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    scores = ctx.rules.targets.region_score
    regs = [r for r in focus_regions(c.province, c.city) if r in scores]
    if not regs:
        return 0.0, []
    best = max(regs, key=lambda r: scores[r])
    place = (c.province or "") + (c.city if c.city and c.city != c.province else "")
    return scores[best], [f"{c.name} 位于{place}，属{best}（规划重点招商区域）"]


def _connectors(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    cs, idx = ctx.rules.targets.connectors, ctx.idx
    total, why = 0.0, []
    assocs = sorted(idx.member_of.get(c.id, ()))
    shared = [(a, m) for a in assocs for m in sorted(idx.members.get(a, ())) if m in ctx.local]
    if shared:
        a, m = shared[0]
        total += cs.shared_association
        why.append(f"{c.name} —会员→ {idx.name(a)} ←会员— {idx.name(m)}（本地）")
    covering = [a for a in assocs if a in idx.covers.get(ctx.seg_id, ())]
    if covering and not shared:
        total += cs.covering_association
        why.append(f"{c.name} —会员→ {idx.name(covering[0])} —覆盖→ {ctx.seg_name}")
    for inst in sorted(idx.cooperates.get(c.id, ())):
        local_coop = sorted(f for f in idx.cooperators.get(inst, ()) if f in ctx.local)
        if inst in idx.supports.get(ctx.seg_id, ()) or local_coop:
            total += cs.institute
            tail = (f"←合作— {idx.name(local_coop[0])}（本地）" if local_coop
                    else f"—支撑→ {ctx.seg_name}")
            why.append(f"{c.name} —合作→ {idx.name(inst)} {tail}")
            break
    for kind, score in (("乡情", cs.hometown), (None, cs.other_tie)):
        ties = [t for t in c.ties if (t.kind == kind) == (kind is not None)]
        if ties:
            total += score
            t = ties[0]
            where = f"{idx.name(t.county)}，" if t.county else ""
            why.append(f"{c.name} —{t.kind}→ 运城（{where}{t.note}）")
    return min(1.0, total), why


def _pipeline(ctx: _Ctx, c: Company) -> tuple[float, list[str], list[str], bool]:
    """(component, flags, reasons, excluded)."""
    value, flags, why, excluded = 0.0, [], [], False
    for p in ctx.idx.projects_by_investor.get(c.id, ()):
        line = f"{c.name} —投资→ {p.name}（{p.stage.value}）"
        if p.stage is ProjectStage.terminated:
            flags.append("terminated_before")
        elif p.stage in SIGNED:
            if not p.segments or ctx.seg_id in p.segments:
                excluded = True
            flags.append("signed_other_segment")
        else:
            flags.append("in_contact")
            value = 1.0
        why.append(line)
    return value, sorted(set(flags)), why, excluded


def _chain_fit(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    segs = sorted({op.segment for op in ctx.idx.ops_by_company.get(c.id, ())} & ctx.gaps)
    if not segs:
        return 0.0, []
    names = "、".join(ctx.idx.name(s) for s in segs)
    return len(segs) / (len(segs) + 1), [f"{c.name} 还经营本链其他缺失环节：{names}"]


def _scale(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    ts = ctx.rules.targets.tag_score
    scored = [t for t in c.tags if t in ts]
    if not scored:
        return 0.0, []
    return max(ts[t] for t in scored), [f"{c.name} 标签：{'、'.join(scored)}"]


def _candidates(ctx: _Ctx) -> list[Company]:
    out = {op.company for op in ctx.idx.ops_by_segment.get(ctx.seg_id, ())}
    out |= ctx.idx.product_makers(ctx.seg_id)
    cos = (ctx.idx.company(i) for i in sorted(out))
    return [c for c in cos if c is not None and c.role is Role.target]


def rank_targets(atlas: Atlas, chain_id: str, segment_id: str, *,
                 weights: Weights | None = None, top: int = 10, county: str | None = None,
                 rules: Rules | None = None) -> list[Recommendation]:
    """The ``top`` outside firms to approach for ``segment_id`` of ``chain_id``, best first.

    ``weights`` re-weights the components (default: the rules' weights); ``county`` limits
    "local" to a county. NotFound for an unknown chain, segment (or one not in the chain)
    or county.
    """
    rules = rules or active_rules()
    w = (weights or rules.weights).model_dump()
    statuses = _statuses(atlas, chain_id, county, rules)
    if segment_id not in statuses:
        raise NotFound(f"no segment {segment_id!r} in chain {chain_id!r}",
                       details=[{"field": "segment_id", "value": segment_id}])
    idx = analysis_index(atlas)
    scope = idx.chain_scope(chain_id)
    ctx = _Ctx(idx, segment_id, statuses, region_filter(atlas, county, None), rules,
               scope.preds[segment_id], scope.succs[segment_id])
    scored: list[tuple[float, str, Company, dict[str, tuple[float, list[str]]], list[str]]] = []
    total = sum(w.values())
    for c in _candidates(ctx):
        pipe, flags, pipe_why, excluded = _pipeline(ctx, c)
        if excluded:
            continue
        parts = {"evidence": _evidence(ctx, c), "scale": _scale(ctx, c),
                 "linkage": _linkage(ctx, c), "region": _region(ctx, c),
                 "connectors": _connectors(ctx, c), "pipeline": (pipe, pipe_why),
                 "chain_fit": _chain_fit(ctx, c)}
        score = sum(w[k] * round(v[0], 4) for k, v in parts.items()) / total
        scored.append((-round(score, 4), c.id, c, parts, flags))
    out: list[Recommendation] = []
    for neg, _, c, parts, flags in heapq.nsmallest(max(top, 0), scored, key=lambda t: t[:2]):
        reasons = parts["evidence"][1] + _chain_paths(ctx, c)
        reasons += [r for k, v in parts.items() if k != "evidence" for r in v[1]]
        out.append(Recommendation(company_id=c.id, name=c.name, province=c.province,
                                  city=c.city, score=-neg,
                                  components={k: round(v[0], 4) for k, v in parts.items()},
                                  flags=flags, reasons=reasons))
    return out


def _statuses(atlas: Atlas, chain_id: str, county: str | None, rules: Rules
              ) -> dict[str, SegmentStatus]:
    """The chain's diagnosis by segment, computed once per atlas, chain, county and rules
    (every gap of a chain is ranked against the same diagnosis; treat it as read-only)."""
    idx = analysis_index(atlas)
    key = ("rank_targets.statuses", chain_id, county, id(rules))
    hit = idx.memo.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]  # type: ignore[no-any-return]
    out = diagnose_chain(atlas, chain_id, county=county, rules=rules).by_id()
    idx.memo[key] = (rules, out)  # holding ``rules`` keeps its id from being reused
    return out
