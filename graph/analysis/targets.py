"""Target ranking: whom to approach to fill a gap segment.

Rule (weights and scores in ``rules.toml``, README "Targets").

**Candidates are producers only.** An outside firm (role target) is a candidate when it
operates the segment or makes one of its key products, matched on the reviewed product
vocabulary (:mod:`graph.analysis.vocab`: whole terms and synonyms, never substrings):

* a seed operates link on the segment counts unless every product it lists is a reviewed
  non-match of the segment (``not:``, e.g. 锦纶66纤维 for 尼龙66: a user, not a maker);
  when it lists products and none is in the vocabulary its evidence is multiplied by
  ``targets.unlisted_product``;
* a link imported from ChainKnowledgeGraph counts only through a reviewed mapping: one of
  its products is in the vocabulary, or its mapping row was accepted or added by hand;
* a link on another segment counts when one of its products is in the segment's vocabulary.

A firm whose status (``Company.status``) is in ``targets.excluded_status`` (破产重整, 退市,
注销) is never a candidate; an ST firm is flagged ``risk_warning``. Firms that *use* the
segment's product (``uses`` relations) are customer leads, returned apart
(:func:`customer_leads`). Each candidate gets components in [0, 1]:

* ``evidence`` — best producer link: grade score x (base + (1 - base) x operates weight);
  a firm that only makes a key product gets ``product_match`` x grade score.
* ``market`` — market position from sourced figures (产能, 产量, 市场份额, 全国排名,
  营业收入 with a ``product`` naming the segment's product), relative to the best value
  among the candidates for the same product and unit (全国排名: best rank / rank), times
  the metric's weight; 营业收入 of the whole firm weighs ``firm_revenue``.
* ``scale`` — the highest tag score (世界500强 1.0 … 规上 0.3).
* ``proximity`` — distance from the city's seat, same or neighbouring province, shared
  zone (黄河金三角), plus a small focus-region bonus (:mod:`graph.analysis.place`).
* ``linkage`` — supplies edges with local firms: an anchor, a firm of an adjacent
  segment, another local firm.
* ``connectors`` — each kind once: shared association with a local firm (else an
  association covering the segment), an institute tie, a 乡情 tie, a 在晋布局 tie (group
  company in Shanxi), another tie; summed and capped at 1.
* ``pipeline`` — 1 when a project of the firm (investor id, else its exact name or alias)
  is at 线索/对接 (flag ``in_contact``). A project at 签约 or later on this segment
  excludes the firm (elsewhere: flag ``signed_other_segment``; 终止: ``terminated_before``).
* ``chain_fit`` — n/(n+1) for the n other locally absent segments of the chain it operates in.

Score = sum(weight x component) / sum(weight), rounded to 4 places. **Order**: by score;
equal scores by the ``targets.tie_break`` components in order (market position, then
evidence, then proximity, then connectors), and only then by company id (``tie_break`` on
the recommendation says which criterion separated it from the next one). Consecutive
firms within ``targets.noise`` of the first of their group share a ``noise_group`` and
are flagged ``within_noise``: their order is not meaningful. Every recommendation lists
its connectors (or ``暂无已知联系渠道``) and explains its components with graph paths,
e.g. ``华鲁恒升 —生产→ 己内酰胺 —供给→ 尼龙6（本地：某某公司）``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from graph.analysis.gaps import SegmentStatus, diagnose_chain
from graph.analysis.index import AnalysisIndex, analysis_index
from graph.analysis.place import CityProfile, Gazetteer, city_profile, distance_km, gazetteer
from graph.analysis.presence import RegionFilter, is_anchor, region_filter
from graph.analysis.rules import Rules, Weights, active_rules
from graph.analysis.vocab import ProductVocab, atlas_vocab
from graph.errors import InvalidInput, NotFound
from graph.importers.mapping import split_terms
from graph.model import (
    PROJECT_STAGE_ORDER,
    Atlas,
    Company,
    Figure,
    Grade,
    Operates,
    ProjectStage,
    Role,
)

GRADE_ZH = {Grade.strong: "强", Grade.medium: "中", Grade.weak: "弱"}
SIGNED = set(PROJECT_STAGE_ORDER[PROJECT_STAGE_ORDER.index(ProjectStage.signed):])
CKG = "ChainKnowledgeGraph"
NO_CONNECTOR = "暂无已知联系渠道"
COMPONENTS = ("evidence", "market", "scale", "proximity", "linkage", "connectors", "pipeline",
              "chain_fit")
_PREFIX = {"亿": 1e8, "万": 1e4, "千": 1e3}


class Recommendation(BaseModel):
    """One ranked target firm (a producer) for a gap segment."""

    company_id: str
    name: str
    province: str | None
    city: str | None
    score: float
    components: dict[str, float]
    flags: list[str]
    connectors: list[str]
    reasons: list[str]
    noise_group: int = 0
    within_noise: bool = False
    tie_break: str | None = None


class CustomerLead(BaseModel):
    """A firm that uses the segment's product (not a producer): a lead for local makers."""

    company_id: str
    name: str
    province: str | None
    city: str | None
    product: str
    connectors: list[str]
    reasons: list[str]


class _Ctx:
    """What every candidate is scored against."""

    def __init__(self, idx: AnalysisIndex, seg_id: str, statuses: dict[str, SegmentStatus],
                 region: RegionFilter, rules: Rules, preds: tuple[str, ...],
                 succs: tuple[str, ...], vocab: ProductVocab, place: CityProfile | None
                 ) -> None:
        self.idx, self.seg_id, self.rules, self.region = idx, seg_id, rules, region
        self.vocab, self.place = vocab, place
        self.products: set[str] = set()  # terms of the requested product (empty: any)
        self.seg_name = idx.name(seg_id)
        self.statuses = statuses
        self.preds, self.succs = preds, succs
        self.local = {c.id for c in idx.atlas.companies.values() if region.has_firm(c)}
        self.adjacent_local = {f for s in (*preds, *succs) for f in statuses[s].local_firms}
        self.gaps = {s for s, st in statuses.items()
                     if st.status in ("missing", "broken") and s != seg_id}
        self.reviewed = reviewed_mappings(idx.atlas)
        self.gaz: Gazetteer | None = gazetteer() if place is not None else None
        self.seat = self.gaz.coords(place.province, place.name) if self.gaz and place else None

    def local_names(self, seg: str) -> str:
        return "、".join(self.idx.name(f) for f in self.statuses[seg].local_firms[:3])


def reviewed_mappings(atlas: Atlas) -> set[tuple[str, str]]:
    """(product name, segment) of imported mappings a reviewer accepted or added by hand
    (an accepted row's grade is one step above the generated one)."""
    out: set[tuple[str, str]] = set()
    for m in atlas.maps_to:
        auto = Grade.weak if m.match == "fuzzy" else Grade.medium
        accepted = m.src.grade is Grade.strong or (auto is Grade.weak
                                                   and m.src.grade is Grade.medium)
        p = atlas.products.get(m.product)
        if p is not None and (m.match == "manual" or accepted):
            out.add((p.name, m.segment))
    return out


def _producer_line(ctx: _Ctx, c: Company, op: Operates) -> tuple[float, str] | None:
    """(evidence value, reason) when ``op`` shows ``c`` producing the segment, else None."""
    t, v = ctx.rules.targets, ctx.vocab
    g = op.src.grade or Grade.medium
    hits = [p for p in op.products if v.match(ctx.seg_id, p)]
    if ctx.products and op.products and not any(v.match(ctx.seg_id, p) in ctx.products
                                                for p in hits):
        return None  # lists its products, and not the one asked for
    if op.segment == ctx.seg_id:
        if op.products and not hits and all(v.excludes(ctx.seg_id, p) for p in op.products):
            return None
        if op.src.dataset == CKG and not hits and not any(
                (p, ctx.seg_id) in ctx.reviewed for p in op.products):
            return None
        value = t.grade_score[g] * (t.weight_base + (1 - t.weight_base) * op.weight)
        prods = f"产品：{'、'.join(op.products[:3])}；" if op.products else ""
        note = ""
        if op.products and not hits:
            value *= t.unlisted_product
            note = "；产品不在词表中"
        elif ctx.products and not op.products:
            value *= t.unlisted_product
            note = f"；未列明{'、'.join(sorted(ctx.products))}"
        return value, f"{c.name} —经营→ {ctx.seg_name}（{prods}证据：{GRADE_ZH[g]}{note}）"
    if not hits:
        return None
    value = t.product_match * t.grade_score[g]
    return (value, f"{c.name} —生产→ {'、'.join(hits[:3])}（属「{ctx.seg_name}」关键产品）")


def _evidence(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    best, why = 0.0, []
    for op in ctx.idx.ops_by_company.get(c.id, ()):
        hit = _producer_line(ctx, c, op)
        if hit is not None and hit[0] > best:
            best, why = hit[0], [hit[1]]
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


def _normalised(fig: Figure) -> tuple[float, str]:
    """(value in base units, base unit): 万吨/年 → (value x 1e4, 吨/年)."""
    unit = fig.unit.strip()
    if fig.name != "全国排名" and len(unit) > 1 and unit[0] in _PREFIX:
        return fig.value * _PREFIX[unit[0]], unit[1:]
    return fig.value, unit


def _market_figures(ctx: _Ctx, c: Company) -> list[tuple[Figure, str]]:
    """(figure, product term) of the firm's market-position figures for this segment;
    the term is empty for 营业收入 of the whole firm."""
    metrics = ctx.rules.targets.market.metrics
    out: list[tuple[Figure, str]] = []
    for f in c.figures:
        if f.name not in metrics:
            continue
        if f.product:
            term = ctx.vocab.match(ctx.seg_id, f.product)
            if term is not None and (not ctx.products or term in ctx.products):
                out.append((f, term))
        elif f.name == "营业收入":
            out.append((f, ""))
    return out


def _market_all(ctx: _Ctx, cands: list[Company]) -> dict[str, tuple[float, list[str]]]:
    """Market component of every candidate, relative to the others (see module rules)."""
    mk = ctx.rules.targets.market
    figs = {c.id: _market_figures(ctx, c) for c in cands}
    best: dict[tuple[str, str, str], float] = {}
    for items in figs.values():
        for f, term in items:
            value, unit = _normalised(f)
            key = (f.name, term, unit)
            if f.name == "全国排名":
                best[key] = min(best.get(key, value), value) if value > 0 else best.get(key, 0)
            else:
                best[key] = max(best.get(key, 0.0), value)
    out: dict[str, tuple[float, list[str]]] = {}
    names = {c.id: c.name for c in cands}
    for cid, items in figs.items():
        top, why = 0.0, []
        for f, term in items:
            value, unit = _normalised(f)
            ref = best[(f.name, term, unit)]
            if f.name == "全国排名":
                rel = ref / value if value > 0 and ref > 0 else 0.0
            else:
                rel = value / ref if ref > 0 else 0.0
            weight = mk.metrics[f.name] if term else mk.firm_revenue  # type: ignore[index]
            v = weight * rel
            if v > top:
                year = f"，{f.year}年" if f.year else ""
                what = f"{term} {f.name}" if term else f"{f.name}（全公司）"
                lead = "，候选中最高" if rel >= 1 else f"，为候选最高值的 {rel:.0%}"
                if f.name == "全国排名":
                    lead = "，候选中最前" if rel >= 1 else ""
                top, why = v, [f"{names[cid]} {what} {f.value:g}{f.unit}{year}{lead}"]
        out[cid] = (min(1.0, top), why)
    return out


def _proximity(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    pr, place = ctx.rules.proximity, ctx.place
    if place is None or ctx.gaz is None:
        return 0.0, []
    home = (c.province or "") + (c.city if c.city and c.city != c.province else "")
    km = distance_km(ctx.seat, ctx.gaz.coords(c.province, c.city))
    score, why = 0.0, []
    if km is not None:
        score = 1 / (1 + km / pr.half_km)
        why.append(f"{c.name} 位于{home}，距{place.name}约 {km:.0f} 公里")
    zone = next((z.name for z in place.zones if z.holds(c.province, c.city)), None)
    if zone is not None:
        score = max(score, pr.zone)
        why.append(f"{c.name} 与{place.name}同属{zone}")
    elif c.province == place.province:
        score = max(score, pr.same_province)
        why.append(f"{c.name} 与{place.name}同在{place.province}")
    elif c.province in place.neighbour_provinces:
        score = max(score, pr.neighbour_province)
        why.append(f"{c.name} 所在{c.province}与{place.province}相邻")
    focus = next((z.name for z in place.focus_regions if z.holds(c.province, c.city)), None)
    if focus is not None:
        score += pr.focus_bonus
        why.append(f"{c.name} 位于{focus}（规划重点招商区域）")
    return min(1.0, score), why


def _connectors(ctx: _Ctx, c: Company) -> tuple[float, list[str]]:
    """Each connector kind counts once (summed, capped at 1); see the module rules."""
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
        local_coop = sorted(f for f in ctx.local if inst in idx.cooperates.get(f, ()))
        if inst in idx.supports.get(ctx.seg_id, ()) or local_coop:
            total += cs.institute
            tail = (f"←合作— {idx.name(local_coop[0])}（本地）" if local_coop
                    else f"—支撑→ {ctx.seg_name}")
            why.append(f"{c.name} —合作→ {idx.name(inst)} {tail}")
            break
    city = ctx.place.name if ctx.place else "本地"
    tie_scores = {"乡情": cs.hometown, "在晋布局": cs.in_shanxi}
    seen: set[str] = set()
    for t in c.ties:
        kind = t.kind if t.kind in tie_scores else "其他"
        if kind in seen:
            continue
        seen.add(kind)
        total += tie_scores.get(kind, cs.other_tie)
        where = f"{idx.name(t.county)}，" if t.county else ""
        why.append(f"{c.name} —{t.kind}→ {city}（{where}{t.note}）")
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
    """Producers of the segment (see module rules), in id order."""
    ids = {op.company for op in ctx.idx.ops_by_segment.get(ctx.seg_id, ())}
    keys = set(ctx.vocab.terms.get(ctx.seg_id, {}))
    if keys:
        ids |= {op.company for op in ctx.idx.atlas.operates
                if op.segment != ctx.seg_id and any(ctx.vocab.match(ctx.seg_id, p)
                                                    for p in op.products)}
    out: list[Company] = []
    excluded = set(ctx.rules.targets.excluded_status)
    for cid in sorted(ids):
        c = ctx.idx.company(cid)
        if c is None or c.role is not Role.target or (c.status and c.status in excluded):
            continue
        if _evidence(ctx, c)[0] > 0:
            out.append(c)
    return out


def _context(atlas: Atlas, chain_id: str, segment_id: str, county: str | None,
             rules: Rules, vocab: ProductVocab | None, place: CityProfile | None) -> _Ctx:
    diag = diagnose_chain(atlas, chain_id, county=county, rules=rules)
    statuses = diag.by_id()
    if segment_id not in statuses:
        raise NotFound(f"no segment {segment_id!r} in chain {chain_id!r}",
                       details=[{"field": "segment_id", "value": segment_id}])
    idx = analysis_index(atlas)
    scope = idx.chain_scope(chain_id)
    return _Ctx(idx, segment_id, statuses, region_filter(atlas, county, None), rules,
                scope.preds[segment_id], scope.succs[segment_id],
                vocab or atlas_vocab(atlas), place)


def _order(recs: list[Recommendation], rules: Rules) -> list[Recommendation]:
    """Sort by score, then the tie-break components, then id; mark noise groups."""
    tb = rules.targets.tie_break

    def key(r: Recommendation) -> tuple[float | str, ...]:
        return (-r.score, *(-r.components[k] for k in tb), r.company_id)

    recs.sort(key=key)
    group, head = 0, None
    for i, r in enumerate(recs):
        if head is None or head - r.score > rules.targets.noise:
            group, head = group + 1, r.score
        r.noise_group = group
        if i + 1 < len(recs) and recs[i + 1].score == r.score:
            nxt = recs[i + 1]
            r.tie_break = next((k for k in tb if r.components[k] != nxt.components[k]), "id")
    sizes: dict[int, int] = defaultdict(int)
    for r in recs:
        sizes[r.noise_group] += 1
    for r in recs:
        r.within_noise = sizes[r.noise_group] > 1
    return recs


def rank_targets(atlas: Atlas, chain_id: str, segment_id: str, *,
                 weights: Weights | None = None, top: int = 10, county: str | None = None,
                 rules: Rules | None = None, vocab: ProductVocab | None = None,
                 place: CityProfile | None = None, use_place: bool = True,
                 product: str | None = None, product_field: str = "product"
                 ) -> list[Recommendation]:
    """The ``top`` producers to approach for ``segment_id`` of ``chain_id``, best first.

    ``product`` (one of the segment's products, e.g. 激光雷达 for 智能感知; parts split on
    ``/、``) asks for its makers: a link listing products but not that one does not count,
    a link listing no product weighs ``targets.unlisted_product``, and only figures on that
    product count for market position; InvalidInput (field ``product_field``) when the vocabulary
    does not name it for the segment.

    ``weights`` re-weights the components (default: the rules' weights); ``county`` limits
    "local" to a county; ``vocab`` is the product vocabulary (default: the reviewed file
    plus the atlas's key products); ``place`` the city profile (default: the seeds'
    reference profile unless ``use_place`` is false). NotFound for an unknown chain,
    segment (or one not in the chain) or county.
    """
    rules = rules or active_rules()
    if place is None and use_place:
        place = city_profile()
    w = (weights or rules.weights).model_dump()
    ctx = _context(atlas, chain_id, segment_id, county, rules, vocab, place)
    if product:
        ctx.products = {t for part in split_terms(product)
                        if (t := ctx.vocab.match(segment_id, part)) is not None}
        if not ctx.products:
            raise InvalidInput(f"{product!r} 不是环节 {segment_id!r} 的产品 (not a product of "
                               f"the segment)", details=[{"field": product_field,
                                                          "value": product}])
    cands: list[tuple[Company, tuple[float, list[str], list[str], bool]]] = []
    for c in _candidates(ctx):
        piped = _pipeline(ctx, c)
        if not piped[3]:
            cands.append((c, piped))
    market = _market_all(ctx, [c for c, _ in cands])
    out: list[Recommendation] = []
    for c, (pipe, flags, pipe_why, _) in cands:
        parts: dict[str, tuple[float, list[str]]] = {
            "evidence": _evidence(ctx, c), "market": market[c.id], "scale": _scale(ctx, c),
            "proximity": _proximity(ctx, c), "linkage": _linkage(ctx, c),
            "connectors": _connectors(ctx, c), "pipeline": (pipe, pipe_why),
            "chain_fit": _chain_fit(ctx, c)}
        comps = {k: round(parts[k][0], 4) for k in COMPONENTS}
        reasons = parts["evidence"][1] + _chain_paths(ctx, c)
        reasons += [r for k in COMPONENTS if k != "evidence" for r in parts[k][1]]
        score = sum(w[k] * comps[k] for k in comps) / sum(w.values())
        doors = parts["linkage"][1] + parts["connectors"][1]
        if c.status == "ST":
            flags = sorted({*flags, "risk_warning"})
        out.append(Recommendation(company_id=c.id, name=c.name, province=c.province,
                                  city=c.city, score=round(score, 4), components=comps,
                                  flags=flags, connectors=doors or [NO_CONNECTOR],
                                  reasons=reasons))
    return _order(out, rules)[:max(top, 0)]


def customer_leads(atlas: Atlas, chain_id: str, segment_id: str, *, top: int = 10,
                   county: str | None = None, rules: Rules | None = None,
                   place: CityProfile | None = None, use_place: bool = True
                   ) -> list[CustomerLead]:
    """Outside firms that use ``segment_id``'s product (``uses`` relations), with their
    connectors; those with connectors first, then the nearest, then by id."""
    rules = rules or active_rules()
    if place is None and use_place:
        place = city_profile()
    ctx = _context(atlas, chain_id, segment_id, county, rules, ProductVocab(), place)
    rows: list[tuple[float, float, CustomerLead]] = []
    for u in ctx.idx.uses_by_segment.get(segment_id, ()):
        c = ctx.idx.company(u.company)
        if c is None or c.role is not Role.target:
            continue
        doors = _linkage(ctx, c)[1] + _connectors(ctx, c)[1]
        near, near_why = _proximity(ctx, c)
        what = u.product or ctx.seg_name
        rows.append((-len(doors), -near, CustomerLead(
            company_id=c.id, name=c.name, province=c.province, city=c.city, product=what,
            connectors=doors or [NO_CONNECTOR],
            reasons=[f"{c.name} —使用→ {what}（「{ctx.seg_name}」产品的下游用户）", *near_why])))
    rows.sort(key=lambda x: (x[0], x[1], x[2].company_id))
    return [r for _, _, r in rows][:max(top, 0)]


def candidate_ids(atlas: Atlas, chain_id: str, segment_id: str, *, rules: Rules | None = None,
                  vocab: ProductVocab | None = None) -> list[str]:
    """Ids of every producer candidate of the segment (unranked), for checks and benches."""
    rules = rules or active_rules()
    ctx = _context(atlas, chain_id, segment_id, None, rules, vocab, None)
    return [c.id for c in _candidates(ctx)]


def gap_pairs(atlas: Atlas, chains: Iterable[str] | None = None, *,
              rules: Rules | None = None) -> list[tuple[str, str]]:
    """(chain, segment) for every missing or broken segment of every chain's diagnosis."""
    rules = rules or active_rules()
    out: list[tuple[str, str]] = []
    for ch in sorted(chains if chains is not None else atlas.chains):
        for s in diagnose_chain(atlas, ch, rules=rules).segments:
            if s.status in ("missing", "broken"):
                out.append((ch, s.segment_id))
    return out
